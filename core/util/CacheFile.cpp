#include "util/CacheFile.h"

#include "util/Error.h"

#include <atomic>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace rm {

namespace {

std::string osError(const std::string& what, const std::string& path, int err)
{
    return what + " " + path + ": " + std::strerror(err);
}

// Flushes a folder's entry list, so the rename survives a power cut, not just a crash.
void syncDirectory(const std::string& dir)
{
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return; // some file systems refuse; the rename itself has still happened
    ::fsync(fd);
    ::close(fd);
}

// The pid in "<name>.part.<pid>.<n>", or -1.
long partFilePid(const std::string& name)
{
    const auto at = name.rfind(".part.");
    if (at == std::string::npos) return -1;
    const std::string rest = name.substr(at + 6);
    const auto dot = rest.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 >= rest.size()) return -1;
    for (std::size_t i = 0; i < rest.size(); ++i)
        if (i != dot && !std::isdigit(static_cast<unsigned char>(rest[i]))) return -1;
    return std::strtol(rest.c_str(), nullptr, 10);
}

} // namespace

bool isPartFileName(const std::string& fileName)
{
    return partFilePid(fileName) > 0;
}

void writeFileAtomically(const std::string& path, const std::uint8_t* data, std::size_t size)
{
    static std::atomic<unsigned long> counter{0};
    const fs::path target(path);
    std::error_code ec;
    if (target.has_parent_path()) {
        fs::create_directories(target.parent_path(), ec);
        if (ec) throw Error("cannot create folder " + target.parent_path().string() + ": " + ec.message());
    }
    const std::string tmp = path + ".part." + std::to_string(::getpid()) + "." + std::to_string(++counter);
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) throw Error(osError("cannot create", tmp, errno));
    auto failWith = [&](const std::string& what) {
        const int err = errno;
        ::close(fd);
        ::unlink(tmp.c_str());
        throw Error(osError(what, tmp, err));
    };
    for (std::size_t done = 0; done < size;) {
        ssize_t n = ::write(fd, data + done, size - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) failWith("cannot write");
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) failWith("cannot flush");
    if (::close(fd) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        throw Error(osError("cannot close", tmp, err));
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        throw Error(osError("cannot rename into place", path, err));
    }
    syncDirectory(target.has_parent_path() ? target.parent_path().string() : std::string("."));
}

std::size_t removeStalePartFiles(const std::string& root)
{
    std::size_t removed = 0;
    std::error_code ec;
    if (!fs::is_directory(root, ec)) return 0;
    const long self = static_cast<long>(::getpid());
    for (fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
         !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        const long pid = partFilePid(name);
        if (pid <= 0 || pid == self) continue;
        // kill(pid, 0) probes without signalling: ESRCH means no such process. A live process (or a reused
        // pid) keeps its file; it is tidied on a later run.
        if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
        std::error_code rmEc;
        if (fs::remove(it->path(), rmEc)) ++removed;
    }
    return removed;
}

} // namespace rm
