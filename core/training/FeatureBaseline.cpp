#include "training/FeatureBaseline.h"

#include "imaging/ProfileFeatures.h"
#include "models/Safetensors.h"
#include "models/WeightsIO.h"
#include "training/BatchLoader.h"
#include "training/LogisticRegression.h"
#include "training/Metrics.h"
#include "util/Error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <sstream>

namespace rm {

namespace {

namespace fs = std::filesystem;

constexpr const char* kMetaLambda = "ringminer.lambda";
constexpr const char* kMetaFeatures = "ringminer.features";

struct LoadedModel
{
    LogisticModel model;
    FeatureModelInfo info;
};

LoadedModel loadFeatureModel(const std::string& path)
{
    SafetensorsFile file(path);
    const auto& meta = file.metadata();
    auto arch = meta.find(kMetaArch);
    if (arch == meta.end() || arch->second != kFeatureBaselineArch)
        throw InputError(path, 0, "", "is not a profile_lr feature model");
    LoadedModel out;
    try {
        out.info.channels = std::stoi(meta.at(kMetaInChannels));
        out.info.lambda = std::stod(meta.at(kMetaLambda));
        out.info.names = nlohmann::json::parse(meta.at(kMetaFeatures)).get<std::vector<std::string>>();
    } catch (const std::exception&) {
        throw InputError(path, 0, "", "has unreadable feature-model metadata");
    }
    auto vec = [&](const char* name) {
        const std::vector<float> v = file.toFloat(file.at(name));
        return std::vector<double>(v.begin(), v.end());
    };
    // Stored as F64; toFloat would lose digits, so read the doubles directly.
    auto doubles = [&](const char* name) {
        const TensorInfo& t = file.at(name);
        if (t.dtype != TensorDType::F64) return vec(name);
        std::vector<double> v(static_cast<std::size_t>(t.numel()));
        std::memcpy(v.data(), file.data(t), v.size() * sizeof(double));
        return v;
    };
    out.model.weights = doubles("profile_lr.weight");
    out.model.mean = doubles("profile_lr.feature_mean");
    out.model.scale = doubles("profile_lr.feature_scale");
    const std::vector<double> bias = doubles("profile_lr.bias");
    const std::size_t d = out.info.names.size();
    if (out.model.weights.size() != d || out.model.mean.size() != d || out.model.scale.size() != d ||
        bias.size() != 1)
        throw InputError(path, 0, "",
                         "has feature-model tensors of the wrong size for " + std::to_string(d) +
                             " features");
    out.model.bias = bias[0];
    out.model.lambda = out.info.lambda;
    out.info.weights = out.model.weights;
    out.info.bias = out.model.bias;
    return out;
}

void saveFeatureModel(const LogisticModel& m, int channels, const std::vector<std::string>& names,
                      const std::string& path)
{
    const std::int64_t d = static_cast<std::int64_t>(m.weights.size());
    const double bias = m.bias;
    std::vector<TensorToWrite> tensors = {
        {"profile_lr.weight", {d}, TensorDType::F64, m.weights.data()},
        {"profile_lr.bias", {1}, TensorDType::F64, &bias},
        {"profile_lr.feature_mean", {d}, TensorDType::F64, m.mean.data()},
        {"profile_lr.feature_scale", {d}, TensorDType::F64, m.scale.data()},
    };
    std::ostringstream lambda;
    lambda.precision(17);
    lambda << m.lambda;
    writeSafetensors(path, tensors,
                     {{kMetaArch, kFeatureBaselineArch},
                      {kMetaInChannels, std::to_string(channels)},
                      {kMetaLambda, lambda.str()},
                      {kMetaFeatures, nlohmann::json(names).dump()}});
}

double weightedLogLoss(const LogisticModel& m, const std::vector<std::vector<double>>& x,
                       const std::vector<int>& y)
{
    double total = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double p = std::clamp(m.score(x[i]), 1e-12, 1 - 1e-12);
        total += y[i] == 1 ? -std::log(p) : -std::log(1 - p);
    }
    return x.empty() ? std::numeric_limits<double>::quiet_NaN() : total / static_cast<double>(x.size());
}

} // namespace

bool isFeatureModelFile(const std::string& weightsPath)
{
    try {
        SafetensorsFile file(weightsPath);
        auto it = file.metadata().find(kMetaArch);
        return it != file.metadata().end() && it->second == kFeatureBaselineArch;
    } catch (const std::exception&) {
        return false;
    }
}

std::vector<std::vector<double>> recordFeatures(const RecordSource& source,
                                                const std::vector<std::size_t>& indices,
                                                const ViewParams& view,
                                                const std::function<bool()>& cancelled)
{
    BatchLoaderOptions options;
    options.batchSize = 64;
    options.view = view;
    options.view.augment = false;
    options.view.normalisation = Normalisation{}; // pixels in [0, 1]: the colour ratios need them unshifted
    options.shuffle = false;
    options.prefetchNextEpoch = false;
    std::shared_ptr<const RecordSource> borrowed(&source, [](const RecordSource*) {});
    BatchLoader loader(borrowed, indices, options);
    std::vector<std::size_t> positions;
    for (std::size_t p = 0; p < indices.size(); ++p)
        if (source.available(indices[p])) positions.push_back(p);
    std::vector<std::vector<double>> out(indices.size());
    loader.startEpoch(0);
    std::size_t served = 0;
    while (std::optional<Batch> batch = loader.next()) {
        if (cancelled && cancelled()) return {};
        for (int i = 0; i < batch->size; ++i, ++served)
            if (batch->valid[i])
                out[positions[served]] =
                    profileFeatures(batch->sample(i), batch->channels, batch->height, batch->width);
        loader.recycle(std::move(*batch));
    }
    return out;
}

TrainResult trainFeatureBaseline(const TrainConfig& config, const TrainData& data, const std::string& workDir,
                                 const TrainCallbacks& callbacks)
{
    const auto start = std::chrono::steady_clock::now();
    auto log = [&](const std::string& text) {
        if (callbacks.log) callbacks.log(text);
    };
    auto gather = [&](const std::vector<std::size_t>& split, std::vector<std::vector<double>>& x,
                      std::vector<int>& y) {
        std::vector<std::vector<double>> f =
            recordFeatures(*data.source, split, config.view, callbacks.cancelled);
        if (f.empty() && !split.empty()) return false;
        for (std::size_t i = 0; i < split.size(); ++i)
            if (!f[i].empty()) {
                x.push_back(std::move(f[i]));
                y.push_back(data.labels[split[i]]);
            }
        return true;
    };
    TrainResult result;
    result.device = "cpu";
    result.bestWeightsPath = (fs::path(workDir) / "best.safetensors").string();
    std::vector<std::vector<double>> xTrain, xVal;
    std::vector<int> yTrain, yVal;
    if (!gather(data.train, xTrain, yTrain) || !gather(data.val, xVal, yVal)) {
        result.cancelled = true;
        return result;
    }
    std::size_t positives = 0;
    for (int l : yTrain)
        positives += l == 1;
    if (positives == 0 || positives == yTrain.size())
        throw Error("profile_lr: the training split has one class only (" + std::to_string(yTrain.size()) +
                    " galaxies with an image)");
    std::vector<double> weights;
    if (config.classWeights) {
        const double wPos = double(yTrain.size() - positives) / double(positives);
        for (int l : yTrain)
            weights.push_back(l == 1 ? wPos : 1.0);
    }
    const LambdaSearch search = chooseLambda(xTrain, yTrain, defaultLambdaGrid(), 5, config.seed, weights);
    const LogisticModel model = fitLogistic(xTrain, yTrain, search.lambda, weights);
    const std::vector<std::string> names = profileFeatureNames(config.view.channels);
    if (names.size() != model.weights.size())
        throw Error("profile_lr: " + std::to_string(model.weights.size()) + " features but " +
                    std::to_string(names.size()) + " names");
    fs::create_directories(workDir);
    saveFeatureModel(model, config.view.channels, names, result.bestWeightsPath);

    EpochEvent ep;
    ep.epoch = 0;
    ep.trainLoss = weightedLogLoss(model, xTrain, yTrain);
    ep.valLoss = weightedLogLoss(model, xVal, yVal);
    std::vector<float> valScores;
    for (const auto& f : xVal)
        valScores.push_back(static_cast<float>(model.score(f)));
    ep.valAuc = rocAuc(yVal, valScores);
    ep.learningRate = 0;
    ep.best = true;
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ep.seconds = result.seconds;
    std::ostringstream m;
    m << "profile_lr: " << names.size() << " features, lambda " << search.lambda
      << " chosen by inner cross-validation on " << xTrain.size() << " training galaxies";
    log(m.str());
    if (callbacks.onEpoch) callbacks.onEpoch(ep);
    result.epochsRun = 1;
    result.bestEpoch = 0;
    result.bestValLoss = ep.valLoss;
    result.history = {ep};
    result.trainImagesPerSecond = result.seconds > 0 ? xTrain.size() / result.seconds : 0;
    return result;
}

FeatureModelInfo readFeatureModel(const std::string& weightsPath)
{
    return loadFeatureModel(weightsPath).info;
}

std::vector<FeatureContribution> explainFeatureModel(const std::string& weightsPath,
                                                     const RecordSource& source, std::size_t index,
                                                     const ViewParams& view, double* bias)
{
    const LoadedModel loaded = loadFeatureModel(weightsPath);
    if (loaded.info.channels != view.channels)
        throw Error("'" + weightsPath + "' takes " + std::to_string(loaded.info.channels) +
                    "-channel images but the view gives " + std::to_string(view.channels));
    const std::vector<std::vector<double>> f = recordFeatures(source, {index}, view);
    if (f.empty() || f[0].empty()) throw Error("record '" + source.key(index) + "' has no usable image");
    std::vector<FeatureContribution> out;
    const LogisticModel& m = loaded.model;
    for (std::size_t j = 0; j < f[0].size(); ++j) {
        FeatureContribution c;
        c.name = loaded.info.names.at(j);
        c.value = f[0][j];
        c.standardised = (c.value - m.mean[j]) / m.scale[j];
        c.weight = m.weights[j];
        c.contribution = c.weight * c.standardised;
        out.push_back(c);
    }
    if (bias) *bias = m.bias;
    return out;
}

std::vector<float> featureModelScores(const std::string& weightsPath, const RecordSource& source,
                                      const std::vector<std::size_t>& indices, const ViewParams& view,
                                      const std::function<bool()>& cancelled)
{
    const LoadedModel loaded = loadFeatureModel(weightsPath);
    if (loaded.info.channels != view.channels)
        throw Error("predict: '" + weightsPath + "' takes " + std::to_string(loaded.info.channels) +
                    "-channel images but the view gives " + std::to_string(view.channels));
    const std::vector<std::vector<double>> f = recordFeatures(source, indices, view, cancelled);
    if (f.empty() && !indices.empty()) return {};
    std::vector<float> scores(indices.size(), std::numeric_limits<float>::quiet_NaN());
    for (std::size_t i = 0; i < f.size(); ++i)
        if (!f[i].empty()) scores[i] = static_cast<float>(loaded.model.score(f[i]));
    return scores;
}

} // namespace rm
