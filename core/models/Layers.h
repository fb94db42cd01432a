#pragma once
// Building blocks shared by the architectures, configured the way timm configures them so the numbers
// (padding, BatchNorm eps/momentum, stochastic depth) agree with the reference implementation.
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>

#include <cstdint>

namespace rm {

// timm's get_padding(): symmetric padding for the non-"tf_" models.
inline std::int64_t timmPadding(std::int64_t kernel, std::int64_t stride, std::int64_t dilation = 1)
{
    return ((stride - 1) + dilation * (kernel - 1)) / 2;
}

torch::nn::Conv2d makeConv(std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t stride = 1,
                           std::int64_t groups = 1, bool bias = false);

// BatchNorm2d with PyTorch's defaults (eps 1e-5, momentum 0.1), tracking running stats.
torch::nn::BatchNorm2d makeBatchNorm(std::int64_t channels);

// Stochastic depth per sample (timm drop_path with scale_by_keep): identity outside training.
torch::Tensor dropPath(const torch::Tensor& x, double probability, bool training);

// timm's make_divisible(v, divisor=8, min_value=None, round_limit=0.9).
std::int64_t makeDivisible(double value, std::int64_t divisor = 8);

// Python's round() on a float: halves go to the even neighbour.
std::int64_t pythonRound(double value);

// In-place initialisations (under NoGradGuard), written out so they do not depend on the LibTorch version.
void initNormal(torch::Tensor& weight, double std);
void initBatchNorm(torch::nn::BatchNorm2d& bn, double gamma = 1.0);

} // namespace rm
