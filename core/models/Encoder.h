#pragma once
// The feature extractor half of a model: images [N, C, H, W] -> a feature map [N, numFeatures(), h, w] ->
// pooled features [N, numFeatures()].
// Its parameter and buffer names are exactly the reference implementation's (timm for the pretrained
// architectures), so a Zoobot encoder's model.safetensors maps onto it key for key.
#include <torch/nn/module.h>

#include <cstdint>
#include <string>
#include <vector>

namespace rm {

struct EncoderOptions
{
    int inChannels = 3;
    // Stochastic depth, active only in training; scaled per block the way timm does.
    double dropPathRate = 0.0;
};

// What one fine-tuning "block" is. Block: timm's fine group_matcher (each residual block, plus stem and the
// head conv); Stage: its coarse grouping (stem, each stage, ...), which is what Zoobot's n_blocks counts.
enum class BlockGranularity
{
    Block,
    Stage
};

// Parameters that are frozen, unfrozen and learning-rate-decayed together. prefixes are module paths
// ("blocks.6.0", "conv_head"); a key belongs to the group if it equals a prefix or starts with prefix + ".".
struct BlockGroup
{
    std::string label;
    std::vector<std::string> prefixes;
};

class Encoder : public torch::nn::Module
{
public:
    Encoder(std::string arch, int inChannels) : m_arch(std::move(arch)), m_inChannels(inChannels) {}

    // The last block's activations [N, numFeatures(), h, w], before global pooling (what Grad-CAM weighs).
    virtual torch::Tensor featureMap(const torch::Tensor& x) = 0;
    // Global average pooling of the feature map, as timm's encoders do.
    torch::Tensor features(const torch::Tensor& x) { return featureMap(x).mean({2, 3}); }
    virtual std::int64_t numFeatures() const = 0;
    // Ordered from the input (stem) to the output; every parameter belongs to exactly one group.
    virtual std::vector<BlockGroup> blockGroups(BlockGranularity granularity) const = 0;

    const std::string& arch() const { return m_arch; }
    int inChannels() const { return m_inChannels; }

private:
    std::string m_arch;
    int m_inChannels;
};

} // namespace rm
