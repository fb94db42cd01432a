#include "models/Layers.h"

#include <torch/nn/options/batchnorm.h>
#include <torch/nn/options/conv.h>

#include <cmath>

namespace rm {

torch::nn::Conv2d makeConv(std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t stride,
                           std::int64_t groups, bool bias)
{
    return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel)
                                 .stride(stride)
                                 .padding(timmPadding(kernel, stride))
                                 .groups(groups)
                                 .bias(bias));
}

torch::nn::BatchNorm2d makeBatchNorm(std::int64_t channels)
{
    return torch::nn::BatchNorm2d(
        torch::nn::BatchNorm2dOptions(channels).eps(1e-5).momentum(0.1).affine(true).track_running_stats(
            true));
}

torch::Tensor dropPath(const torch::Tensor& x, double probability, bool training)
{
    if (probability <= 0.0 || !training) return x;
    const double keep = 1.0 - probability;
    std::vector<std::int64_t> shape(static_cast<std::size_t>(x.dim()), 1);
    shape[0] = x.size(0);
    torch::Tensor mask = torch::empty(shape, x.options()).bernoulli_(keep);
    if (keep > 0.0) mask.div_(keep);
    return x * mask;
}

std::int64_t makeDivisible(double value, std::int64_t divisor)
{
    const auto d = static_cast<double>(divisor);
    std::int64_t v = std::max(divisor, static_cast<std::int64_t>(value + d / 2) / divisor * divisor);
    if (static_cast<double>(v) < 0.9 * value) v += divisor;
    return v;
}

std::int64_t pythonRound(double value)
{
    return static_cast<std::int64_t>(std::nearbyint(value));
}

void initNormal(torch::Tensor& weight, double std)
{
    torch::NoGradGuard noGrad;
    weight.normal_(0.0, std);
}

void initBatchNorm(torch::nn::BatchNorm2d& bn, double gamma)
{
    torch::NoGradGuard noGrad;
    bn->weight.fill_(gamma);
    bn->bias.zero_();
}

} // namespace rm
