#pragma once
// Colour jitter, greyscale and Gaussian blur on a planar float image in [0, 1] (SimCLR's "colour distortion"
// and blur, as torchvision's ColorJitter/RandomGrayscale/GaussianBlur define them). Every random draw comes
// from the one seed and happens whatever the options, so a view depends only on (seed, parameters) and
// turning one step off does not change the others' draws.
#include "imaging/Augment.h"

#include <cstdint>

namespace rm {

// planes: channels planes of width*height floats, modified in place and kept in [0, 1].
void applyPhotometric(float* planes, int channels, int width, int height, const AugmentParams& params,
                      std::uint64_t seed);

} // namespace rm
