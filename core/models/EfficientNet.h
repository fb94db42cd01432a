#pragma once
// EfficientNet as timm builds it (timm/models/efficientnet.py, _efficientnet_builder.py,
// _efficientnet_blocks.py): same block definitions, channel arithmetic, SE sizing, padding, names.
#include "models/Encoder.h"

#include <memory>
#include <string>
#include <vector>

namespace rm {

struct EfficientNetConfig
{
    // timm arch_def: one list of block strings per stage, e.g. "ir_r2_k3_s2_e6_c24_se0.25". Supported: block
    // types ds and ir, options r (repeats), k (depthwise kernel), s (stride), e (expansion), c (out
    // channels), se (squeeze-excite ratio), noskip.
    std::vector<std::vector<std::string>> archDef;
    int stemSize = 32;
    int numFeatures = 1280; // conv_head width
};

// One decoded block string.
struct EfficientNetBlockDef
{
    enum class Type
    {
        DepthwiseSeparable,
        InvertedResidual
    } type = Type::InvertedResidual;
    int repeats = 1;
    int kernel = 3;
    int stride = 1;
    double expRatio = 1.0;
    int outChannels = 0;
    double seRatio = 0.0;
    bool noSkip = false;
};

// Parses one block string; throws rm::Error naming the string and the bad option.
EfficientNetBlockDef decodeEfficientNetBlock(const std::string& blockString);

// efficientnet_b0's arch_def and widths.
EfficientNetConfig efficientNetB0Config();

std::shared_ptr<Encoder> buildEfficientNet(const std::string& arch, const EfficientNetConfig& config,
                                           const EncoderOptions& options);

} // namespace rm
