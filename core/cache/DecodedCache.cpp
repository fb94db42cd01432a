#include "cache/DecodedCache.h"

#include "util/Error.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace rm {

const char* recordStatusName(RecordStatus s)
{
    switch (s) {
    case RecordStatus::Unwritten:
        return "unwritten";
    case RecordStatus::Ok:
        return "ok";
    case RecordStatus::Missing:
        return "missing";
    case RecordStatus::Corrupt:
        return "corrupt";
    case RecordStatus::Failed:
        return "failed";
    }
    return "unknown";
}

namespace {

[[noreturn]] void refuse(const std::string& path, const std::string& why)
{
    throw InputError(path, 0, {}, "not a usable decoded-image cache: " + why);
}

} // namespace

std::shared_ptr<DecodedCache> DecodedCache::open(const std::string& path)
{
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw InputError(path, 0, {},
                         std::string("cannot open decoded-image cache: ") + std::strerror(errno));
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        refuse(path, "not a regular file");
    }
    const std::uint64_t fileBytes = static_cast<std::uint64_t>(st.st_size);
    if (fileBytes < cachefmt::kHeaderBytes) {
        ::close(fd);
        refuse(path, "only " + std::to_string(fileBytes) + " bytes, shorter than the header (truncated?)");
    }
    void* map = ::mmap(nullptr, fileBytes, PROT_READ, MAP_SHARED, fd, 0);
    int mapErr = errno;
    ::close(fd); // the mapping keeps the file open
    if (map == MAP_FAILED)
        throw InputError(path, 0, {},
                         std::string("cannot map decoded-image cache: ") + std::strerror(mapErr));

    std::shared_ptr<DecodedCache> c(new DecodedCache());
    c->m_path = path;
    c->m_map = static_cast<const std::uint8_t*>(map);
    c->m_mapBytes = fileBytes;
    std::memcpy(&c->m_header, c->m_map, sizeof(cachefmt::Header));
    const cachefmt::Header& h = c->m_header;

    if (std::memcmp(h.magic, cachefmt::kMagic, 8) != 0)
        refuse(path, "wrong magic bytes (not a RingMiner cache)");
    if (h.version != cachefmt::kVersion)
        refuse(path, "format version " + std::to_string(h.version) + ", this build reads version " +
                         std::to_string(cachefmt::kVersion) + " (rebuild the cache)");
    if (h.width < 1 || h.height < 1 || h.width > 16384 || h.height > 16384 ||
        (h.channels != 1 && h.channels != 3))
        refuse(path, "bad image geometry " + std::to_string(h.width) + "x" + std::to_string(h.height) + "x" +
                         std::to_string(h.channels));
    if (h.count > (std::uint64_t(1) << 32))
        refuse(path, "implausible record count " + std::to_string(h.count));
    const cachefmt::Header expect = cachefmt::layout(h.width, h.height, h.channels, h.count);
    if (h.headerBytes != expect.headerBytes || h.statusOffset != expect.statusOffset ||
        h.dataOffset != expect.dataOffset || h.recordBytes != expect.recordBytes ||
        h.trailerOffset != expect.trailerOffset)
        refuse(path, "inconsistent header (offsets do not match the image size and count)");
    if (h.trailerBytes > (std::uint64_t(1) << 32)) refuse(path, "implausible trailer size");
    const std::uint64_t total = h.trailerOffset + h.trailerBytes;
    if (fileBytes != total)
        refuse(path, "expected " + std::to_string(total) + " bytes for " + std::to_string(h.count) +
                         " records of " + std::to_string(h.width) + "x" + std::to_string(h.height) + "x" +
                         std::to_string(h.channels) + ", the file has " + std::to_string(fileBytes) +
                         (fileBytes < total ? " (truncated)" : ""));

    try {
        const char* t = reinterpret_cast<const char*>(c->m_map + h.trailerOffset);
        nlohmann::json trailer = nlohmann::json::parse(t, t + h.trailerBytes);
        const auto& keys = trailer.at("keys");
        if (!keys.is_array() || keys.size() != h.count)
            refuse(path, "the trailer lists " + std::to_string(keys.size()) + " keys for " +
                             std::to_string(h.count) + " records");
        c->m_keys.reserve(keys.size());
        for (const auto& k : keys)
            c->m_keys.push_back(k.get<std::string>());
        if (trailer.contains("errors"))
            for (const auto& [idx, msg] : trailer["errors"].items())
                c->m_errors[std::stoull(idx)] = msg.get<std::string>();
        c->m_params = trailer.value("params", nlohmann::json::object());
    } catch (const nlohmann::json::exception& e) {
        refuse(path, std::string("damaged trailer (") + e.what() + ")");
    } catch (const std::logic_error& e) { // stoull on a bad error index
        refuse(path, std::string("damaged trailer (") + e.what() + ")");
    }

    for (std::size_t i = 0; i < h.count; ++i) {
        const std::uint8_t s = c->m_map[h.statusOffset + i];
        if (s > static_cast<std::uint8_t>(RecordStatus::Failed))
            refuse(path, "record " + std::to_string(i) + " has an unknown status byte " + std::to_string(s));
        if (s == static_cast<std::uint8_t>(RecordStatus::Ok)) ++c->m_okCount;
        c->m_index.emplace(c->m_keys[i], i);
    }
    return c;
}

DecodedCache::~DecodedCache()
{
    if (m_map) ::munmap(const_cast<std::uint8_t*>(m_map), m_mapBytes);
}

RecordStatus DecodedCache::status(std::size_t index) const
{
    if (index >= size()) throw Error(m_path + ": record " + std::to_string(index) + " out of range");
    return static_cast<RecordStatus>(m_map[m_header.statusOffset + index]);
}

std::string DecodedCache::error(std::size_t index) const
{
    auto it = m_errors.find(index);
    if (it != m_errors.end()) return it->second;
    RecordStatus s = status(index);
    return s == RecordStatus::Ok ? std::string() : std::string("record ") + recordStatusName(s);
}

std::optional<std::size_t> DecodedCache::find(const std::string& key) const
{
    auto it = m_index.find(key);
    if (it == m_index.end()) return std::nullopt;
    return it->second;
}

ImageView DecodedCache::record(std::size_t index) const
{
    RecordStatus s = status(index);
    if (s != RecordStatus::Ok)
        throw Error(m_path + ": record " + std::to_string(index) + " ('" + m_keys[index] +
                    "') has no image (" + recordStatusName(s) + ": " + error(index) + ")");
    return ImageView(m_map + m_header.dataOffset + index * m_header.recordBytes, width(), height(),
                     channels());
}

} // namespace rm
