#include "results/ReviewOrder.h"

#include "results/RunResults.h"

#include <QHash>

#include <algorithm>
#include <cmath>

namespace rm::ui {

namespace {
void sortByKey(std::vector<ReviewItem>& items, bool ascending)
{
    std::stable_sort(items.begin(), items.end(), [ascending](const ReviewItem& a, const ReviewItem& b) {
        if (a.key != b.key) return ascending ? a.key < b.key : a.key > b.key;
        return a.galaxy.catalogId != b.galaxy.catalogId ? a.galaxy.catalogId < b.galaxy.catalogId
                                                        : a.galaxy.row < b.galaxy.row;
    });
}
} // namespace

std::vector<ReviewItem> orderByThreshold(const std::vector<RunPrediction>& predictions, double threshold)
{
    std::vector<ReviewItem> items;
    items.reserve(predictions.size());
    for (const RunPrediction& p : predictions) {
        ReviewItem i;
        i.galaxy = p.galaxy;
        i.score = p.score;
        i.key = std::abs(double(p.score) - threshold);
        i.label = p.label;
        items.push_back(i);
    }
    sortByKey(items, true);
    return items;
}

std::vector<ReviewItem> orderByDisagreement(const std::vector<const std::vector<RunPrediction>*>& runs)
{
    struct Acc
    {
        double sum = 0, sumSq = 0, lo = 1e300, hi = -1e300;
        int n = 0, label = -2;
    };
    QHash<GalaxyId, Acc> acc;
    std::vector<GalaxyId> order; // first seen, for a stable result
    for (const auto* predictions : runs)
        for (const RunPrediction& p : *predictions) {
            auto it = acc.find(p.galaxy);
            if (it == acc.end()) {
                it = acc.insert(p.galaxy, Acc{});
                order.push_back(p.galaxy);
            }
            Acc& a = *it;
            a.sum += p.score;
            a.sumSq += double(p.score) * p.score;
            a.lo = std::min(a.lo, double(p.score));
            a.hi = std::max(a.hi, double(p.score));
            a.label = a.label == -2 || a.label == p.label ? p.label : -1;
            ++a.n;
        }
    std::vector<ReviewItem> items;
    for (const GalaxyId& g : order) {
        const Acc& a = acc[g];
        if (a.n < 2) continue;
        ReviewItem i;
        i.galaxy = g;
        i.runs = a.n;
        i.score = a.sum / a.n;
        i.key = std::sqrt(std::max(0.0, a.sumSq / a.n - i.score * i.score));
        i.spread = a.hi - a.lo;
        i.label = a.label;
        items.push_back(i);
    }
    sortByKey(items, false);
    return items;
}

} // namespace rm::ui
