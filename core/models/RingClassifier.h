#pragma once
// A ring / not-ring classifier: an encoder from the registry (timm-named, pooled features) and a binary head
// Linear(numFeatures, 1) that gives one logit per image. In checkpoints the encoder's keys are stored
// unprefixed (so a Zoobot encoder file and our own files share the encoder's names) and the head's as
// "head.weight" / "head.bias"; see WeightsIO.h.
#include "models/Encoder.h"
#include "models/ModelOptions.h"

#include <torch/nn/modules/linear.h>

#include <memory>
#include <string>

namespace rm {

struct FineTuneState
{
    FineTuneMode mode = FineTuneMode::AllLayers;
    int nBlocks = 0;
    BlockGranularity granularity = BlockGranularity::Block;
};

class RingClassifier : public torch::nn::Module
{
public:
    RingClassifier(std::shared_ptr<Encoder> encoder, const ModelOptions& options);

    // Logits [N] (apply sigmoid for probabilities).
    torch::Tensor forward(const torch::Tensor& x);
    // Pooled encoder features [N, numFeatures()].
    torch::Tensor features(const torch::Tensor& x) { return m_encoder->features(x); }

    std::int64_t numFeatures() const { return m_encoder->numFeatures(); }
    const ModelOptions& options() const { return m_options; }
    const std::shared_ptr<Encoder>& encoder() const { return m_encoder; }
    torch::nn::Linear& head() { return m_head; }

    // Besides switching modes, keeps every BatchNorm whose affine parameters are frozen in eval mode, so a
    // frozen block's running statistics never move (Zoobot's freeze_batchnorm_layers, done on every call).
    void train(bool on = true) override;

    // Set by setFineTuneMode() (FineTune.h).
    const FineTuneState& fineTune() const { return m_fineTune; }
    void setFineTuneState(const FineTuneState& s) { m_fineTune = s; }

private:
    std::shared_ptr<Encoder> m_encoder;
    torch::nn::Linear m_head{nullptr};
    ModelOptions m_options;
    FineTuneState m_fineTune;
};

// Builds the encoder from the registry and a fresh head; throws rm::Error for an unknown arch.
std::shared_ptr<RingClassifier> createModel(const ModelOptions& options);

} // namespace rm
