#pragma once
// An advisory lock on a run's working folder, held while the run trains, so that two processes (the GUI and
// a `ringminer-cli train` on the same project) never train the same run at once. The operating system drops
// it when the process dies, so a killed run is never locked out of its own resume.
#include <string>

namespace rm {

class RunLock
{
public:
    explicit RunLock(const std::string& path); // creates the file; never blocks
    ~RunLock();
    RunLock(const RunLock&) = delete;
    RunLock& operator=(const RunLock&) = delete;

    bool held() const { return m_held; }

    // Whether a live process (this one included) holds the lock at `path` now. A run marked running whose
    // lock nobody holds was interrupted. The probe takes a shared lock for an instant and never blocks.
    static bool heldByAnyone(const std::string& path);

private:
    int m_fd = -1;
    bool m_held = false;
};

} // namespace rm
