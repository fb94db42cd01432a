#pragma once
// Epochs from decoded images: the training split through the batch loader (the config's view, shuffled and
// augmented per (seed, epoch, record)), the model's full forward every step; validation through a second
// loader with the evaluation view. Private to core/training.
#include "training/BatchLoader.h"
#include "training/TrainSession.h"

namespace rm {

class ImageFeeder : public EpochFeeder
{
public:
    ImageFeeder(TrainSession& session, const TrainData& data);

    int stepsPerEpoch() const override;
    EpochStats train(int epoch, TrainStepper& stepper) override;
    std::optional<Evaluation> validate(int epoch) override;

private:
    TrainSession& m_session;
    const std::vector<int>& m_labels;
    BatchLoader m_train;
    BatchLoader m_val;
};

// Options for a loader of the run's images (shared by the trainer's loaders and the embedding pass).
BatchLoaderOptions loaderOptions(const TrainConfig& config, bool training);

// A batch's labels (0/1 as float) and valid-sample mask, and the number of valid samples.
struct BatchTargets
{
    std::vector<float> labels, mask;
    int valid = 0;
};
BatchTargets batchTargets(const Batch& batch, const std::vector<int>& labels);

} // namespace rm
