#include "training/TargetImages.h"

#include "cache/DecodedCache.h"
#include "cache/TargetSetCache.h"
#include "store/ProjectStore.h"
#include "targets/TargetSetBuilder.h"
#include "util/Error.h"

#include <algorithm>

namespace rm {

std::vector<std::size_t> recordsWithImages(const TargetImages& images)
{
    std::vector<std::size_t> records;
    for (const auto* split : {&images.data.train, &images.data.val, &images.test})
        records.insert(records.end(), split->begin(), split->end());
    std::sort(records.begin(), records.end());
    return records;
}

TargetImages loadTargetImages(ProjectStore& store, const std::string& targetSet,
                              const TargetImagesOptions& options)
{
    TargetImages out;
    out.targetSet = targetSet;
    out.targets = loadTargets(store, targetSet);
    if (out.targets.empty()) throw Error("target set '" + targetSet + "' has no targets");
    std::shared_ptr<DecodedCache> cache =
        findTargetSetCache(store, targetSet, PrepareParams{options.shape, 1.0});
    if (!cache) {
        if (options.log)
            options.log("building the decoded-image cache of '" + targetSet + "' (" +
                        std::to_string(out.targets.size()) + " images, " + options.shape.text() + ")");
        TargetSetCacheOptions o;
        o.prepare = PrepareParams{options.shape, 1.0};
        o.threads = options.threads;
        o.progress = options.progress;
        const TargetSetCacheResult built = buildTargetSetCache(store, targetSet, o);
        cache = DecodedCache::open(built.path);
        out.built = true;
    }
    if (cache->size() != out.targets.size())
        throw Error("the decoded-image cache of '" + targetSet + "' has " + std::to_string(cache->size()) +
                    " records for " + std::to_string(out.targets.size()) + " targets");
    out.cache = cache;
    out.data.source = cache;
    out.data.labels.assign(out.targets.size(), -1);
    for (std::size_t i = 0; i < out.targets.size(); ++i) {
        if (!cache->available(i)) {
            ++out.unavailable;
            if (out.unavailableExamples.size() < 5)
                out.unavailableExamples.push_back(cache->key(i) + ": " + cache->error(i));
            continue;
        }
        out.data.labels[i] = out.targets[i].label;
        switch (out.targets[i].split) {
        case Train:
            out.data.train.push_back(i);
            break;
        case Val:
            out.data.val.push_back(i);
            break;
        default:
            out.test.push_back(i);
            break;
        }
    }
    if (out.unavailable > 0 && options.log) {
        std::string text = std::to_string(out.unavailable) + " of " + std::to_string(out.targets.size()) +
                           " targets of '" + targetSet + "' have no usable image and are left out";
        for (const auto& e : out.unavailableExamples)
            text += "; " + e;
        options.log(text);
    }
    const char* names[] = {"train", "validation", "test"};
    const std::size_t sizes[] = {out.data.train.size(), out.data.val.size(), out.test.size()};
    for (int s = 0; s < 3; ++s)
        if (sizes[s] == 0)
            throw Error(
                "target set '" + targetSet + "' has no " + names[s] + " target with an image (" +
                std::to_string(out.unavailable) + " of " + std::to_string(out.targets.size()) +
                " images unavailable" +
                (out.unavailableExamples.empty() ? std::string() : ", e.g. " + out.unavailableExamples[0]) +
                ")");
    return out;
}

} // namespace rm
