#pragma once
// ResNet as timm builds it (timm/models/resnet.py, the default "b" variant): 7x7 stem, max pool, BasicBlock
// or Bottleneck stages named layer1..layer4, 1x1-conv + BN downsample. Names match timm's state_dict.
#include "models/Encoder.h"

#include <memory>
#include <string>
#include <vector>

namespace rm {

struct ResNetConfig
{
    bool bottleneck = false;                      // Bottleneck (expansion 4) or BasicBlock (expansion 1)
    std::vector<int> layers{2, 2, 2, 2};          // blocks per stage
    std::vector<int> channels{64, 128, 256, 512}; // timm `channels`: planes per stage
    int stemWidth = 64;
};

ResNetConfig resNet18Config();
ResNetConfig resNet50Config();

std::shared_ptr<Encoder> buildResNet(const std::string& arch, const ResNetConfig& config,
                                     const EncoderOptions& options);

} // namespace rm
