#include "training/Loss.h"

#include <torch/nn/functional/loss.h>

#include <algorithm>

namespace rm {

torch::Tensor maskedBceLoss(const torch::Tensor& logits, const torch::Tensor& labels,
                            const torch::Tensor& mask, double validCount, const LossOptions& options)
{
    // Always in float32: under bf16 autocast the logits arrive in bf16.
    const torch::Tensor x = logits.to(torch::kFloat);
    const double s = options.labelSmoothing;
    const torch::Tensor target = s > 0 ? labels * (1.0 - s) + 0.5 * s : labels;
    const torch::Tensor posWeight = torch::full({1}, options.posWeight, x.options());
    const torch::Tensor perSample =
        torch::binary_cross_entropy_with_logits(x, target, /*weight=*/{}, posWeight, at::Reduction::None);
    return (perSample * mask).sum() / std::max(1.0, validCount);
}

} // namespace rm
