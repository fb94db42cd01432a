#include "models/ParityFill.h"

#include "models/WeightsIO.h"

#include <torch/nn/modules/batchnorm.h>

#include <algorithm>
#include <cmath>

namespace rm {

// A 32-bit integer hash of (i, k), the same bit for bit in Python: every intermediate stays below 2^63, so
// there is no overflow on either side, and no transcendental function whose last bit could differ.
std::uint64_t parityHash(std::uint64_t i, std::uint64_t k)
{
    constexpr std::uint64_t mask = 0xFFFFFFFFull;
    std::uint64_t h = (i * 0x9E3779B1ull + k * 0x85EBCA77ull + 0x165667B1ull) & mask;
    h ^= h >> 16;
    h = (h * 0x21F0AAADull) & mask;
    h ^= h >> 15;
    h = (h * 0x735A2D97ull) & mask;
    h ^= h >> 15;
    return h;
}

namespace {

bool endsWith(const std::string& s, const std::string& suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The values of one tensor in float64, as a [numel] tensor.
torch::Tensor formula(const std::string& key, const std::vector<std::int64_t>& shape, std::int64_t k,
                      std::int64_t numel)
{
    auto f64 = torch::TensorOptions().dtype(torch::kDouble);
    torch::Tensor out = torch::empty({numel}, f64);
    double* v = out.data_ptr<double>();
    if (endsWith(key, "num_batches_tracked")) {
        std::fill(v, v + numel, 0.0);
        return out;
    }
    double scale = 0.1, offset = 0.0;
    bool absolute = false;
    if (endsWith(key, "running_var")) {
        scale = 0.25, offset = 1.0, absolute = true;
    } else if (endsWith(key, "running_mean")) {
        scale = 0.1;
    } else if (shape.size() == 1) {
        offset = endsWith(key, "weight") ? 1.0 : 0.0;
    } else if (shape.size() >= 2 && numel > 0) {
        scale = std::sqrt(6.0 / static_cast<double>(numel / shape[0]));
    } else {
        scale = 1.0;
    }
    for (std::int64_t i = 0; i < numel; ++i) {
        const double t =
            static_cast<double>(parityHash(static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(k))) /
                2147483648.0 -
            1.0;
        v[i] = offset + scale * (absolute ? std::abs(t) : t);
    }
    return out;
}

} // namespace

void parityFill(torch::nn::Module& module)
{
    torch::NoGradGuard noGrad;
    auto state = stateDict(module); // std::map: sorted keys
    std::int64_t k = 0;
    for (auto& [key, tensor] : state) {
        const std::vector<std::int64_t> shape(tensor.sizes().begin(), tensor.sizes().end());
        torch::Tensor values = formula(key, shape, k++, tensor.numel());
        tensor.copy_(values.to(tensor.scalar_type()).reshape(tensor.sizes()));
    }
}

double parityValue(const std::string& key, const std::vector<std::int64_t>& shape, std::int64_t k,
                   std::int64_t i)
{
    std::int64_t numel = 1;
    for (auto d : shape)
        numel *= d;
    return formula(key, shape, k, numel)[i].item<double>();
}

torch::Tensor parityInput(std::int64_t n, std::int64_t c, std::int64_t h, std::int64_t w)
{
    auto f64 = torch::TensorOptions().dtype(torch::kDouble);
    return torch::sin(torch::arange(n * c * h * w, f64) * 0.37).to(torch::kFloat).reshape({n, c, h, w});
}

void parityCalibrateBatchNorm(Encoder& encoder, const torch::Tensor& input)
{
    std::vector<torch::nn::BatchNorm2dImpl*> norms;
    for (auto& module : encoder.modules(/*include_self=*/false))
        if (auto* bn = module->as<torch::nn::BatchNorm2d>()) norms.push_back(bn);
    for (auto* bn : norms)
        bn->options.momentum(1.0);
    {
        torch::NoGradGuard noGrad;
        encoder.train();
        encoder.features(input);
    }
    for (auto* bn : norms)
        bn->options.momentum(0.1);
    encoder.eval();
}

} // namespace rm
