#include "training/LogisticRegression.h"

#include "training/CrossValidation.h"
#include "util/Error.h"

#include <algorithm>
#include <cmath>

namespace rm {

namespace {

double sigmoid(double z)
{
    return z >= 0 ? 1 / (1 + std::exp(-z)) : std::exp(z) / (1 + std::exp(z));
}

// Solves A x = b for a symmetric positive definite A (n x n, row-major) by Cholesky; A is overwritten.
std::vector<double> solveSpd(std::vector<double>& a, std::vector<double> b, std::size_t n)
{
    for (std::size_t j = 0; j < n; ++j) {
        double d = a[j * n + j];
        for (std::size_t k = 0; k < j; ++k)
            d -= a[j * n + k] * a[j * n + k];
        if (!(d > 0)) throw Error("logistic regression: the Newton system is singular");
        const double l = std::sqrt(d);
        a[j * n + j] = l;
        for (std::size_t i = j + 1; i < n; ++i) {
            double s = a[i * n + j];
            for (std::size_t k = 0; k < j; ++k)
                s -= a[i * n + k] * a[j * n + k];
            a[i * n + j] = s / l;
        }
    }
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t k = 0; k < i; ++k)
            b[i] -= a[i * n + k] * b[k];
        b[i] /= a[i * n + i];
    }
    for (std::size_t i = n; i-- > 0;) {
        for (std::size_t k = i + 1; k < n; ++k)
            b[i] -= a[k * n + i] * b[k];
        b[i] /= a[i * n + i];
    }
    return b;
}

double logLoss(double p, int y)
{
    const double q = std::clamp(p, 1e-12, 1 - 1e-12);
    return y == 1 ? -std::log(q) : -std::log(1 - q);
}

} // namespace

double LogisticModel::score(const std::vector<double>& f) const
{
    if (f.size() != weights.size())
        throw Error("logistic model: " + std::to_string(f.size()) + " features for a model of " +
                    std::to_string(weights.size()));
    double z = bias;
    for (std::size_t j = 0; j < f.size(); ++j)
        z += weights[j] * (f[j] - mean[j]) / scale[j];
    return sigmoid(z);
}

LogisticModel fitLogistic(const std::vector<std::vector<double>>& x, const std::vector<int>& y, double lambda,
                          const std::vector<double>& rowWeights)
{
    const std::size_t n = x.size();
    if (n == 0) throw Error("logistic regression: no rows");
    if (y.size() != n || (!rowWeights.empty() && rowWeights.size() != n))
        throw Error("logistic regression: rows, labels and weights differ in number");
    const std::size_t d = x[0].size();
    std::size_t positives = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (x[i].size() != d) throw Error("logistic regression: rows have different feature counts");
        positives += y[i] == 1;
    }
    if (positives == 0 || positives == n) throw Error("logistic regression: the rows have one class only");
    if (!(lambda >= 0)) throw Error("logistic regression: lambda must be >= 0");

    LogisticModel m;
    m.lambda = lambda;
    m.mean.assign(d, 0);
    m.scale.assign(d, 1);
    for (std::size_t j = 0; j < d; ++j) {
        double s = 0, sq = 0;
        for (std::size_t i = 0; i < n; ++i)
            s += x[i][j];
        const double mu = s / n;
        for (std::size_t i = 0; i < n; ++i)
            sq += (x[i][j] - mu) * (x[i][j] - mu);
        const double sd = std::sqrt(sq / n);
        m.mean[j] = mu;
        m.scale[j] = sd > 1e-12 ? sd : 1.0;
    }
    std::vector<double> w(n, 1.0);
    if (!rowWeights.empty()) w = rowWeights;
    double wsum = 0;
    for (double v : w)
        wsum += v;
    for (double& v : w)
        v /= wsum;

    // Parameters: d weights then the bias. A tiny ridge on the bias keeps separable data solvable.
    const std::size_t p = d + 1;
    std::vector<double> beta(p, 0.0);
    std::vector<double> z(p);
    auto objective = [&](const std::vector<double>& b) {
        double loss = 0;
        for (std::size_t i = 0; i < n; ++i) {
            double s = b[d];
            for (std::size_t j = 0; j < d; ++j)
                s += b[j] * (x[i][j] - m.mean[j]) / m.scale[j];
            loss += w[i] * logLoss(sigmoid(s), y[i]);
        }
        double reg = 0;
        for (std::size_t j = 0; j < d; ++j)
            reg += b[j] * b[j];
        return loss + lambda / 2 * reg;
    };
    double current = objective(beta);
    for (int iter = 0; iter < 100; ++iter) {
        std::vector<double> grad(p, 0.0), hess(p * p, 0.0);
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < d; ++j)
                z[j] = (x[i][j] - m.mean[j]) / m.scale[j];
            z[d] = 1;
            double s = 0;
            for (std::size_t j = 0; j < p; ++j)
                s += beta[j] * z[j];
            const double prob = sigmoid(s);
            const double g = w[i] * (prob - y[i]);
            const double h = w[i] * prob * (1 - prob);
            for (std::size_t j = 0; j < p; ++j) {
                grad[j] += g * z[j];
                for (std::size_t k = 0; k <= j; ++k)
                    hess[j * p + k] += h * z[j] * z[k];
            }
        }
        for (std::size_t j = 0; j < p; ++j)
            for (std::size_t k = 0; k < j; ++k)
                hess[k * p + j] = hess[j * p + k];
        for (std::size_t j = 0; j < d; ++j) {
            grad[j] += lambda * beta[j];
            hess[j * p + j] += lambda;
        }
        for (std::size_t j = 0; j < p; ++j)
            hess[j * p + j] += 1e-9;
        const std::vector<double> step = solveSpd(hess, grad, p);
        // Damped Newton: halve the step until the objective does not grow (separable data diverge otherwise).
        double t = 1.0;
        std::vector<double> next(p);
        double value = current;
        for (int half = 0; half < 30; ++half, t /= 2) {
            for (std::size_t j = 0; j < p; ++j)
                next[j] = beta[j] - t * step[j];
            value = objective(next);
            if (value <= current) break;
        }
        if (value > current) break;
        beta = next;
        const bool converged = current - value < 1e-10;
        current = value;
        if (converged) break;
    }
    m.weights.assign(beta.begin(), beta.begin() + static_cast<std::ptrdiff_t>(d));
    m.bias = beta[d];
    return m;
}

std::vector<double> defaultLambdaGrid()
{
    std::vector<double> grid;
    for (int e = -8; e <= 4; ++e)
        grid.push_back(std::pow(10.0, e / 2.0));
    return grid;
}

LambdaSearch chooseLambda(const std::vector<std::vector<double>>& x, const std::vector<int>& y,
                          const std::vector<double>& grid, int folds, std::uint64_t seed,
                          const std::vector<double>& rowWeights)
{
    if (grid.empty()) throw Error("logistic regression: no lambda to choose from");
    std::vector<std::size_t> all(x.size());
    for (std::size_t i = 0; i < all.size(); ++i)
        all[i] = i;
    std::size_t positives = 0;
    for (int v : y)
        positives += v == 1;
    const int smaller = static_cast<int>(std::min(positives, y.size() - positives));
    const int k = std::max(2, std::min(folds, smaller));
    const std::vector<int> fold = stratifiedFolds(y, all, k, seed);

    LambdaSearch out;
    out.grid = grid;
    out.meanLogLoss.assign(grid.size(), 0.0);
    for (std::size_t g = 0; g < grid.size(); ++g) {
        double total = 0;
        std::size_t count = 0;
        for (int f = 0; f < k; ++f) {
            std::vector<std::vector<double>> xt;
            std::vector<int> yt;
            std::vector<double> wt;
            for (std::size_t i = 0; i < x.size(); ++i)
                if (fold[i] != f) {
                    xt.push_back(x[i]);
                    yt.push_back(y[i]);
                    if (!rowWeights.empty()) wt.push_back(rowWeights[i]);
                }
            LogisticModel m;
            try {
                m = fitLogistic(xt, yt, grid[g], wt);
            } catch (const Error&) {
                continue; // a training fold with one class: nothing to learn there
            }
            for (std::size_t i = 0; i < x.size(); ++i)
                if (fold[i] == f) {
                    total += logLoss(m.score(x[i]), y[i]);
                    ++count;
                }
        }
        out.meanLogLoss[g] = count ? total / count : INFINITY;
    }
    std::size_t best = 0;
    for (std::size_t g = 1; g < grid.size(); ++g)
        if (out.meanLogLoss[g] < out.meanLogLoss[best]) best = g;
    out.lambda = grid[best];
    return out;
}

} // namespace rm
