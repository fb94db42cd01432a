#pragma once
// Reads a decoded-image cache file (see DecodedCacheFormat.h) through a read-only memory map. Needs no
// OpenCV: the headless GPU build trains from caches made on a workstation.
#include "cache/DecodedCacheFormat.h"
#include "cache/RecordSource.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace rm {

class DecodedCache : public RecordSource
{
public:
    // Opens and validates the file: magic, version, dimensions, sizes (a truncated file is refused), status
    // bytes and trailer. Throws rm::InputError naming the file and what is wrong.
    static std::shared_ptr<DecodedCache> open(const std::string& path);
    ~DecodedCache() override;
    DecodedCache(const DecodedCache&) = delete;
    DecodedCache& operator=(const DecodedCache&) = delete;

    const std::string& path() const { return m_path; }
    std::size_t size() const override { return m_keys.size(); }
    int width() const override { return static_cast<int>(m_header.width); }
    int height() const override { return static_cast<int>(m_header.height); }
    int channels() const override { return static_cast<int>(m_header.channels); }
    std::size_t recordBytes() const { return static_cast<std::size_t>(m_header.recordBytes); }

    RecordStatus status(std::size_t index) const;
    bool available(std::size_t index) const override { return status(index) == RecordStatus::Ok; }
    std::string key(std::size_t index) const override { return m_keys.at(index); }
    // Why a record failed ("" for a good one).
    std::string error(std::size_t index) const;
    std::optional<std::size_t> find(const std::string& key) const;
    std::size_t okCount() const { return m_okCount; }
    // Whatever the builder stored (prepare parameters, source, caller's extras).
    const nlohmann::json& params() const { return m_params; }

    // The pixels of a good record, straight from the map. Throws rm::Error naming the key for a failed one.
    ImageView record(std::size_t index) const;
    ImageView fetch(std::size_t index, Image&) const override { return record(index); }

private:
    DecodedCache() = default;

    std::string m_path;
    cachefmt::Header m_header{};
    const std::uint8_t* m_map = nullptr;
    std::size_t m_mapBytes = 0;
    std::vector<std::string> m_keys;
    std::unordered_map<std::size_t, std::string> m_errors;
    std::unordered_map<std::string, std::size_t> m_index;
    nlohmann::json m_params;
    std::size_t m_okCount = 0;
};

} // namespace rm
