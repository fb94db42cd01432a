#pragma once
// Epochs from decoded images: the training split through the batch loader (the config's view, shuffled and
// augmented per (seed, epoch, record)), the model's full forward every step; validation through a second
// loader with the evaluation view. Private to core/training.
//
// Semi-supervised (FixMatch) runs draw mu * batch_size unlabelled images per step from two more loaders over
// the pool, in the same order: the weak view (the run's augmentation) and the strong one
// (strongAugmentation). The weak view is scored with the model in evaluation mode and without gradients
// (running BatchNorm statistics, no dropout, nothing drawn from the generator), so a step where nothing is
// confident trains exactly as a supervised step would; the confident images' strong views then run in
// training mode and their BCE against the pseudo-labels, times lambda_u, joins the supervised loss. The
// pool's epochs are independent of the labelled ones: labelled epoch e serves unlabelled passes
// e * 2^20 + k, k = 0, 1, ..., so a resumed run draws exactly what an uninterrupted one would.
#include "training/BatchLoader.h"
#include "training/TrainSession.h"

#include <memory>
#include <utility>

namespace rm {

class ImageFeeder : public EpochFeeder
{
public:
    ImageFeeder(TrainSession& session, const TrainData& data);
    ~ImageFeeder() override;

    int stepsPerEpoch() const override;
    EpochStats train(int epoch, TrainStepper& stepper) override;
    std::optional<Evaluation> validate(int epoch) override;

private:
    struct Unlabelled;
    // The next unlabelled batches (weak, strong) of labelled epoch `epoch`, starting a new pass over the pool
    // when one runs out.
    std::pair<Batch, Batch> nextUnlabelled(int epoch);
    // One FixMatch step: pseudo-labels from the weak batch, the supervised step plus the unlabelled loss.
    void fixMatchStep(TrainStepper& stepper, const torch::Tensor& x, const torch::Tensor& y,
                      const torch::Tensor& m, int valid, int batchSize, const Batch& weak,
                      const Batch& strong);

    TrainSession& m_session;
    const std::vector<int>& m_labels;
    BatchLoader m_train;
    BatchLoader m_val;
    std::unique_ptr<Unlabelled> m_unlabelled; // semi-supervised runs only
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
