#pragma once
// What model to build and how to fine-tune it, in plain C++ (no LibTorch), so configuration code, the
// experiment matrix and the GUI can name models without paying for torch headers.
#include <string>

namespace rm {

struct ModelOptions
{
    std::string arch = "efficientnet_b0"; // a registry name
    int inChannels = 3;
    double dropPathRate = 0.0;
    double headDropout = 0.2; // dropout on the pooled features before the head, in training only
};

enum class FineTuneMode
{
    AllLayers,  // everything trains
    HeadOnly,   // only the head trains; the encoder's BatchNorm statistics stay frozen too
    LastNBlocks // the head plus the last N encoder blocks (BlockGroups counted from the output)
};

} // namespace rm
