#pragma once
// Where a model looks: Grad-CAM (Selvaraju et al. 2017) on the last block of the encoder, for the ring
// logit. The feature map's channels are weighted by the mean gradient of the logit over each channel, summed,
// clipped at zero, upsampled (bilinear) to the view's size and scaled to a peak of 1. Shown over the galaxy
// in the inspector. Free of torch headers.
#include "imaging/Augment.h"

#include <cstddef>
#include <string>
#include <vector>

namespace rm {

class RecordSource;

struct SaliencyMap
{
    int width = 0, height = 0; // the view's size: the map covers the evaluation crop of the record
    std::vector<float> heat;   // row-major, [0, 1]; all zero when nothing speaks for a ring
    float score = 0;           // the model's ring probability for the record
};

// One map per record, in the order given (evaluation view, no augmentation). Throws rm::Error for a record
// that cannot be loaded, or a model without a feature map (the profile_lr feature baseline).
std::vector<SaliencyMap> saliencyMaps(const std::string& weightsPath, const RecordSource& source,
                                      const std::vector<std::size_t>& indices, const ViewParams& view,
                                      const std::string& device = "cpu");

} // namespace rm
