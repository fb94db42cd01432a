#include "catalog/MappedFile.h"

#include "util/Error.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace rm::detail {

MappedFile::MappedFile(const std::string& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw InputError(path, 0, {}, std::string("cannot open the file: ") + std::strerror(errno));
    struct stat st;
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        ::close(fd);
        throw InputError(path, 0, {}, std::string("cannot read the file: ") + std::strerror(err));
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        throw InputError(path, 0, {}, "not a regular file");
    }
    m_size = static_cast<std::size_t>(st.st_size);
    if (m_size > 0) { // mmap of zero bytes fails; an empty file is an empty view
        m_data = ::mmap(nullptr, m_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m_data == MAP_FAILED) {
            const int err = errno;
            m_data = nullptr;
            m_size = 0;
            ::close(fd);
            throw InputError(path, 0, {}, std::string("cannot map the file: ") + std::strerror(err));
        }
        ::madvise(m_data, m_size, MADV_SEQUENTIAL);
    }
    ::close(fd);
}

void MappedFile::release(std::size_t offset)
{
    const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    const std::size_t end = std::min(offset, m_size) / page * page;
    if (end < m_released)
        m_released = 0; // a new pass over the file (UTF-8 check, then parsing; a start over)
    if (!m_data || end <= m_released) return;
    ::madvise(static_cast<char*>(m_data) + m_released, end - m_released, MADV_DONTNEED);
    m_released = end;
}

MappedFile::~MappedFile()
{
    if (m_data) ::munmap(m_data, m_size);
}

} // namespace rm::detail
