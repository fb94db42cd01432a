#include "training/Trainer.h"

#include "cache/RecordSource.h"
#include "models/FineTune.h"
#include "models/WeightsIO.h"
#include "training/Checkpoint.h"
#include "training/Device.h"
#include "training/EmbeddingFeeder.h"
#include "training/FeatureBaseline.h"
#include "training/ImageFeeder.h"
#include "training/TrainSession.h"
#include "util/Error.h"
#include "util/Random.h"

#include <torch/utils.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <thread>

namespace rm {

namespace {

namespace fs = std::filesystem;

// Zoobot's n_blocks counts the encoder's stages (timm's coarse groups), not single residual blocks.
constexpr BlockGranularity kNBlocksGranularity = BlockGranularity::Stage;

// Settings that change how fast a run goes but not what it computes (and the cross-validation settings,
// which decide which other models the cell trains, not this one); a checkpoint resumes under other values.
const char* const kExecutionKeys[] = {"device",        "mixed_precision", "channels_last", "loader_threads",
                                      "torch_threads", "cv_folds",        "cv_repeats"};

// Model initialisation draws from LibTorch's global generator: serialise seeding + building so trainers on
// other threads cannot interleave their draws.
std::mutex& initMutex()
{
    static std::mutex m;
    return m;
}

double secondsSince(std::chrono::steady_clock::time_point t)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

std::uint64_t hashData(const TrainData& data)
{
    std::uint64_t h = 0xcbf29ce484222325ull;
    auto mix = [&](std::uint64_t v) {
        std::uint64_t state = h ^ v;
        h = splitMix64(state);
    };
    for (const auto* split : {&data.train, &data.val}) {
        mix(split->size());
        for (std::size_t i : *split) {
            mix(i);
            mix(static_cast<std::uint64_t>(data.labels[i] + 1));
        }
    }
    return h;
}

// The unlabelled pool of a semi-supervised run: its size and which records are drawn (by key, so the same
// images in another cache file are the same pool).
std::uint64_t hashUnlabelled(const TrainData& data)
{
    std::uint64_t h = 0x84222325cbf29ce4ull;
    auto mix = [&](std::uint64_t v) {
        std::uint64_t state = h ^ v;
        h = splitMix64(state);
    };
    mix(data.unlabelledRecords.size());
    for (std::size_t i : data.unlabelledRecords)
        for (unsigned char c : data.unlabelled->key(i) + "\n")
            mix(c);
    return h;
}

nlohmann::json fingerprint(const TrainConfig& config, const TrainData& data)
{
    nlohmann::json j = toJson(config);
    for (const char* key : kExecutionKeys)
        j.erase(key);
    j["data"] = {{"records", data.source->size()},
                 {"train", data.train.size()},
                 {"val", data.val.size()},
                 {"hash", std::to_string(hashData(data))}};
    if (config.semiSupervised.enabled())
        j["data"]["unlabelled"] = {{"records", data.unlabelledRecords.size()},
                                   {"hash", std::to_string(hashUnlabelled(data))}};
    return j;
}

std::string firstDifference(const nlohmann::json& stored, const nlohmann::json& current)
{
    for (const auto& [key, value] : current.items())
        if (!stored.contains(key) || stored.at(key) != value)
            return "'" + key + "' is " + (stored.contains(key) ? stored.at(key).dump() : "absent") +
                   " there and " + value.dump() + " now";
    for (const auto& [key, value] : stored.items())
        if (!current.contains(key)) return "'" + key + "' is no longer set";
    return "unknown difference";
}

void checkSplit(const TrainData& data, const std::vector<std::size_t>& split, const char* name)
{
    if (split.empty()) throw Error(std::string("training data: the ") + name + " split is empty");
    for (std::size_t i : split) {
        if (i >= data.source->size())
            throw Error(std::string("training data: ") + name + " record " + std::to_string(i) +
                        " is out of range (" + std::to_string(data.source->size()) + " records)");
        if (data.labels[i] != 0 && data.labels[i] != 1)
            throw Error(std::string("training data: ") + name + " record " + std::to_string(i) + " ('" +
                        data.source->key(i) + "') has label " + std::to_string(data.labels[i]) +
                        ", not 0 or 1");
    }
}

// negatives / positives over the training images that can be loaded, or 1 without class weights.
double positiveWeight(const TrainConfig& config, const TrainData& data, const TrainSession& session)
{
    if (!config.classWeights) return 1.0;
    std::size_t pos = 0, neg = 0;
    for (std::size_t i : data.train) {
        if (!data.source->available(i)) continue;
        (data.labels[i] == 1 ? pos : neg) += 1;
    }
    if (pos == 0 || neg == 0) {
        session.log("class weights: the training split has only one class; positives are not reweighted");
        return 1.0;
    }
    const double weight = double(neg) / double(pos);
    std::ostringstream m;
    m << "class weights: positives weigh " << weight << " (" << neg << " negatives / " << pos
      << " positives)";
    session.log(m.str());
    return weight;
}

void fillResult(TrainResult& result, const TrainProgress& progress)
{
    result.stoppedEarly = progress.stoppedEarly;
    result.epochsRun = progress.epochsDone;
    result.bestEpoch = progress.bestEpoch;
    result.bestValLoss = progress.bestValLoss;
    result.history = progress.history;
    result.trainImagesPerSecond =
        progress.trainSeconds > 0 ? progress.trainImages / progress.trainSeconds : 0;
}

} // namespace

Trainer::Trainer(TrainConfig config, TrainData data, std::string workDir)
    : m_config(std::move(config)), m_data(std::move(data)), m_workDir(std::move(workDir))
{
    validate(m_config);
    if (!m_data.source) throw Error("training data: no record source");
    if (m_data.labels.size() != m_data.source->size())
        throw Error("training data: " + std::to_string(m_data.labels.size()) + " labels for " +
                    std::to_string(m_data.source->size()) + " records");
    checkSplit(m_data, m_data.train, "training");
    checkSplit(m_data, m_data.val, "validation");
    if (m_config.semiSupervised.enabled()) {
        if (isFeatureBaseline(m_config.model.arch))
            throw Error(
                "training option 'semi_supervised' applies to networks, not to the feature baseline '" +
                m_config.model.arch + "'");
        if (!m_data.unlabelled || m_data.unlabelledRecords.empty())
            throw Error("training option 'semi_supervised' is set but the unlabelled pool is empty");
        for (std::size_t i : m_data.unlabelledRecords)
            if (i >= m_data.unlabelled->size())
                throw Error("training data: unlabelled record " + std::to_string(i) + " is out of range (" +
                            std::to_string(m_data.unlabelled->size()) + " records)");
    }
    if (m_workDir.empty()) throw Error("training: no working directory");
    std::error_code ec;
    fs::create_directories(m_workDir, ec);
    if (ec || !fs::is_directory(m_workDir))
        throw Error("training: cannot create working directory '" + m_workDir + "': " + ec.message());
}

Trainer::~Trainer() = default;

TrainResult Trainer::run(const TrainCallbacks& callbacks)
{
    if (isFeatureBaseline(m_config.model.arch))
        return trainFeatureBaseline(m_config, m_data, m_workDir, callbacks);
    const auto start = std::chrono::steady_clock::now();
    // Grad mode is thread-local: a worker thread that scored something before must not leave it off here.
    torch::AutoGradMode gradMode(true);
    // Debian's LibTorch starts with one intra-op thread (OMP_NUM_THREADS unset), so 0 means every core here
    // rather than "whatever LibTorch defaults to".
    const int threads = m_config.torchThreads > 0
                            ? m_config.torchThreads
                            : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    torch::set_num_threads(threads);

    TrainSession s;
    s.config = m_config;
    s.callbacks = &callbacks;
    s.device = resolveDevice(m_config.device);
    s.autocast = s.device.is_cuda() && m_config.mixedPrecision;
    s.channelsLast = s.device.is_cuda() && m_config.channelsLast;

    TrainResult result;
    result.device = deviceLabel(s.device);
    result.bestWeightsPath = (fs::path(m_workDir) / "best.safetensors").string();
    const std::string checkpointPath = (fs::path(m_workDir) / "checkpoint.safetensors").string();
    const nlohmann::json print = fingerprint(m_config, m_data);

    TrainProgress progress;
    const bool resume = fs::exists(checkpointPath);
    if (resume) {
        CheckpointHeader header = readCheckpointHeader(checkpointPath);
        if (header.fingerprint != print)
            throw Error(
                "'" + checkpointPath + "' is a checkpoint of a different training configuration or data (" +
                firstDifference(header.fingerprint, print) + "); use another working directory or delete it");
        progress = std::move(header.progress);
    }
    auto finished = [&] { return progress.stoppedEarly || progress.epochsDone >= m_config.epochs; };
    if (resume && finished()) {
        s.log("the run in " + m_workDir + " is already finished");
        fillResult(result, progress);
        result.seconds = secondsSince(start);
        return result;
    }
    s.log("training " + m_config.model.arch + " on " + result.device);

    {
        std::lock_guard<std::mutex> lock(initMutex());
        torch::manual_seed(m_config.seed);
        s.model = createModel(m_config.model);
    }
    if (!m_config.pretrained.empty() && !resume)
        s.log("pretrained encoder: " +
              loadEncoderWeights(*s.model->encoder(), m_config.pretrained).summary());
    setFineTuneMode(*s.model, m_config.fineTune, m_config.nBlocks, kNBlocksGranularity);
    s.model->to(s.device);
    if (s.channelsLast) toChannelsLast(*s.model);
    const auto groups = parameterGroups(*s.model, m_config.learningRate, m_config.lrDecay);
    for (const auto& g : groups)
        s.baseLrs.push_back(g.lr);
    s.optimizer = makeAdamW(groups, m_config.weightDecay);
    if (resume) {
        restoreCheckpoint(checkpointPath, *s.model, *s.optimizer);
        s.log("resumed after epoch " + std::to_string(progress.epochsDone) + " from " + checkpointPath);
    }
    s.loss.posWeight = positiveWeight(m_config, m_data, s);
    s.loss.labelSmoothing = m_config.labelSmoothing;

    std::unique_ptr<EpochFeeder> feeder;
    // Semi-supervised steps need fresh views of the unlabelled images through the encoder, so a head-only
    // cell trains from images then, not from the embedding cache.
    if (m_config.fineTune == FineTuneMode::HeadOnly && m_config.embeddingViews > 0 &&
        !m_config.semiSupervised.enabled()) {
        auto embeddings = std::make_unique<EmbeddingFeeder>(
            s, m_data, (fs::path(m_workDir) / "embeddings.safetensors").string());
        const bool ready = embeddings->prepare();
        result.embeddingSeconds = embeddings->prepareSeconds();
        result.embeddingsFromDisk = embeddings->loadedFromDisk();
        if (!ready) {
            result.cancelled = true;
            fillResult(result, progress);
            result.encoderImages = s.encoderImages;
            result.seconds = secondsSince(start);
            return result;
        }
        feeder = std::move(embeddings);
    } else {
        feeder = std::make_unique<ImageFeeder>(s, m_data);
    }
    TrainStepper stepper(s, feeder->stepsPerEpoch());

    while (!finished()) {
        const int epoch = progress.epochsDone;
        const auto epochStart = std::chrono::steady_clock::now();
        // Dropout and drop-path draw from the global generator: seeding it per epoch makes an epoch's draws
        // the same whether the run got here in one go or resumed from a checkpoint.
        torch::manual_seed(mixSeed(m_config.seed, static_cast<std::uint64_t>(epoch), 0x5eedull));
        s.setTrainingMode();
        stepper.beginEpoch(epoch);
        const EpochStats stats = feeder->train(epoch, stepper);
        if (stats.cancelled) {
            result.cancelled = true;
            break;
        }
        const std::optional<Evaluation> eval = feeder->validate(epoch);
        if (!eval) {
            result.cancelled = true;
            break;
        }
        EpochEvent event;
        event.epoch = epoch;
        event.trainLoss = stats.loss;
        event.valLoss = eval->loss;
        event.valAuc = eval->auc;
        event.learningRate = stats.learningRate;
        event.unlabelledLoss = stats.unlabelledLoss;
        event.maskRate = stats.maskRate;
        event.seconds = secondsSince(epochStart);
        progress.trainImages += stats.images;
        progress.trainSeconds += stats.seconds;
        progress.seconds += event.seconds;
        // Best weights first, then the checkpoint that records them: a kill in between redoes this epoch,
        // which gives the same weights again.
        if (progress.addEpoch(event, m_config.patience, m_config.selectBy))
            saveModel(*s.model, result.bestWeightsPath,
                      {{"ringminer.epoch", std::to_string(epoch)},
                       {"ringminer.val_loss", std::to_string(eval->loss)}});
        saveCheckpoint(checkpointPath, *s.model, *s.optimizer, progress, print);
        if (callbacks.onEpoch) callbacks.onEpoch(progress.history.back());
        if (progress.stoppedEarly)
            s.log("stopped early after epoch " + std::to_string(epoch + 1) + ": no better " +
                  (m_config.selectBy == "val_auc" ? "validation AUC" : "validation loss") + " for " +
                  std::to_string(m_config.patience) + " epochs");
        if (!finished() && callbacks.stopAfterEpoch && callbacks.stopAfterEpoch()) {
            result.paused = true;
            break;
        }
    }
    fillResult(result, progress);
    result.encoderImages = s.encoderImages;
    result.seconds = secondsSince(start);
    return result;
}

} // namespace rm
