#pragma once
// The decoded-image cache file: images decoded and resized once, packed as fixed-size uint8 records so an
// epoch reads them straight from a memory map, with no JPEG decoding.
//
//   [header: 128 bytes][status: 1 byte per record][pad to 4096][record 0][record 1]...[trailer: JSON]
//
// A record is height*width*channels bytes (rows top first, interleaved RGB or grey), the same layout as
// rm::Image. Each record has a status byte so a galaxy whose image failed is marked as such, never left as a
// silent black image. The JSON trailer holds every record's key, the errors of failed records and the
// parameters the cache was built with. All integers are little-endian. The file is written under a temporary
// name and renamed, so a cache file is either complete or absent; the reader still checks sizes, so a file
// cut short by a full disk or a copy is refused.
#include <cstdint>

namespace rm {

enum class RecordStatus : std::uint8_t
{
    Unwritten = 0, // never filled (only in a damaged file): treated as failed
    Ok = 1,
    Missing = 2, // no image for this galaxy
    Corrupt = 3, // a file that is not a usable image
    Failed = 4,  // any other error while loading
};

const char* recordStatusName(RecordStatus s);

namespace cachefmt {

inline constexpr char kMagic[8] = {'R', 'M', 'D', 'E', 'C', 'I', 'M', 'G'};
inline constexpr std::uint32_t kVersion = 1;
inline constexpr std::uint32_t kHeaderBytes = 128;
inline constexpr std::uint64_t kDataAlignment = 4096; // records start on a page boundary

struct Header
{
    char magic[8];
    std::uint32_t version;
    std::uint32_t headerBytes;
    std::uint32_t width;
    std::uint32_t height;
    std::uint32_t channels;
    std::uint32_t reserved0;
    std::uint64_t count;
    std::uint64_t statusOffset;
    std::uint64_t dataOffset;
    std::uint64_t recordBytes;
    std::uint64_t trailerOffset;
    std::uint64_t trailerBytes;
    std::uint8_t reserved[48];
};
static_assert(sizeof(Header) == kHeaderBytes, "the cache header is 128 bytes on disk");
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the decoded-image cache is read and written as little-endian; add byte swapping for this platform"
#endif

inline std::uint64_t alignUp(std::uint64_t v, std::uint64_t a)
{
    return (v + a - 1) / a * a;
}

// The layout every valid file with these dimensions has (trailer fields excluded).
inline Header layout(std::uint32_t width, std::uint32_t height, std::uint32_t channels, std::uint64_t count)
{
    Header h{};
    for (int i = 0; i < 8; ++i)
        h.magic[i] = kMagic[i];
    h.version = kVersion;
    h.headerBytes = kHeaderBytes;
    h.width = width;
    h.height = height;
    h.channels = channels;
    h.count = count;
    h.statusOffset = kHeaderBytes;
    h.dataOffset = alignUp(kHeaderBytes + count, kDataAlignment);
    h.recordBytes = std::uint64_t(width) * height * channels;
    h.trailerOffset = h.dataOffset + h.recordBytes * count;
    return h;
}

} // namespace cachefmt
} // namespace rm
