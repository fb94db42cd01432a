#pragma once
// The decoded-image cache of a target set: every target's image decoded, cropped and resized once into a
// packed file beside the project (<project>.files/caches/<set>_<W>x<H>x<C>.rmcache), recorded in
// image_caches. `ringminer-cli cutouts cache` builds one on request; the run queue finds or builds the one a
// cell needs. Records are the targets in idx order, keyed "<catalog id>:<row>", so record i is target idx i.
#include "cache/DecodedCacheBuilder.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace rm {

class DecodedCache;
class ProjectStore;
struct Target;
struct TargetSetReport;

struct TargetSetCacheOptions
{
    PrepareParams prepare; // the images' shape and the centre fraction of each side kept before resizing
    int threads = 0;       // 0 = one per hardware thread
    // (done, total) from worker threads, serialised; return false to cancel (rm::Error, nothing left).
    std::function<bool(std::size_t, std::size_t)> progress;
};

struct TargetSetCacheResult
{
    std::string path;
    std::vector<std::string> keys; // per record: "<catalog id>:<row>"
    CacheBuildReport report;
};

// What keeps a target set from being trained from this machine, one line per catalog of its targets: no
// image source at all (with the command that sets one), or a source that downloads (needs network unless
// its cutouts are already cached). Empty when every catalog reads local images. Checked up front, so a user
// hears every problem at once instead of one failed catalog per attempt.
struct TargetSetImageCheck
{
    std::vector<std::string> missing;      // catalogs with no image source: training cannot start
    std::vector<std::string> needsNetwork; // catalogs whose source downloads cutouts
};
TargetSetImageCheck checkTargetSetImages(ProjectStore& store, const std::string& targetSet);
// The same, added to a freshly built target set's report as warnings (CLI and import wizard alike).
TargetSetImageCheck addImageWarnings(ProjectStore& store, TargetSetReport& report);

// The key of a target's record.
std::string targetCacheKey(const Target& target);

// Builds (or rebuilds) the cache file and records it. Throws rm::Error naming the catalog when one of the
// target set's catalogs has no image source, and for I/O failures; images that cannot be had are recorded
// as failed records (see the report), not thrown.
TargetSetCacheResult buildTargetSetCache(ProjectStore& store, const std::string& targetSet,
                                         const TargetSetCacheOptions& options);

// The recorded cache of that shape, if its file is there, opens, and still holds exactly the target set's
// current targets with the same crop (a rebuilt target set makes the old cache stale). Never throws for a
// stale or broken cache: it answers nullptr so the caller builds a new one.
std::shared_ptr<DecodedCache> findTargetSetCache(ProjectStore& store, const std::string& targetSet,
                                                 const PrepareParams& prepare);

} // namespace rm
