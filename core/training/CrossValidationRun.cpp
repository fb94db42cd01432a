#include "training/CrossValidationRun.h"

#include "cache/DecodedCache.h"
#include "targets/TargetSetBuilder.h"
#include "training/CrossValidation.h"
#include "training/Predict.h"
#include "training/RunStore.h"
#include "training/TargetImages.h"
#include "training/UnlabelledPool.h"
#include "util/Error.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace rm {

CrossValidationResult runCrossValidation(const CrossValidationInput& in)
{
    if (!in.images || !in.images->cache || !in.runs) throw Error("cross-validation: no images or run store");
    const TargetImages& images = *in.images;
    const TrainConfig& config = in.config;
    auto log = [&](const std::string& text) {
        if (in.callbacks.log) in.callbacks.log(text);
    };

    // Every galaxy with an image takes part, whatever its fixed split.
    const std::vector<std::size_t> records = recordsWithImages(images);
    const std::vector<CvSplit> splits =
        crossValidationSplits(images.data.labels, records, config.cvFolds, config.cvRepeats, config.seed);

    std::set<std::pair<int, int>> done;
    for (const CvFoldRecord& f : in.runs->cvFolds(in.runId))
        done.insert({f.repeat, f.fold});

    CrossValidationResult result;
    const fs::path cvDir = fs::path(in.runDir) / "cv";
    ViewParams evalView = config.view;
    evalView.augment = false;
    for (const CvSplit& split : splits) {
        if (done.count({split.repeat, split.fold})) continue;
        std::ostringstream name;
        name << "cv fold " << split.fold + 1 << "/" << config.cvFolds;
        if (config.cvRepeats > 1) name << " of repeat " << split.repeat + 1 << "/" << config.cvRepeats;
        const std::string label = name.str();
        log(label + ": training on " + std::to_string(split.train.size()) + ", validating on " +
            std::to_string(split.val.size()) + ", holding out " + std::to_string(split.test.size()));

        const auto start = std::chrono::steady_clock::now();
        TrainData data;
        data.source = images.data.source;
        data.labels = images.data.labels;
        data.train = split.train;
        data.val = split.val;
        if (config.semiSupervised.enabled()) {
            if (!in.unlabelled)
                throw Error("cross-validation: the cell is semi-supervised but has no unlabelled pool");
            addUnlabelled(data, *in.unlabelled, images, split.test, config.semiSupervised.includeEvalFolds,
                          log);
        }
        const fs::path foldDir =
            cvDir / ("r" + std::to_string(split.repeat) + "f" + std::to_string(split.fold));
        Trainer trainer(config, data, foldDir.string());
        TrainCallbacks callbacks;
        callbacks.cancelled = in.callbacks.cancelled;
        callbacks.stopAfterEpoch = in.callbacks.stopAfterEpoch;
        callbacks.onEpoch = [&](const EpochEvent& ep) {
            std::ostringstream m;
            m.precision(3);
            m << label << ": epoch " << ep.epoch + 1 << "/" << config.epochs << ", train loss "
              << ep.trainLoss << ", val loss " << ep.valLoss << ", val AUC " << ep.valAuc;
            log(m.str());
        };
        const TrainResult trained = trainer.run(callbacks);
        if (trained.paused) {
            result.paused = true;
            return result;
        }
        if (trained.cancelled) {
            result.cancelled = true;
            return result;
        }
        const std::vector<float> scores =
            predictScores(trained.bestWeightsPath, *images.cache, split.test, evalView, config.batchSize,
                          config.device, in.callbacks.cancelled);
        if (in.callbacks.cancelled && in.callbacks.cancelled()) {
            result.cancelled = true;
            return result;
        }
        std::vector<CvPrediction> predictions;
        std::vector<int> labels;
        std::vector<float> values;
        for (std::size_t i = 0; i < split.test.size(); ++i) {
            if (!std::isfinite(scores.at(i))) continue;
            CvPrediction p;
            p.repeat = split.repeat;
            p.fold = split.fold;
            p.targetIdx = static_cast<std::int64_t>(split.test[i]);
            p.label = images.data.labels[split.test[i]];
            p.score = scores[i];
            predictions.push_back(p);
            labels.push_back(p.label);
            values.push_back(p.score);
        }
        CvFoldRecord record;
        record.repeat = split.repeat;
        record.fold = split.fold;
        record.trainCount = static_cast<std::int64_t>(split.train.size());
        record.valCount = static_cast<std::int64_t>(split.val.size());
        record.testCount = static_cast<std::int64_t>(predictions.size());
        record.rocAuc = rocAuc(labels, values);
        record.epochs = trained.epochsRun;
        record.bestEpoch = trained.bestEpoch;
        record.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        in.runs->recordCvFold(in.runId, record, predictions);
        ++result.foldsTrained;
        std::ostringstream m;
        m.precision(3);
        m << label << ": held-out ROC AUC " << record.rocAuc << " on " << predictions.size() << " galaxies";
        log(m.str());
        std::error_code ec;
        fs::remove_all(foldDir, ec); // its scores are recorded; the weights are not needed again
    }

    // Pool: every repeat must have scored the same galaxies (a galaxy that failed to load in one fold's
    // scoring is left out of all repeats, so the repeats stay comparable).
    const std::vector<CvPrediction> all = in.runs->cvPredictions(in.runId);
    std::map<std::int64_t, std::vector<float>> byTarget;
    std::map<std::int64_t, int> labelOf;
    for (const CvPrediction& p : all) {
        auto& v = byTarget[p.targetIdx];
        v.resize(static_cast<std::size_t>(config.cvRepeats), NAN);
        if (p.repeat < config.cvRepeats) v[static_cast<std::size_t>(p.repeat)] = p.score;
        labelOf[p.targetIdx] = p.label;
    }
    CvPooledScores pooled;
    pooled.scores.assign(static_cast<std::size_t>(config.cvRepeats), {});
    for (const auto& [target, v] : byTarget) {
        if (std::any_of(v.begin(), v.end(), [](float s) { return !std::isfinite(s); })) continue;
        pooled.labels.push_back(labelOf[target]);
        for (std::size_t r = 0; r < v.size(); ++r)
            pooled.scores[r].push_back(v[r]);
    }
    for (const CvFoldRecord& f : in.runs->cvFolds(in.runId))
        pooled.foldAucs.push_back(f.rocAuc);
    result.metrics = pooledCvMetrics(pooled, config.cvFolds, in.bootstrapResamples, config.seed);
    std::vector<int> labels;
    std::vector<float> scores;
    for (const auto& s : pooled.scores) {
        labels.insert(labels.end(), pooled.labels.begin(), pooled.labels.end());
        scores.insert(scores.end(), s.begin(), s.end());
    }
    result.curves.push_back({"cv", "roc", rocCurve(labels, scores)});
    result.curves.push_back({"cv", "pr", prCurve(labels, scores)});
    std::error_code ec;
    fs::remove_all(cvDir, ec);
    return result;
}

} // namespace rm
