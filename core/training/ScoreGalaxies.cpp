#include "training/ScoreGalaxies.h"

#include "cache/DecodedCacheBuilder.h"
#include "cache/FileRecordSource.h"
#include "imaging/Preprocess.h"
#include "sources/ImageSource.h"
#include "training/Predict.h"
#include "training/PredictTta.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>

namespace rm {

std::vector<GalaxyScore> scoreGalaxies(const ImageSource& source, const std::vector<GalaxyRef>& galaxies,
                                       const ScoreGalaxiesOptions& options)
{
    const float nan = std::numeric_limits<float>::quiet_NaN();
    std::vector<GalaxyScore> out(galaxies.size(), GalaxyScore{nan, nan, "cancelled"});
    ViewParams view = options.view;
    view.augment = false;
    const PrepareParams prepare{view, 1.0};
    const std::size_t chunk = std::max<std::size_t>(1, options.chunk);
    for (std::size_t begin = 0; begin < galaxies.size(); begin += chunk) {
        const std::size_t end = std::min(galaxies.size(), begin + chunk);
        std::vector<GalaxyRef> part(galaxies.begin() + static_cast<std::ptrdiff_t>(begin),
                                    galaxies.begin() + static_cast<std::ptrdiff_t>(end));
        std::vector<std::string> keys;
        for (std::size_t i = begin; i < end; ++i)
            keys.push_back(std::to_string(i));
        std::vector<CacheItem> items = cacheItemsFromSource(source, part, keys);
        const FileRecordSource records(items, prepare);
        std::vector<std::size_t> indices(part.size());
        std::iota(indices.begin(), indices.end(), std::size_t(0));
        std::vector<float> spread;
        // Polled before each batch's forward pass: the batches before it are scored.
        std::function<bool()> beforeBatch;
        std::size_t batches = 0;
        if (options.batchProgress)
            beforeBatch = [&] {
                const std::size_t scored = std::min(
                    part.size(), batches++ * static_cast<std::size_t>(std::max(1, options.batchSize)));
                if (scored > 0) options.batchProgress(begin + scored, galaxies.size());
                return false;
            };
        const std::vector<float> scores =
            options.tta ? predictScoresTta(options.weightsPath, records, indices, view, options.batchSize,
                                           options.device, spread, beforeBatch)
                        : predictScores(options.weightsPath, records, indices, view, options.batchSize,
                                        options.device, beforeBatch);
        for (std::size_t i = 0; i < part.size(); ++i) {
            GalaxyScore& s = out[begin + i];
            if (i < scores.size() && std::isfinite(scores[i])) {
                s = {scores[i], options.tta ? spread[i] : 0.0f, ""};
                continue;
            }
            // The loader only says "no score": loading the image once more gives the reason.
            s.score = nan;
            s.spread = nan;
            try {
                items[i].load();
                s.error = "the image loaded but could not be scored";
            } catch (const std::exception& e) {
                s.error = e.what();
            }
        }
        if (options.progress && !options.progress(end, galaxies.size())) break;
    }
    return out;
}

} // namespace rm
