#pragma once
// The training criterion: binary cross-entropy on logits, with the positive class weighted and the targets
// smoothed, averaged over the samples that loaded (a sample whose image failed contributes nothing). Private
// to core/training: it includes torch.
#include <torch/types.h>

namespace rm {

struct LossOptions
{
    double posWeight = 1.0;      // negatives / positives of the training split, or 1
    double labelSmoothing = 0.0; // targets become y * (1 - s) + s / 2
};

// logits, labels (0/1) and mask (1 = use) are [N] on the same device; validCount = mask.sum(), known on the
// host. Returns a scalar float32 tensor.
torch::Tensor maskedBceLoss(const torch::Tensor& logits, const torch::Tensor& labels,
                            const torch::Tensor& mask, double validCount, const LossOptions& options);

} // namespace rm
