#pragma once
// Scoring with a saved model, free of torch headers so the run queue, mining and the GUI can include it.
#include "training/TrainConfig.h"

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace rm {

class RecordSource;

// Sigmoid scores of a saved model (saveModel() format) on the given records, evaluation view (no
// augmentation), in the order given. Used for validation/test predictions and by `predict`. A record that
// cannot be loaded (unavailable in the cache, or failing to decode) scores NaN; filter those out before
// computing metrics. Returns an empty vector when cancelled (polled between batches).
std::vector<float> predictScores(const std::string& weightsPath, const RecordSource& source,
                                 const std::vector<std::size_t>& indices, const ViewParams& view,
                                 int batchSize = 64, const std::string& device = "auto",
                                 const std::function<bool()>& cancelled = {});

} // namespace rm
