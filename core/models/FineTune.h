#pragma once
// Fine-tuning modes and layer-wise learning-rate decay, as Zoobot does them
// (zoobot/pytorch/training/finetune.py: FinetuneableZoobotAbstract.configure_optimizers).
#include "models/RingClassifier.h"

#include <torch/optim/adamw.h>

#include <memory>
#include <string>
#include <vector>

namespace rm {

// Sets requires_grad for the mode and records it on the model. HeadOnly freezes the whole encoder;
// LastNBlocks unfreezes the last nBlocks of encoder->blockGroups(granularity) (0 = HeadOnly); AllLayers
// unfreezes everything. BatchNorm layers with frozen parameters then stay in eval mode through
// model.train() (RingClassifier::train), so their running statistics are frozen as well. Call it before
// building the optimiser. Throws rm::Error if nBlocks is negative or more than the encoder has.
void setFineTuneMode(RingClassifier& model, FineTuneMode mode, int nBlocks = 0,
                     BlockGranularity granularity = BlockGranularity::Block);

struct ParamGroup
{
    std::string label; // "head" or the encoder group's label ("blocks.6.0", "layer4", ...)
    std::vector<torch::Tensor> params;
    double lr = 0;
};

// One group for the head at baseLr, then one per trainable encoder block from the output down, the i-th
// (i = 0 nearest the head) at baseLr * lrDecay^i, as in Zoobot (so with lrDecay = 1 every group gets baseLr).
// Frozen groups are left out. Throws rm::Error if a trainable parameter belongs to no group.
std::vector<ParamGroup> parameterGroups(RingClassifier& model, double baseLr, double lrDecay);

// AdamW over the groups, each at its own learning rate, all with the same weight decay.
std::unique_ptr<torch::optim::AdamW> makeAdamW(const std::vector<ParamGroup>& groups, double weightDecay);

// Which BlockGroup (index into groups) a parameter/buffer key of the encoder belongs to, or -1.
int blockGroupOf(const std::vector<BlockGroup>& groups, const std::string& key);

} // namespace rm
