#pragma once
// Builds a decoded-image cache file: every image loaded (decoded) once, prepared (crop, resize, channels) and
// packed, on a pool of threads. Independent of the project store: the caller hands over a list of (key, how
// to load the image); ringminer-cli "cutouts cache" feeds it a target set and records the file in
// image_caches.
#include "imaging/Image.h"
#include "imaging/Preprocess.h"
#include "sources/GalaxyRef.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace rm {

class ImageSource;

struct CacheItem
{
    std::string key;             // what the record is called (e.g. "<catalog>:<row>" or the IAU name)
    std::string path;            // a JPEG/PNG file to decode, used when load is empty
    std::function<Image()> load; // or any loader (an ImageSource); throws ImageMissingError/ImageCorruptError
};

struct CacheBuildOptions
{
    PrepareParams prepare;
    int threads = 0;      // 0 = one per hardware thread
    nlohmann::json extra; // stored in the file's params as "extra" (e.g. the target set)
    // Called now and then from worker threads (serialised) with (done, total); return false to cancel.
    std::function<bool(std::size_t, std::size_t)> progress;
};

struct CacheBuildReport
{
    std::string path;
    std::size_t count = 0, ok = 0, missing = 0, corrupt = 0, failed = 0;
    double seconds = 0;
    std::vector<std::pair<std::size_t, std::string>> errors; // record index, message
};

// Writes the cache to a temporary file beside `path` and renames it into place, so readers see the old file
// or the new one, never a partial one. Per-image failures are recorded in the file and the report, not
// thrown. Throws rm::Error for I/O failures, bad parameters, duplicate keys or cancellation (nothing is left
// behind).
CacheBuildReport buildDecodedCache(const std::string& path, const std::vector<CacheItem>& items,
                                   const CacheBuildOptions& options);

// Items that load each galaxy from an image source (the source must outlive the build).
std::vector<CacheItem> cacheItemsFromSource(const ImageSource& source, const std::vector<GalaxyRef>& galaxies,
                                            const std::vector<std::string>& keys);

} // namespace rm
