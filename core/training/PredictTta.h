#pragma once
// predictScores (training/Trainer.h) with test-time augmentation: each image is scored in its 8 rotations
// and flips (the dihedral group of the square; the view must be square) and the mean is returned, their
// population standard deviation in spread (NaN where the mean is NaN). Kept apart from Trainer.h so that
// adding it recompiles only its users.
#include "training/Predict.h"
#include "training/Trainer.h"

namespace rm {

std::vector<float> predictScoresTta(const std::string& weightsPath, const RecordSource& source,
                                    const std::vector<std::size_t>& indices, const ViewParams& view,
                                    int batchSize, const std::string& device, std::vector<float>& spread,
                                    const std::function<bool()>& cancelled = {});

} // namespace rm
