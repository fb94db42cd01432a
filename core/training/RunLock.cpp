#include "training/RunLock.h"

#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#endif

namespace rm {

#if defined(__unix__) || defined(__APPLE__)

RunLock::RunLock(const std::string& path)
{
    m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    // A folder where no lock file can be made is not a reason to refuse training.
    if (m_fd < 0) {
        m_held = true;
        return;
    }
    // flock locks belong to the open file description: a second RunLock in this process conflicts too.
    m_held = ::flock(m_fd, LOCK_EX | LOCK_NB) == 0;
}

RunLock::~RunLock()
{
    if (m_fd >= 0) ::close(m_fd);
}

bool RunLock::heldByAnyone(const std::string& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false; // never locked: no process ever trained here
    const bool free = ::flock(fd, LOCK_SH | LOCK_NB) == 0;
    ::close(fd); // closing drops the probe's shared lock at once
    return !free;
}

#else

RunLock::RunLock(const std::string&) : m_held(true) {}
RunLock::~RunLock() = default;
bool RunLock::heldByAnyone(const std::string&)
{
    return false;
}

#endif

} // namespace rm
