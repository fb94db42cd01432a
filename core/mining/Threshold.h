#pragma once
// The score threshold of a new catalog: chosen on a run's validation predictions to reach a target precision
// with as much recall as possible, or given, with the precision and recall it has on validation either way.
#include <cstddef>
#include <string>
#include <vector>

namespace rm {

struct ThresholdChoice
{
    double threshold = 0.5;
    double precision = 0; // on the validation predictions, with "ring" meaning score >= threshold
    double recall = 0;
    std::size_t positives = 0, negatives = 0; // validation labels
    std::string how;                          // "precision 0.9 on validation (run 12)" or "given"
};

// Precision and recall of score >= threshold. precision is NaN when nothing reaches it; recall NaN when
// there are no positives.
ThresholdChoice thresholdMetrics(const std::vector<int>& labels, const std::vector<float>& scores,
                                 double threshold);

// Of the thresholds (the scores) at which precision >= target, the one with the highest recall, and of those
// giving that recall the highest (best precision). Throws rm::Error when the labels
// have no positive, when sizes differ, or when no threshold reaches the target (saying the best precision
// reached and at which recall, so --threshold can be given instead).
ThresholdChoice thresholdAtPrecision(const std::vector<int>& labels, const std::vector<float>& scores,
                                     double targetPrecision);

} // namespace rm
