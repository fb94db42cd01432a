#pragma once
// L2-regularised logistic regression for the feature baseline: features standardised on the training rows,
// Newton's method (a few dozen features, a few thousand rows at most, so an exact solve per step is cheap),
// optional per-row weights (class balancing), and the regularisation strength chosen by stratified inner
// cross-validation. Plain C++: it trains in milliseconds and needs no torch.
#include <cstdint>
#include <vector>

namespace rm {

struct LogisticModel
{
    std::vector<double> mean, scale; // standardisation of each feature (scale 1 for a constant feature)
    std::vector<double> weights;     // on standardised features
    double bias = 0;
    double lambda = 0; // the L2 strength it was fitted with

    double score(const std::vector<double>& features) const; // probability of label 1
};

// Minimises  sum_i w_i * logloss_i / sum_i w_i + lambda/2 * |weights|^2  (the bias is not penalised).
// rowWeights empty = all 1. Throws rm::Error for mismatched sizes, no rows, or one class only.
LogisticModel fitLogistic(const std::vector<std::vector<double>>& x, const std::vector<int>& y, double lambda,
                          const std::vector<double>& rowWeights = {});

struct LambdaSearch
{
    double lambda = 0;
    std::vector<double> grid;
    std::vector<double> meanLogLoss; // held-out, per grid value (unweighted)
};

// The lambda of `grid` with the lowest mean held-out log loss under stratified `folds`-fold cross-validation
// (deterministic from seed; folds reduced to the smaller class's count when that is lower, at least 2).
LambdaSearch chooseLambda(const std::vector<std::vector<double>>& x, const std::vector<int>& y,
                          const std::vector<double>& grid, int folds, std::uint64_t seed,
                          const std::vector<double>& rowWeights = {});

// 10^-4 .. 10^2 in half decades.
std::vector<double> defaultLambdaGrid();

} // namespace rm
