#pragma once
// A read-only memory map of a whole file: text catalogs are tokenized straight from the page cache, so a
// 100 MB CSV is not also copied into a 100 MB string.
#include <cstddef>
#include <string>
#include <string_view>

namespace rm::detail {

class MappedFile
{
public:
    explicit MappedFile(const std::string& path); // throws InputError when the file cannot be read
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    std::string_view text() const { return std::string_view(static_cast<const char*>(m_data), m_size); }
    // Lets the pages before offset leave this process's memory (they stay readable, from the page cache):
    // a streamed import keeps its resident size flat instead of growing with the part of the file read. An
    // offset below the last one starts a new pass over the file.
    void release(std::size_t offset);

private:
    void* m_data = nullptr;
    std::size_t m_size = 0;
    std::size_t m_released = 0;
};

} // namespace rm::detail
