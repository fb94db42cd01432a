#pragma once
// A target set turned into what the trainer and the evaluation read: the decoded-image cache of the cell's
// image shape (found, or built when missing or stale), the label of every record and the record indices of
// each split. Record i is target idx i; targets whose image could not be had are left out of every split
// (and counted), so one bad JPEG does not fail a run.
#include "training/Trainer.h"

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace rm {

class DecodedCache;
class ProjectStore;
struct Target;

struct TargetImages
{
    std::string targetSet;
    std::vector<Target> targets; // idx order = record order
    std::shared_ptr<const DecodedCache> cache;
    TrainData data;                               // labels per record (-1 = no image), train and val indices
    std::vector<std::size_t> test;                // record indices of the test split
    std::size_t unavailable = 0;                  // targets without a usable image
    std::vector<std::string> unavailableExamples; // "key: why", the first few
    bool built = false;                           // the cache was built now rather than found
};

// Every record with an image, whatever its fixed split, ascending (what cross-validation deals into folds).
std::vector<std::size_t> recordsWithImages(const TargetImages& images);

struct TargetImagesOptions
{
    ImageShape shape;
    int threads = 0; // cache building
    std::function<void(const std::string&)> log;
    std::function<bool(std::size_t, std::size_t)> progress; // cache building; false cancels
};

// Throws rm::Error when the target set is unknown, a catalog of it has no image source, or no target of a
// split has an image.
TargetImages loadTargetImages(ProjectStore& store, const std::string& targetSet,
                              const TargetImagesOptions& options);

} // namespace rm
