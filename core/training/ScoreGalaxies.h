#pragma once
// Scores galaxies of any catalog with a trained run's saved weights, reading their images straight from an
// image source (no cache, no target set): what `ringminer-cli predict` does for a catalog and a folder.
// Images are decoded, prepared to the run's image shape and scored chunk by chunk, so memory stays flat on a
// large catalog; a galaxy whose image is missing or corrupt gets no score and the reason instead.
#include "imaging/Augment.h"
#include "sources/GalaxyRef.h"

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace rm {

class ImageSource;

struct GalaxyScore
{
    float score = 0;   // NaN when error is set
    float spread = 0;  // with tta: the standard deviation over the 8 rotations/flips (NaN when not scored)
    std::string error; // why the galaxy could not be scored ("" when scored)
};

struct ScoreGalaxiesOptions
{
    std::string weightsPath;
    ViewParams view; // the run's view (size, channels, normalisation); augmentation is off
    int batchSize = 64;
    std::string device = "auto";
    std::size_t chunk = 4096;
    bool tta = false; // score the mean over the 8 rotations/flips and keep their spread
    // (scored, total) after each chunk; return false to cancel (the scores so far are returned, the rest NaN
    // with error "cancelled").
    std::function<bool(std::size_t, std::size_t)> progress;
    // (galaxies scored, total) as each batch of a chunk is scored, for progress inside a chunk (a mining
    // shard); informational only, it cannot cancel.
    std::function<void(std::size_t, std::size_t)> batchProgress;
};

std::vector<GalaxyScore> scoreGalaxies(const ImageSource& source, const std::vector<GalaxyRef>& galaxies,
                                       const ScoreGalaxiesOptions& options);

} // namespace rm
