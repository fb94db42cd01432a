#pragma once
// What happens after a cell's training: its best weights score every target with an image (evaluation view),
// the threshold is chosen on validation (max F1) and applied to every split, each split gets its metrics,
// validation and test get bootstrap confidence intervals and ROC and PR curves, and the weights are hashed.
#include "training/RunStore.h"
#include "training/TrainConfig.h"

#include <functional>
#include <optional>
#include <string>

namespace rm {

struct TargetImages;

struct EvaluationInput
{
    const TargetImages* images = nullptr;
    std::string weightsPath;
    TrainConfig config; // view, batch size, device, seed (bootstrap)
    std::function<bool()> cancelled;
    int bootstrapResamples = 1000;
};

// nullopt when cancelled. Throws rm::Error when a split has no scored target.
std::optional<RunOutcome> evaluateRun(const EvaluationInput& input);

// Metrics of one split at a threshold, as stored: every computeMetrics value, "threshold", the confusion
// counts, "count" and "positives"; with resamples > 0 the values get bootstrap CIs (else low = high = value).
std::map<std::string, MetricInterval> splitMetrics(const std::vector<int>& labels,
                                                   const std::vector<float>& scores, double threshold,
                                                   int resamples = 0, std::uint64_t seed = 0);

} // namespace rm
