#pragma once
// Shared by every harness: readers that take a path get the fuzzer's bytes through a per-process scratch
// file (in /dev/shm when there is one, so no disk is touched), and rm::Error is the one exception a
// harness may swallow: it is how core says "bad input". Anything else escaping (std::bad_alloc from a size
// read off the file, nlohmann's own exceptions, std::out_of_range) is a finding, and so is every sanitizer
// report.
#include "util/Error.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace rm::fuzz {

// Writes the bytes to <scratch>/ringminer-fuzz-<pid>/<name> and returns the path. The folder is removed
// when the process exits normally.
inline std::string scratchFile(const std::string& name, const std::uint8_t* data, std::size_t size)
{
    struct Dir
    {
        std::filesystem::path path;
        Dir()
        {
            std::error_code ec;
            const std::filesystem::path base = std::filesystem::is_directory("/dev/shm", ec)
                                                   ? std::filesystem::path("/dev/shm")
                                                   : std::filesystem::temp_directory_path();
            path = base / ("ringminer-fuzz-" + std::to_string(::getpid()));
            std::filesystem::create_directories(path);
        }
        ~Dir()
        {
            std::error_code ec;
            std::filesystem::remove_all(path, ec);
        }
    };
    static Dir dir;
    const std::string path = (dir.path / name).string();
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) std::abort(); // the harness itself is broken, not the input
    if (size && std::fwrite(data, 1, size, f) != size) std::abort();
    std::fclose(f);
    return path;
}

inline std::string asString(const std::uint8_t* data, std::size_t size)
{
    return std::string(reinterpret_cast<const char*>(data), size);
}

} // namespace rm::fuzz

// Runs a statement; rm::Error (core's "this input is bad") is the expected way to fail.
#define RM_FUZZ_EXPECT_ERRORS(statement)                                                                     \
    try {                                                                                                    \
        statement;                                                                                           \
    } catch (const rm::Error&) {                                                                             \
    }
