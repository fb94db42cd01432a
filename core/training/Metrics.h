#pragma once
// Binary-classification metrics over (label, score) pairs, defined exactly as scikit-learn defines them so
// that our numbers and sklearn's agree on the same scores (tests/core/training/test_metrics.cpp checks
// against /usr/bin/python3 + python3-sklearn):
//   rocAuc            = sklearn.metrics.roc_auc_score        (ties in score count half)
//   averagePrecision  = sklearn.metrics.average_precision_score  (our "pr_auc")
//   rocCurve          = sklearn.metrics.roc_curve(drop_intermediate=False)
//   prCurve           = sklearn.metrics.precision_recall_curve
// A sample is predicted positive when score >= threshold. Labels are 0 or 1; anything else, or a NaN score,
// is an rm::Error naming the sample index. Metrics that are undefined for the input (AUC with one class, the
// precision of no positive predictions) are NaN, never an exception, so a tiny split does not abort a run.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace rm {

struct Curve
{
    std::vector<double> x;          // ROC: false-positive rate; PR: recall
    std::vector<double> y;          // ROC: true-positive rate;  PR: precision
    std::vector<double> thresholds; // the score each point is taken at (sklearn's conventions)
};

struct ConfusionMatrix
{
    std::int64_t tp = 0, fp = 0, tn = 0, fn = 0;
};

// The names used everywhere (metrics table, reports, GUI): "roc_auc", "pr_auc", "accuracy", "precision",
// "recall", "f1". Values at one threshold.
struct BinaryMetrics
{
    double threshold = 0.5;
    ConfusionMatrix confusion;
    std::map<std::string, double> values;
};

// A metric with its bootstrap confidence interval (percentile method).
struct MetricInterval
{
    double value = 0, low = 0, high = 0;
};

double rocAuc(const std::vector<int>& labels, const std::vector<float>& scores);
double averagePrecision(const std::vector<int>& labels, const std::vector<float>& scores);
Curve rocCurve(const std::vector<int>& labels, const std::vector<float>& scores);
Curve prCurve(const std::vector<int>& labels, const std::vector<float>& scores);
ConfusionMatrix confusionAt(const std::vector<int>& labels, const std::vector<float>& scores,
                            double threshold);

enum class ThresholdRule
{
    MaxF1,  // the score threshold that maximises F1 (ties: the highest threshold)
    Youden, // maximises TPR - FPR
    Fixed   // 0.5
};
// Chosen on the validation split and then applied to the test split.
double chooseThreshold(const std::vector<int>& labels, const std::vector<float>& scores,
                       ThresholdRule rule = ThresholdRule::MaxF1);

BinaryMetrics computeMetrics(const std::vector<int>& labels, const std::vector<float>& scores,
                             double threshold);

// Resamples the pairs with replacement `resamples` times (deterministic from seed) and returns every metric
// of computeMetrics with its (1-level)/2 and (1+level)/2 percentiles; resamples with one class only are
// skipped for the AUCs. value is the metric on the full sample.
std::map<std::string, MetricInterval> bootstrapMetrics(const std::vector<int>& labels,
                                                       const std::vector<float>& scores, double threshold,
                                                       int resamples = 1000, std::uint64_t seed = 0,
                                                       double level = 0.95);

} // namespace rm
