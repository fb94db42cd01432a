#pragma once
// Trains one RingClassifier on one split of a record source (normally the decoded-image cache), on the GPU
// when there is one. Long-running and cancellable; reports every step and epoch through callbacks, which run
// on the calling (worker) thread. Deliberately free of torch headers so the run queue and the GUI can
// include it.
//
// The working directory holds everything the run needs to resume exactly after a kill: checkpoint.safetensors
// (weights + optimizer state + schedule/early-stopping state in its metadata, written atomically every epoch)
// and best.safetensors (the weights with the lowest validation loss, in saveModel() format). run() on a
// directory with a checkpoint continues from it; a finished run's directory gives the same result again.
#include "training/TrainConfig.h"

#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace rm {

class RecordSource;

struct TrainData
{
    std::shared_ptr<const RecordSource> source;
    std::vector<int> labels;        // per record of source: 0 or 1 (-1 = not used)
    std::vector<std::size_t> train; // record indices
    std::vector<std::size_t> val;   // record indices (early stopping, threshold choice)
    // Semi-supervised training (config.semiSupervised): the unlabelled pool, any image size (rendered to
    // the run's view), and the records of it to draw from. Needed when the config enables it.
    std::shared_ptr<const RecordSource> unlabelled;
    std::vector<std::size_t> unlabelledRecords;
};

struct StepEvent
{
    int epoch = 0; // 0-based
    int step = 0;  // 0-based within the epoch
    int stepsPerEpoch = 0;
    double loss = 0;         // this batch's training loss
    double learningRate = 0; // of the head's parameter group
    double imagesPerSecond = 0;
};

struct EpochEvent
{
    int epoch = 0; // 0-based
    double trainLoss = 0;
    double valLoss = 0;
    double valAuc = 0; // NaN when the validation split has one class
    double learningRate = 0;
    double seconds = 0;
    bool best = false; // the lowest validation loss so far (its weights are in best.safetensors)
    // Semi-supervised runs (NaN otherwise): the unlabelled loss (before lambda_u, mean over the epoch's
    // steps) and the fraction of unlabelled images confident enough to be pseudo-labelled.
    double unlabelledLoss = std::numeric_limits<double>::quiet_NaN();
    double maskRate = std::numeric_limits<double>::quiet_NaN();
};

struct TrainCallbacks
{
    std::function<void(const StepEvent&)> onStep;
    std::function<void(const EpochEvent&)> onEpoch;
    std::function<void(const std::string&)> log; // human-readable remarks (device, resumed from epoch N, ...)
    // Polled between steps. Cancel stops within one step; the checkpoint of the last finished epoch stays, so
    // a cancelled run can be resumed.
    std::function<bool()> cancelled;
    // Polled after each finished (and checkpointed) epoch: true stops there, as a pause
    // (TrainResult::paused); run() on the same directory later carries on with the next epoch.
    std::function<bool()> stopAfterEpoch;
};

struct TrainResult
{
    bool cancelled = false;
    bool stoppedEarly = false;
    int epochsRun = 0; // epochs finished, including those before a resume
    int bestEpoch = -1;
    double bestValLoss = 0;
    std::vector<EpochEvent> history; // every finished epoch, including those before a resume
    std::string device;              // "cpu", "cuda:0 (NVIDIA H100 ...)"
    std::string bestWeightsPath;     // workDir/best.safetensors
    double trainImagesPerSecond = 0;
    double seconds = 0;
    // Added by the training engine.
    bool paused = false;             // stopped by stopAfterEpoch (the run can be continued)
    std::int64_t encoderImages = 0;  // images run through the encoder in this call (train, val, embedding)
    double embeddingSeconds = 0;     // head-only: time to compute (or read) the embedding cache in this call
    bool embeddingsFromDisk = false; // head-only: the embeddings came from workDir/embeddings.safetensors
};

class Trainer
{
public:
    // Validates the config and data (throws rm::Error); creates workDir.
    Trainer(TrainConfig config, TrainData data, std::string workDir);
    ~Trainer();
    Trainer(const Trainer&) = delete;
    Trainer& operator=(const Trainer&) = delete;

    TrainResult run(const TrainCallbacks& callbacks = {});

    const TrainConfig& config() const { return m_config; }
    const std::string& workDir() const { return m_workDir; }

private:
    TrainConfig m_config;
    TrainData m_data;
    std::string m_workDir;
};

} // namespace rm
