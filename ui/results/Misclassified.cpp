#include "results/Misclassified.h"

#include <algorithm>

namespace rm::ui {

namespace {
// Equal scores fall back to the galaxy, so the order never depends on how the store returned the rows.
bool galaxyBefore(const RunPrediction& a, const RunPrediction& b)
{
    return a.galaxy.catalogId != b.galaxy.catalogId ? a.galaxy.catalogId < b.galaxy.catalogId
                                                    : a.galaxy.row < b.galaxy.row;
}
} // namespace

Misclassified findMisclassified(const std::vector<RunPrediction>& predictions, double threshold,
                                const QStringList& splits)
{
    Misclassified m;
    for (const RunPrediction& p : predictions) {
        if (!splits.contains(p.split)) continue;
        const bool positive = double(p.score) >= threshold;
        if (positive && p.label == 0) m.falsePositives.push_back(p);
        if (!positive && p.label == 1) m.falseNegatives.push_back(p);
    }
    std::stable_sort(m.falsePositives.begin(), m.falsePositives.end(), [](const auto& a, const auto& b) {
        return a.score != b.score ? a.score > b.score : galaxyBefore(a, b);
    });
    std::stable_sort(m.falseNegatives.begin(), m.falseNegatives.end(), [](const auto& a, const auto& b) {
        return a.score != b.score ? a.score < b.score : galaxyBefore(a, b);
    });
    return m;
}

} // namespace rm::ui
