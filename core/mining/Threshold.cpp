#include "mining/Threshold.h"

#include "util/Error.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace rm {

ThresholdChoice thresholdMetrics(const std::vector<int>& labels, const std::vector<float>& scores,
                                 double threshold)
{
    if (labels.size() != scores.size()) throw Error("threshold: labels and scores differ in length");
    ThresholdChoice c;
    c.threshold = threshold;
    std::size_t tp = 0, fp = 0;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        (labels[i] ? c.positives : c.negatives) += 1;
        if (scores[i] >= threshold) (labels[i] ? tp : fp) += 1;
    }
    c.precision = tp + fp ? double(tp) / double(tp + fp) : NAN;
    c.recall = c.positives ? double(tp) / double(c.positives) : NAN;
    return c;
}

ThresholdChoice thresholdAtPrecision(const std::vector<int>& labels, const std::vector<float>& scores,
                                     double targetPrecision)
{
    if (labels.size() != scores.size()) throw Error("threshold: labels and scores differ in length");
    if (!(targetPrecision > 0 && targetPrecision <= 1))
        throw Error("the target precision must be in (0, 1], got " + std::to_string(targetPrecision));
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < scores.size(); ++i)
        if (std::isfinite(scores[i])) order.push_back(i);
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
    std::size_t positives = 0;
    for (std::size_t i : order)
        positives += labels[i] != 0;
    if (positives == 0) throw Error("the validation predictions have no ring: no threshold can be chosen");

    // Walk the scores from the top; after each group of equal scores, (tp, fp) are those of score >= it.
    std::size_t tp = 0, fp = 0, bestTp = 0;
    bool found = false;
    double best = -1, bestPrecision = -1, bestRecall = 0;
    for (std::size_t k = 0; k < order.size();) {
        const float s = scores[order[k]];
        while (k < order.size() && scores[order[k]] == s)
            (labels[order[k++]] ? tp : fp) += 1;
        const double precision = double(tp) / double(tp + fp);
        // Lower thresholds come later: keep the first (highest) threshold of every higher recall reached.
        if (precision >= targetPrecision && (!found || tp > bestTp)) {
            found = true;
            best = s;
            bestTp = tp;
        }
        if (precision > bestPrecision) {
            bestPrecision = precision;
            bestRecall = double(tp) / double(positives);
        }
    }
    if (!found) {
        char msg[256];
        std::snprintf(
            msg, sizeof msg,
            "no threshold reaches precision %.3g on the validation predictions (the best is %.3g, at "
            "recall %.3g); ask for a lower --precision or give --threshold",
            targetPrecision, bestPrecision, bestRecall);
        throw Error(msg);
    }
    std::vector<int> l;
    std::vector<float> sc;
    for (std::size_t i : order) {
        l.push_back(labels[i]);
        sc.push_back(scores[i]);
    }
    return thresholdMetrics(l, sc, best);
}

} // namespace rm
