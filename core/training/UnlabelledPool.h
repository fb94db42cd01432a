#pragma once
// The unlabelled images of a semi-supervised cell (TrainConfig::semiSupervised.unlabelled), decoded once at
// the cell's image shape into a cache file beside the project (<project>.files/caches/unlabelled_<hash>_
// <W>x<H>x<C>.rmcache, found again while it holds exactly the same images), like a target set's cache.
//
//   "catalog:NAME"  every row of a project catalog through its image source; record key "<catalog id>:<row>",
//                   the key a target set's record of that galaxy has, so evaluation galaxies can be dropped
//   "folder:PATH"   every .jpg/.jpeg/.png file directly in PATH (relative to the project's folder), by name;
//                   record key "folder:<absolute file path>"
//
// Images that cannot be decoded are left out of the pool (and counted), as a target set's are.
#include "imaging/ImageShape.h"
#include "training/Trainer.h"

#include <cstddef>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace rm {

class DecodedCache;
class ProjectStore;

struct UnlabelledPool
{
    std::shared_ptr<const DecodedCache> cache;
    std::vector<std::size_t> records; // the usable records, ascending
    std::size_t unavailable = 0;      // records whose image could not be had
    bool built = false;               // the cache file was built now rather than found
};

struct UnlabelledPoolOptions
{
    ImageShape shape;
    int threads = 0;
    std::function<void(const std::string&)> log;
    std::function<bool(std::size_t, std::size_t)> progress; // cache building; false cancels
};

// Throws rm::Error naming the spec: an unknown catalog, a catalog without an image source, a folder that does
// not exist or holds no image, a pool where no image decodes.
UnlabelledPool loadUnlabelledPool(ProjectStore& store, const std::vector<std::string>& specs,
                                  const UnlabelledPoolOptions& options);

// The pool's records whose key is not in `keys` (e.g. the targetCacheKey of a held-out fold's galaxies).
std::vector<std::size_t> withoutKeys(const UnlabelledPool& pool, const std::set<std::string>& keys);

// Adds the pool to a model's training data: all of it, or (include_eval_folds false) all but the galaxies
// of `evaluated` (target records of `images` a model is scored on). Logs how many were dropped.
struct TargetImages;
void addUnlabelled(TrainData& data, const UnlabelledPool& pool, const TargetImages& images,
                   const std::vector<std::size_t>& evaluated, bool includeEvaluated,
                   const std::function<void(const std::string&)>& log);

} // namespace rm
