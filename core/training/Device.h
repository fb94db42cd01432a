#pragma once
// Where training runs and how data gets there: device names, bf16 autocast on CUDA, channels-last layout and
// host-to-device copies. Private to core/training: it includes torch.
#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace torch::nn {
class Module;
}

namespace rm {

// "auto" (CUDA device 0 when there is one, else the CPU), "cpu", "cuda", "cuda:N". Throws rm::Error for a
// CUDA device this machine does not have.
torch::Device resolveDevice(const std::string& name);
// "cpu" or "cuda:0 (NVIDIA H100 80GB HBM3)".
std::string deviceLabel(const torch::Device& device);

// bf16 autocast for CUDA ops on this thread while it lives (autocast state is thread-local, so it is set in
// the thread that runs the model). Its cast cache is cleared when the outermost scope ends, so a scope must
// not outlive an optimiser step: the cached bf16 copies of the weights would go stale.
class AutocastScope
{
public:
    explicit AutocastScope(bool enabled);
    ~AutocastScope();
    AutocastScope(const AutocastScope&) = delete;
    AutocastScope& operator=(const AutocastScope&) = delete;

private:
    bool m_enabled;
    bool m_wasEnabled = false;
    c10::ScalarType m_wasDtype = c10::ScalarType::Half;
};

// Re-lays out every 4-D parameter and buffer channels-last (what PyTorch's module.to(memory_format=...)
// does); convolutions then pick their NHWC kernels. Call before building the optimiser.
void toChannelsLast(torch::nn::Module& module);

// NCHW float32 host data as a tensor on `device`. On the CPU it wraps `data` without copying (keep it alive
// while the tensor is used); on CUDA it goes through pinned memory with a non-blocking copy.
torch::Tensor uploadImages(const float* data, std::int64_t n, std::int64_t c, std::int64_t h, std::int64_t w,
                           const torch::Device& device, bool channelsLast);
// Small host vectors (labels, masks) as float32 tensors on `device`.
torch::Tensor uploadFloats(const std::vector<float>& values, const torch::Device& device);

} // namespace rm
