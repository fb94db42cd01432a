#include "inspector/RunSaliency.h"

#include "cache/DecodedCache.h"
#include "cache/MemoryRecordSource.h"
#include "cache/TargetSetCache.h"
#include "cutouts/ImageConvert.h"
#include "store/ProjectStore.h"
#include "targets/TargetSetBuilder.h"
#include "training/TrainConfig.h"
#include "util/Error.h"

#include <QFile>
#include <QHash>

#include <map>

namespace rm::ui {

std::vector<GalaxySaliency> computeRunSaliency(const QString& projectPath, const SaliencyRun& run,
                                               const std::vector<std::pair<GalaxyId, QImage>>& galaxies,
                                               double* fraction)
{
    const rm::TrainConfig config = rm::applyJson(rm::TrainConfig{}, nlohmann::json::parse(run.configJson));
    if (fraction) *fraction = config.view.evalCropFraction;
    std::vector<GalaxySaliency> out(galaxies.size());
    for (std::size_t i = 0; i < galaxies.size(); ++i)
        out[i].galaxy = galaxies[i].first;

    // The run's own decoded records, where the galaxies have one.
    std::vector<std::size_t> fromCache, cacheIndices;
    std::shared_ptr<rm::DecodedCache> cache;
    try {
        auto store = rm::ProjectStore::open(QFile::encodeName(projectPath).toStdString());
        cache = rm::findTargetSetCache(*store, run.targetSet, rm::PrepareParams{config.view, 1.0});
        if (cache) {
            QHash<GalaxyId, std::string> keys;
            for (const rm::Target& t : rm::loadTargets(*store, run.targetSet))
                keys.insert(GalaxyId{t.catalogId, t.row}, rm::targetCacheKey(t));
            for (std::size_t i = 0; i < galaxies.size(); ++i) {
                const auto key = keys.constFind(galaxies[i].first);
                if (key == keys.constEnd()) continue;
                const auto index = cache->find(*key);
                if (!index || !cache->available(*index)) continue;
                fromCache.push_back(i);
                cacheIndices.push_back(*index);
            }
        }
    } catch (const rm::Error&) {
        fromCache.clear(); // no usable project or cache: every galaxy from its image
        cacheIndices.clear();
    }
    if (!fromCache.empty()) {
        const std::vector<rm::SaliencyMap> maps =
            rm::saliencyMaps(run.weightsPath, *cache, cacheIndices, config.view, "cpu");
        for (std::size_t k = 0; k < fromCache.size(); ++k) {
            out[fromCache[k]].map = maps[k];
            out[fromCache[k]].fromRun = true;
        }
    }

    // The others from the image shown; a record source serves one size, so by size.
    std::map<std::pair<int, int>, std::vector<std::size_t>> bySize;
    for (std::size_t i = 0; i < galaxies.size(); ++i)
        if (!out[i].fromRun) bySize[{galaxies[i].second.width(), galaxies[i].second.height()}].push_back(i);
    for (const auto& [size, members] : bySize) {
        std::vector<rm::Image> images;
        for (std::size_t i : members)
            images.push_back(toCoreImage(galaxies[i].second));
        rm::MemoryRecordSource source(std::move(images));
        std::vector<std::size_t> indices(members.size());
        for (std::size_t k = 0; k < indices.size(); ++k)
            indices[k] = k;
        const std::vector<rm::SaliencyMap> maps =
            rm::saliencyMaps(run.weightsPath, source, indices, config.view, "cpu");
        for (std::size_t k = 0; k < members.size(); ++k)
            out[members[k]].map = maps[k];
    }
    return out;
}

} // namespace rm::ui
