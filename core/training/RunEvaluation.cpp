#include "training/RunEvaluation.h"

#include "cache/DecodedCache.h"
#include "targets/TargetSetBuilder.h"
#include "training/Predict.h"
#include "training/RunStore.h"
#include "training/TargetImages.h"
#include "util/Error.h"
#include "util/Sha256.h"

#include <cmath>
#include <filesystem>

namespace rm {

std::map<std::string, MetricInterval> splitMetrics(const std::vector<int>& labels,
                                                   const std::vector<float>& scores, double threshold,
                                                   int resamples, std::uint64_t seed)
{
    std::map<std::string, MetricInterval> out;
    const BinaryMetrics m = computeMetrics(labels, scores, threshold);
    if (resamples > 0) {
        out = bootstrapMetrics(labels, scores, threshold, resamples, seed);
    } else {
        for (const auto& [name, value] : m.values)
            out[name] = {value, value, value};
    }
    auto exact = [&](const std::string& name, double v) { out[name] = {v, v, v}; };
    exact("threshold", threshold);
    exact("tp", static_cast<double>(m.confusion.tp));
    exact("fp", static_cast<double>(m.confusion.fp));
    exact("tn", static_cast<double>(m.confusion.tn));
    exact("fn", static_cast<double>(m.confusion.fn));
    exact("count", static_cast<double>(labels.size()));
    std::size_t positives = 0;
    for (int l : labels)
        positives += l == 1;
    exact("positives", static_cast<double>(positives));
    return out;
}

std::optional<RunOutcome> evaluateRun(const EvaluationInput& in)
{
    if (!in.images || !in.images->cache) throw Error("evaluation: no images");
    const TargetImages& images = *in.images;
    ViewParams view = in.config.view;
    view.augment = false;

    struct SplitScores
    {
        const char* name;
        const std::vector<std::size_t>* records;
        std::vector<std::size_t> scored; // records that got a finite score
        std::vector<int> labels;
        std::vector<float> scores;
    };
    SplitScores splits[] = {{"train", &images.data.train, {}, {}, {}},
                            {"val", &images.data.val, {}, {}, {}},
                            {"test", &images.test, {}, {}, {}}};
    for (auto& s : splits) {
        const std::vector<float> scores = predictScores(in.weightsPath, *images.cache, *s.records, view,
                                                        in.config.batchSize, in.config.device, in.cancelled);
        if (in.cancelled && in.cancelled()) return std::nullopt;
        if (scores.size() != s.records->size())
            throw Error("evaluation: " + std::to_string(scores.size()) + " scores for " +
                        std::to_string(s.records->size()) + " " + s.name + " records");
        for (std::size_t i = 0; i < scores.size(); ++i) {
            if (!std::isfinite(scores[i])) continue;
            const std::size_t record = (*s.records)[i];
            s.scored.push_back(record);
            s.labels.push_back(images.targets[record].label);
            s.scores.push_back(scores[i]);
        }
        if (s.scored.empty())
            throw Error(std::string("evaluation: no ") + s.name + " target could be scored");
    }

    RunOutcome o;
    const double threshold = chooseThreshold(splits[1].labels, splits[1].scores, ThresholdRule::MaxF1);
    for (auto& s : splits) {
        // Confidence intervals where they are read: validation (model choice) and test (the result).
        const bool heldOut = std::string(s.name) != "train";
        o.metrics[s.name] =
            splitMetrics(s.labels, s.scores, threshold, heldOut ? in.bootstrapResamples : 0, in.config.seed);
        if (std::string(s.name) != "train") {
            o.curves.push_back({s.name, "roc", rocCurve(s.labels, s.scores)});
            o.curves.push_back({s.name, "pr", prCurve(s.labels, s.scores)});
        }
        for (std::size_t i = 0; i < s.scored.size(); ++i) {
            const Target& t = images.targets[s.scored[i]];
            StoredPrediction p;
            p.targetIdx = static_cast<std::int64_t>(s.scored[i]);
            p.split = s.name;
            p.label = t.label;
            p.score = s.scores[i];
            p.catalogId = t.catalogId;
            p.row = t.row;
            o.predictions.push_back(p);
        }
    }
    o.weightsPath = std::filesystem::absolute(in.weightsPath).lexically_normal().string();
    o.weightsSha256 = sha256File(in.weightsPath);
    return o;
}

} // namespace rm
