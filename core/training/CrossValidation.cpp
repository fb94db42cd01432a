#include "training/CrossValidation.h"

#include "util/Error.h"
#include "util/Random.h"

#include <algorithm>
#include <cmath>

namespace rm {

std::vector<int> stratifiedFolds(const std::vector<int>& labels, const std::vector<std::size_t>& records,
                                 int folds, std::uint64_t seed)
{
    if (folds < 2) throw Error("cross-validation needs at least 2 folds, got " + std::to_string(folds));
    std::vector<int> fold(records.size(), -1);
    for (int cls = 0; cls < 2; ++cls) {
        std::vector<std::size_t> members; // positions in records
        for (std::size_t i = 0; i < records.size(); ++i)
            if (labels.at(records[i]) == cls) members.push_back(i);
        DeterministicRandom rng(mixSeed(seed, 0x5f01d, static_cast<std::uint64_t>(cls)));
        rng.shuffle(members);
        for (std::size_t k = 0; k < members.size(); ++k)
            fold[members[k]] = static_cast<int>(k % static_cast<std::size_t>(folds));
    }
    return fold;
}

std::vector<CvSplit> crossValidationSplits(const std::vector<int>& labels,
                                           const std::vector<std::size_t>& records, int folds, int repeats,
                                           std::uint64_t seed, double valFraction)
{
    if (folds < 2) throw Error("cv_folds must be at least 2, got " + std::to_string(folds));
    if (repeats < 1) throw Error("cv_repeats must be at least 1, got " + std::to_string(repeats));
    if (!(valFraction > 0 && valFraction < 1))
        throw Error("cross-validation: the validation fraction must be in (0, 1)");
    std::size_t counts[2] = {0, 0};
    for (std::size_t r : records) {
        const int l = labels.at(r);
        if (l != 0 && l != 1)
            throw Error("cross-validation: record " + std::to_string(r) + " has no 0/1 label");
        ++counts[l];
    }
    for (int cls = 0; cls < 2; ++cls)
        // A training part needs both classes, and so does a validation part: two of each outside the fold.
        if (counts[cls] < static_cast<std::size_t>(folds) + 2)
            throw Error(std::to_string(folds) + "-fold cross-validation needs at least " +
                        std::to_string(folds + 2) + " galaxies of each class with an image; there are " +
                        std::to_string(counts[cls]) + (cls == 1 ? " rings" : " non-rings") +
                        " (use fewer folds)");

    std::vector<CvSplit> out;
    for (int r = 0; r < repeats; ++r) {
        const std::vector<int> fold = stratifiedFolds(labels, records, folds, mixSeed(seed, 0xc7, r));
        for (int f = 0; f < folds; ++f) {
            CvSplit s;
            s.repeat = r;
            s.fold = f;
            std::vector<std::size_t> rest[2];
            for (std::size_t i = 0; i < records.size(); ++i) {
                if (fold[i] == f)
                    s.test.push_back(records[i]);
                else
                    rest[labels[records[i]]].push_back(records[i]);
            }
            for (int cls = 0; cls < 2; ++cls) {
                DeterministicRandom rng(mixSeed(seed, 0x7a1 + static_cast<std::uint64_t>(r) * 131 + f, cls));
                rng.shuffle(rest[cls]);
                const std::size_t n = rest[cls].size();
                const std::size_t nVal = std::clamp<std::size_t>(
                    static_cast<std::size_t>(std::lround(valFraction * static_cast<double>(n))), 1, n - 1);
                s.val.insert(s.val.end(), rest[cls].begin(), rest[cls].begin() + nVal);
                s.train.insert(s.train.end(), rest[cls].begin() + nVal, rest[cls].end());
            }
            std::sort(s.train.begin(), s.train.end());
            std::sort(s.val.begin(), s.val.end());
            std::sort(s.test.begin(), s.test.end());
            out.push_back(std::move(s));
        }
    }
    return out;
}

std::map<std::string, MetricInterval> pooledCvMetrics(const CvPooledScores& pooled, int folds, int resamples,
                                                      std::uint64_t seed)
{
    const std::size_t n = pooled.labels.size();
    if (pooled.scores.empty()) throw Error("cross-validation: no out-of-fold scores");
    for (const auto& s : pooled.scores)
        if (s.size() != n)
            throw Error("cross-validation: a repeat has " + std::to_string(s.size()) + " scores for " +
                        std::to_string(n) + " galaxies");
    std::size_t positives = 0;
    for (int l : pooled.labels)
        positives += l == 1;
    if (positives == 0 || positives == n)
        throw Error("cross-validation: the scored galaxies have one class only");

    auto meanOver = [&](const std::vector<std::size_t>* pick) {
        double auc = 0, ap = 0;
        std::vector<int> labels;
        std::vector<float> scores;
        for (const auto& s : pooled.scores) {
            if (pick) {
                labels.clear();
                scores.clear();
                for (std::size_t i : *pick) {
                    labels.push_back(pooled.labels[i]);
                    scores.push_back(s[i]);
                }
            }
            const std::vector<int>& l = pick ? labels : pooled.labels;
            const std::vector<float>& v = pick ? scores : s;
            auc += rocAuc(l, v);
            ap += averagePrecision(l, v);
        }
        const double k = static_cast<double>(pooled.scores.size());
        return std::pair<double, double>(auc / k, ap / k);
    };

    const auto [auc, ap] = meanOver(nullptr);
    std::vector<double> aucDraws, apDraws;
    DeterministicRandom rng(mixSeed(seed, 0xb007, 0));
    std::vector<std::size_t> pick(n);
    for (int b = 0; b < resamples; ++b) {
        std::size_t pos = 0;
        for (std::size_t j = 0; j < n; ++j) {
            pick[j] = static_cast<std::size_t>(rng.below(n));
            pos += pooled.labels[pick[j]] == 1;
        }
        if (pos == 0 || pos == n) continue; // no AUC on one class
        const auto [a, p] = meanOver(&pick);
        aucDraws.push_back(a);
        apDraws.push_back(p);
    }
    auto interval = [](double value, std::vector<double> draws) {
        if (draws.empty()) return MetricInterval{value, value, value};
        std::sort(draws.begin(), draws.end());
        auto q = [&](double f) {
            const double at = f * static_cast<double>(draws.size() - 1);
            const std::size_t lo = static_cast<std::size_t>(std::floor(at));
            const std::size_t hi = std::min(draws.size() - 1, lo + 1);
            return draws[lo] + (draws[hi] - draws[lo]) * (at - static_cast<double>(lo));
        };
        return MetricInterval{value, q(0.025), q(0.975)};
    };

    std::map<std::string, MetricInterval> out;
    out["roc_auc"] = interval(auc, aucDraws);
    out["pr_auc"] = interval(ap, apDraws);
    auto exact = [&](const char* name, double v) { out[name] = {v, v, v}; };
    double mean = 0, sq = 0;
    std::size_t finite = 0;
    for (double a : pooled.foldAucs)
        if (std::isfinite(a)) {
            mean += a;
            sq += a * a;
            ++finite;
        }
    mean = finite ? mean / static_cast<double>(finite) : NAN;
    const double sd = finite > 1 ? std::sqrt(std::max(0.0, (sq - finite * mean * mean) / (finite - 1))) : NAN;
    exact("fold_roc_auc_mean", mean);
    exact("fold_roc_auc_sd", sd);
    exact("folds", folds);
    exact("repeats", static_cast<double>(pooled.scores.size()));
    exact("count", static_cast<double>(n));
    exact("positives", static_cast<double>(positives));
    return out;
}

} // namespace rm
