#pragma once
// What one Trainer::run works with (model, optimiser, device, criterion) and the pieces both ways of feeding
// it share: the optimiser step with its learning-rate schedule and step reports, and the validation summary.
// Private to core/training: it includes torch.
#include "models/FineTune.h"
#include "models/RingClassifier.h"
#include "training/Loss.h"
#include "training/LrSchedule.h"
#include "training/Trainer.h"

#include <torch/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

namespace rm {

struct TrainSession
{
    TrainConfig config;
    torch::Device device{torch::kCPU};
    bool autocast = false;     // bf16 on CUDA
    bool channelsLast = false; // on CUDA
    std::shared_ptr<RingClassifier> model;
    std::unique_ptr<torch::optim::AdamW> optimizer;
    std::vector<double> baseLrs; // per optimiser group; group 0 is the head
    LossOptions loss;
    const TrainCallbacks* callbacks = nullptr;
    std::int64_t encoderImages = 0; // images run through the encoder in this run() call

    bool cancelled() const { return callbacks && callbacks->cancelled && callbacks->cancelled(); }
    void log(const std::string& message) const
    {
        if (callbacks && callbacks->log) callbacks->log(message);
    }
    // Training mode, but a frozen encoder stays entirely in evaluation mode (no drop-path, no BatchNorm
    // updates) so a head-only run sees the same features whether or not they come from the embedding cache.
    void setTrainingMode();
};

// The head on pooled features, exactly as RingClassifier::forward applies it (dropout in training only).
torch::Tensor headLogits(RingClassifier& model, const torch::Tensor& features);

struct EpochStats
{
    double loss = 0; // mean over the samples that loaded
    std::int64_t images = 0;
    double seconds = 0;
    double learningRate = 0; // the head's, at the last step
    bool cancelled = false;
    double unlabelledLoss = std::numeric_limits<double>::quiet_NaN(); // semi-supervised runs
    double maskRate = std::numeric_limits<double>::quiet_NaN();
};

// Runs optimiser steps: sets every group's learning rate from the schedule (per global step), zeroes the
// gradients, runs the forward under autocast, the masked loss, backward and AdamW. Step events are emitted
// one step late, so reading a loss back from the GPU never waits for the step just queued.
class TrainStepper
{
public:
    TrainStepper(TrainSession& session, int stepsPerEpoch);

    void beginEpoch(int epoch);
    // One batch. forward() returns logits [N]; labels and mask are [N] float on the device; validCount is
    // mask.sum(). A batch without a valid sample is skipped (it still counts as a step of the schedule).
    // extraLoss, when given, runs after the supervised forward (under the same autocast) and its scalar is
    // added to the loss that is backpropagated; the reported loss stays the supervised one.
    void step(const std::function<torch::Tensor()>& forward, const torch::Tensor& labels,
              const torch::Tensor& mask, int validCount, int batchSize,
              const std::function<torch::Tensor()>& extraLoss = {});
    EpochStats endEpoch(bool cancelled);

    const LrSchedule& schedule() const { return m_schedule; }
    int stepsPerEpoch() const { return m_stepsPerEpoch; }

private:
    void flush();

    TrainSession& m_session;
    int m_stepsPerEpoch;
    LrSchedule m_schedule;
    int m_epoch = 0;
    int m_step = 0;
    double m_lastLr = 0;
    std::int64_t m_images = 0;
    double m_lossSum = 0;
    double m_validSum = 0;
    std::chrono::steady_clock::time_point m_start;
    struct Pending
    {
        torch::Tensor loss;
        int step = 0;
        int valid = 0;
        double lr = 0;
        std::int64_t images = 0;
    };
    std::optional<Pending> m_pending;
};

// Validation over the samples that loaded: the criterion's loss, and the labels and sigmoid scores for the
// AUC.
struct Evaluation
{
    double loss = 0;
    double auc = 0;
    std::vector<int> labels;
    std::vector<float> scores;
};
// logits, labels, mask: [N] (any device).
Evaluation evaluate(const torch::Tensor& logits, const torch::Tensor& labels, const torch::Tensor& mask,
                    const LossOptions& loss);

// Where an epoch's batches come from: decoded images through the encoder, or cached embeddings.
class EpochFeeder
{
public:
    virtual ~EpochFeeder() = default;
    virtual int stepsPerEpoch() const = 0;
    virtual EpochStats train(int epoch, TrainStepper& stepper) = 0;
    // nullopt when cancelled.
    virtual std::optional<Evaluation> validate(int epoch) = 0;
};

} // namespace rm
