#include "training/Metrics.h"

#include "util/Error.h"
#include "util/Random.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

namespace rm {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Samples grouped by distinct score, highest score first: every curve, AUC and confusion matrix depends only
// on how many positives and negatives share each score. A bootstrap resample just recounts the groups, so it
// costs O(n) without sorting again.
struct Ranking
{
    std::vector<double> scores;     // distinct, descending
    std::vector<std::size_t> group; // per sample: index into scores
};

struct GroupCounts
{
    std::vector<std::int64_t> pos, neg; // per group
    std::int64_t positives = 0, negatives = 0;
};

void checkInput(const std::vector<int>& labels, const std::vector<float>& scores)
{
    if (labels.size() != scores.size())
        throw Error("metrics: " + std::to_string(labels.size()) + " labels but " +
                    std::to_string(scores.size()) + " scores");
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] != 0 && labels[i] != 1)
            throw Error("metrics: label of sample " + std::to_string(i) + " is " + std::to_string(labels[i]) +
                        ", expected 0 or 1");
        // sklearn rejects infinities too (assert_all_finite).
        if (!std::isfinite(scores[i]))
            throw Error("metrics: score of sample " + std::to_string(i) + " is " + std::to_string(scores[i]) +
                        ", expected a finite number");
    }
}

Ranking rank(const std::vector<int>& labels, const std::vector<float>& scores)
{
    checkInput(labels, scores);
    std::vector<std::size_t> order(scores.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
    Ranking r;
    r.group.resize(scores.size());
    for (std::size_t i : order) {
        if (r.scores.empty() || scores[i] != r.scores.back()) r.scores.push_back(scores[i]);
        r.group[i] = r.scores.size() - 1;
    }
    return r;
}

GroupCounts countAll(const Ranking& r, const std::vector<int>& labels)
{
    GroupCounts c;
    c.pos.assign(r.scores.size(), 0);
    c.neg.assign(r.scores.size(), 0);
    for (std::size_t i = 0; i < labels.size(); ++i)
        (labels[i] ? c.pos : c.neg)[r.group[i]]++;
    c.positives = std::count(labels.begin(), labels.end(), 1);
    c.negatives = std::int64_t(labels.size()) - c.positives;
    return c;
}

// Trapezoids between successive ROC points, in integer units of 1/(2 P N) so ties are exact halves.
double aucOf(const GroupCounts& c)
{
    if (c.positives == 0 || c.negatives == 0) return kNaN;
    std::int64_t tp = 0, twiceArea = 0;
    for (std::size_t g = 0; g < c.pos.size(); ++g) {
        twiceArea += c.neg[g] * (2 * tp + c.pos[g]);
        tp += c.pos[g];
    }
    return double(twiceArea) / (2.0 * double(c.positives) * double(c.negatives));
}

// sklearn's step integral: sum over thresholds of (recall gained) * precision there. Undefined (NaN) without
// positives, where sklearn warns and returns 0.
double averagePrecisionOf(const GroupCounts& c)
{
    if (c.positives == 0) return kNaN;
    std::int64_t tp = 0, fp = 0;
    double ap = 0;
    for (std::size_t g = 0; g < c.pos.size(); ++g) {
        tp += c.pos[g];
        fp += c.neg[g];
        if (c.pos[g] > 0) ap += double(c.pos[g]) / double(c.positives) * (double(tp) / double(tp + fp));
    }
    return ap;
}

// Groups [0, k) are predicted positive.
ConfusionMatrix confusionOf(const GroupCounts& c, std::size_t k)
{
    ConfusionMatrix m;
    for (std::size_t g = 0; g < k; ++g) {
        m.tp += c.pos[g];
        m.fp += c.neg[g];
    }
    m.fn = c.positives - m.tp;
    m.tn = c.negatives - m.fp;
    return m;
}

std::size_t groupsAtOrAbove(const Ranking& r, double threshold)
{
    // scores are descending: the first group below the threshold ends the positive predictions.
    return std::partition_point(r.scores.begin(), r.scores.end(), [&](double s) { return s >= threshold; }) -
           r.scores.begin();
}

double ratio(std::int64_t num, std::int64_t den)
{
    return den == 0 ? kNaN : double(num) / double(den);
}

void fillThresholdMetrics(const ConfusionMatrix& m, std::map<std::string, double>& values)
{
    values["accuracy"] = ratio(m.tp + m.tn, m.tp + m.tn + m.fp + m.fn);
    values["precision"] = ratio(m.tp, m.tp + m.fp);
    values["recall"] = ratio(m.tp, m.tp + m.fn);
    values["f1"] = ratio(2 * m.tp, 2 * m.tp + m.fp + m.fn);
}

// numpy.percentile's default (linear) interpolation over sorted values.
double percentile(const std::vector<double>& sorted, double q)
{
    if (sorted.empty()) return kNaN;
    const double h = q * double(sorted.size() - 1);
    const std::size_t lo = std::size_t(std::floor(h));
    if (lo + 1 >= sorted.size()) return sorted.back();
    return sorted[lo] + (h - double(lo)) * (sorted[lo + 1] - sorted[lo]);
}

} // namespace

double rocAuc(const std::vector<int>& labels, const std::vector<float>& scores)
{
    const Ranking r = rank(labels, scores);
    return aucOf(countAll(r, labels));
}

double averagePrecision(const std::vector<int>& labels, const std::vector<float>& scores)
{
    const Ranking r = rank(labels, scores);
    return averagePrecisionOf(countAll(r, labels));
}

Curve rocCurve(const std::vector<int>& labels, const std::vector<float>& scores)
{
    const Ranking r = rank(labels, scores);
    const GroupCounts c = countAll(r, labels);
    Curve curve;
    if (r.scores.empty()) return curve;
    // sklearn 1.2 starts at (0, 0) with threshold max + 1 (1.3 and later use +inf there).
    const std::size_t n = r.scores.size() + 1;
    curve.x.reserve(n);
    curve.y.reserve(n);
    curve.thresholds.reserve(n);
    curve.thresholds.push_back(r.scores.front() + 1);
    curve.x.push_back(c.negatives ? 0.0 : kNaN);
    curve.y.push_back(c.positives ? 0.0 : kNaN);
    std::int64_t tp = 0, fp = 0;
    for (std::size_t g = 0; g < r.scores.size(); ++g) {
        tp += c.pos[g];
        fp += c.neg[g];
        curve.thresholds.push_back(r.scores[g]);
        curve.x.push_back(ratio(fp, c.negatives));
        curve.y.push_back(ratio(tp, c.positives));
    }
    return curve;
}

Curve prCurve(const std::vector<int>& labels, const std::vector<float>& scores)
{
    const Ranking r = rank(labels, scores);
    const GroupCounts c = countAll(r, labels);
    Curve curve;
    if (r.scores.empty()) return curve;
    const std::size_t k = r.scores.size();
    curve.x.resize(k + 1);
    curve.y.resize(k + 1);
    curve.thresholds.resize(k);
    // sklearn orders by increasing threshold, so recall decreases; without positives recall is 1 throughout.
    std::int64_t tp = 0, fp = 0;
    for (std::size_t g = 0; g < k; ++g) {
        tp += c.pos[g];
        fp += c.neg[g];
        const std::size_t i = k - 1 - g;
        curve.thresholds[i] = r.scores[g];
        curve.y[i] = double(tp) / double(tp + fp);
        curve.x[i] = c.positives ? double(tp) / double(c.positives) : 1.0;
    }
    curve.x[k] = 0;
    curve.y[k] = 1;
    return curve;
}

ConfusionMatrix confusionAt(const std::vector<int>& labels, const std::vector<float>& scores,
                            double threshold)
{
    checkInput(labels, scores);
    ConfusionMatrix m;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const bool predicted = scores[i] >= threshold;
        if (labels[i])
            (predicted ? m.tp : m.fn)++;
        else
            (predicted ? m.fp : m.tn)++;
    }
    return m;
}

double chooseThreshold(const std::vector<int>& labels, const std::vector<float>& scores, ThresholdRule rule)
{
    constexpr double kFixed = 0.5;
    const Ranking r = rank(labels, scores);
    if (rule == ThresholdRule::Fixed) return kFixed;
    const GroupCounts c = countAll(r, labels);
    // Neither rule means anything without positives (and Youden also needs negatives): keep the fixed one.
    if (c.positives == 0 || (rule == ThresholdRule::Youden && c.negatives == 0)) return kFixed;

    // Exact integer comparisons, scanning from the highest threshold and replacing only on strict
    // improvement, so ties go to the highest threshold.
    double best = r.scores.front();
    std::int64_t tp = 0, fp = 0;
    std::int64_t bestNum = -1, bestDen = 1;                        // MaxF1: 2tp / (2tp + fp + fn)
    std::int64_t bestJ = std::numeric_limits<std::int64_t>::min(); // Youden: tp N - fp P
    for (std::size_t g = 0; g < r.scores.size(); ++g) {
        tp += c.pos[g];
        fp += c.neg[g];
        if (rule == ThresholdRule::MaxF1) {
            const std::int64_t num = 2 * tp, den = 2 * tp + fp + (c.positives - tp);
            if (num * bestDen > bestNum * den) {
                bestNum = num;
                bestDen = den;
                best = r.scores[g];
            }
        } else {
            const std::int64_t j = tp * c.negatives - fp * c.positives;
            if (j > bestJ) {
                bestJ = j;
                best = r.scores[g];
            }
        }
    }
    return best;
}

BinaryMetrics computeMetrics(const std::vector<int>& labels, const std::vector<float>& scores,
                             double threshold)
{
    const Ranking r = rank(labels, scores);
    const GroupCounts c = countAll(r, labels);
    BinaryMetrics m;
    m.threshold = threshold;
    m.confusion = confusionOf(c, groupsAtOrAbove(r, threshold));
    m.values["roc_auc"] = aucOf(c);
    m.values["pr_auc"] = averagePrecisionOf(c);
    fillThresholdMetrics(m.confusion, m.values);
    return m;
}

std::map<std::string, MetricInterval> bootstrapMetrics(const std::vector<int>& labels,
                                                       const std::vector<float>& scores, double threshold,
                                                       int resamples, std::uint64_t seed, double level)
{
    if (resamples < 1) throw Error("bootstrap needs at least one resample, got " + std::to_string(resamples));
    if (!(level > 0 && level < 1))
        throw Error("bootstrap level must be in (0, 1), got " + std::to_string(level));
    const Ranking r = rank(labels, scores);
    const GroupCounts full = countAll(r, labels);
    const std::size_t k = groupsAtOrAbove(r, threshold);
    const std::size_t n = labels.size();

    std::map<std::string, double> point;
    point["roc_auc"] = aucOf(full);
    point["pr_auc"] = averagePrecisionOf(full);
    fillThresholdMetrics(confusionOf(full, k), point);

    std::map<std::string, std::vector<double>> draws;
    for (const auto& entry : point)
        draws[entry.first].reserve(std::size_t(resamples));

    SplitMix64 rng(seed);
    GroupCounts c;
    std::map<std::string, double> values;
    for (int b = 0; b < resamples && n > 0; ++b) {
        c.pos.assign(r.scores.size(), 0);
        c.neg.assign(r.scores.size(), 0);
        c.positives = 0;
        for (std::size_t j = 0; j < n; ++j) {
            const std::size_t i = std::size_t(rng.below(n));
            if (labels[i]) {
                c.pos[r.group[i]]++;
                c.positives++;
            } else {
                c.neg[r.group[i]]++;
            }
        }
        c.negatives = std::int64_t(n) - c.positives;
        // A one-class resample has no AUCs; skipping it (rather than counting AP = 1 for all-positive
        // resamples) keeps both AUC intervals over the same resamples.
        const bool bothClasses = c.positives > 0 && c.negatives > 0;
        values.clear();
        values["roc_auc"] = bothClasses ? aucOf(c) : kNaN;
        values["pr_auc"] = bothClasses ? averagePrecisionOf(c) : kNaN;
        fillThresholdMetrics(confusionOf(c, k), values);
        for (const auto& [name, v] : values)
            if (!std::isnan(v)) draws[name].push_back(v);
    }

    std::map<std::string, MetricInterval> out;
    for (auto& [name, v] : draws) {
        std::sort(v.begin(), v.end());
        MetricInterval m;
        m.value = point[name];
        m.low = percentile(v, (1 - level) / 2);
        m.high = percentile(v, (1 + level) / 2);
        out[name] = m;
    }
    return out;
}

} // namespace rm
