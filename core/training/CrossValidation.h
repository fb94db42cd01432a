#pragma once
// Cross-validated evaluation for small label sets, where one fixed test split is noise (about +-0.06 ROC AUC
// on 56 galaxies). A cell with cv_folds = k trains k * cv_repeats extra models: in each repeat the galaxies
// with an image are dealt into k folds, stratified by label; each fold is held out once while the rest is
// split into training and a stratified validation part (early stopping, threshold). Every galaxy is scored
// once per repeat by the model that never saw it, and the metrics are computed on these pooled out-of-fold
// scores (averaged over repeats) with bootstrap intervals over galaxies. Folds depend on the seed alone, so
// a resumed or re-run experiment gets the same folds. Plain C++, no torch.
#include "training/Metrics.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace rm {

// Fold (0 .. folds-1) of each of `records`, stratified by labels[record] (0/1): each class is shuffled
// (deterministic from seed) and dealt round-robin, so fold sizes differ by at most one per class.
std::vector<int> stratifiedFolds(const std::vector<int>& labels, const std::vector<std::size_t>& records,
                                 int folds, std::uint64_t seed);

struct CvSplit
{
    int repeat = 0, fold = 0;
    std::vector<std::size_t> train, val, test; // record indices, ascending
};

// Every (repeat, fold) split of `records` (the galaxies with an image): repeat r deals folds with
// mixSeed(seed, r); within a split, valFraction of the non-held-out galaxies of each class (at least one)
// is the validation part. Throws rm::Error when a class has fewer galaxies than folds, or folds < 2.
std::vector<CvSplit> crossValidationSplits(const std::vector<int>& labels,
                                           const std::vector<std::size_t>& records, int folds, int repeats,
                                           std::uint64_t seed, double valFraction = 0.15);

// The pooled out-of-fold evaluation of a cell: labels of the scored galaxies, and per repeat each galaxy's
// score from the fold model that held it out (same galaxy order in every repeat).
struct CvPooledScores
{
    std::vector<int> labels;
    std::vector<std::vector<float>> scores; // [repeat][galaxy]
    std::vector<double> foldAucs;           // ROC AUC of each fold's model on its held-out fold
};

// "roc_auc" and "pr_auc" (mean over repeats of the pooled out-of-fold value, with a percentile bootstrap
// interval over galaxies), "fold_roc_auc_mean"/"fold_roc_auc_sd" (across folds), "folds", "repeats",
// "count", "positives". Throws rm::Error when the scores are inconsistent or have one class only.
std::map<std::string, MetricInterval> pooledCvMetrics(const CvPooledScores& pooled, int folds,
                                                      int resamples = 1000, std::uint64_t seed = 0);

} // namespace rm
