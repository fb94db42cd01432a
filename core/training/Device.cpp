#include "training/Device.h"

#include "training/DeviceName.h"
#include "training/Trainer.h"
#include "util/Error.h"

#include <ATen/autocast_mode.h>
#include <torch/cuda.h>
#include <torch/nn/module.h>
#include <torch/version.h>

#include <cstring>
#include <dlfcn.h>

// LibTorch 2.4 replaced the CUDA-only autocast switches by per-device-type ones (the old names remain, as
// deprecated aliases, for a while).
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define RINGMINER_AUTOCAST_PER_DEVICE 1
#endif

namespace rm {

namespace {

// The GPU's marketing name through the CUDA driver API, loaded at run time so that a CPU-only LibTorch build
// needs no CUDA library. Empty when the driver cannot tell.
std::string cudaDeviceName(int ordinal)
{
    void* lib = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
    if (!lib) return {};
    using InitFn = int (*)(unsigned);
    using GetFn = int (*)(int*, int);
    using NameFn = int (*)(char*, int, int);
    auto init = reinterpret_cast<InitFn>(dlsym(lib, "cuInit"));
    auto get = reinterpret_cast<GetFn>(dlsym(lib, "cuDeviceGet"));
    auto name = reinterpret_cast<NameFn>(dlsym(lib, "cuDeviceGetName"));
    std::string result;
    int device = 0;
    char buffer[256] = {};
    if (init && get && name && init(0) == 0 && get(&device, ordinal) == 0 &&
        name(buffer, sizeof buffer - 1, device) == 0)
        result = buffer;
    dlclose(lib);
    return result;
}

} // namespace

torch::Device resolveDevice(const std::string& name)
{
    if (name == "cpu") return torch::Device(torch::kCPU);
    const bool cuda = torch::cuda::is_available();
    if (name == "auto" || name.empty())
        return cuda ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
    if (name.rfind("cuda", 0) != 0)
        throw Error("unknown device '" + name + "': use \"auto\", \"cpu\", \"cuda\" or \"cuda:N\"");
    if (!cuda) throw Error("device '" + name + "' requested but this machine (or this LibTorch) has no CUDA");
    int index = 0;
    if (name.size() > 4) {
        if (name[4] != ':') throw Error("unknown device '" + name + "'");
        try {
            std::size_t used = 0;
            index = std::stoi(name.substr(5), &used);
            if (used != name.size() - 5) throw std::invalid_argument(name);
        } catch (const std::logic_error&) {
            throw Error("unknown device '" + name + "'");
        }
    }
    const auto count = static_cast<int>(torch::cuda::device_count());
    if (index < 0 || index >= count)
        throw Error("device '" + name + "' requested but there are " + std::to_string(count) +
                    " CUDA devices");
    return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
}

std::string deviceLabel(const torch::Device& device)
{
    if (!device.is_cuda()) return "cpu";
    const int index = device.has_index() ? device.index() : 0;
    std::string label = "cuda:" + std::to_string(index);
    const std::string name = cudaDeviceName(index);
    return name.empty() ? label : label + " (" + name + ")";
}

std::string describeDevice(const std::string& device)
{
    return deviceLabel(resolveDevice(device));
}

AutocastScope::AutocastScope(bool enabled) : m_enabled(enabled)
{
    if (!m_enabled) return;
#ifdef RINGMINER_AUTOCAST_PER_DEVICE
    m_wasEnabled = at::autocast::is_autocast_enabled(at::kCUDA);
    m_wasDtype = at::autocast::get_autocast_dtype(at::kCUDA);
    at::autocast::set_autocast_enabled(at::kCUDA, true);
    at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
#else
    m_wasEnabled = at::autocast::is_enabled();
    m_wasDtype = at::autocast::get_autocast_gpu_dtype();
    at::autocast::set_enabled(true);
    at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
#endif
    at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope()
{
    if (!m_enabled) return;
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
#ifdef RINGMINER_AUTOCAST_PER_DEVICE
    at::autocast::set_autocast_enabled(at::kCUDA, m_wasEnabled);
    at::autocast::set_autocast_dtype(at::kCUDA, m_wasDtype);
#else
    at::autocast::set_enabled(m_wasEnabled);
    at::autocast::set_autocast_gpu_dtype(m_wasDtype);
#endif
}

void toChannelsLast(torch::nn::Module& module)
{
    torch::NoGradGuard noGrad;
    for (auto& p : module.parameters())
        if (p.dim() == 4) p.set_data(p.data().contiguous(torch::MemoryFormat::ChannelsLast));
    for (auto& b : module.buffers())
        if (b.dim() == 4) b.set_data(b.data().contiguous(torch::MemoryFormat::ChannelsLast));
}

torch::Tensor uploadImages(const float* data, std::int64_t n, std::int64_t c, std::int64_t h, std::int64_t w,
                           const torch::Device& device, bool channelsLast)
{
    const auto floats = torch::TensorOptions().dtype(torch::kFloat);
    if (!device.is_cuda()) {
        torch::Tensor x = torch::from_blob(const_cast<float*>(data), {n, c, h, w}, floats);
        return channelsLast ? x.contiguous(torch::MemoryFormat::ChannelsLast) : x;
    }
    // A fresh pinned buffer per batch: the caching host allocator recycles it only once the copy that reads
    // it has finished, so the next batch cannot overwrite data still in flight.
    torch::Tensor host = torch::empty({n, c, h, w}, floats.pinned_memory(true));
    std::memcpy(host.data_ptr<float>(), data, sizeof(float) * static_cast<std::size_t>(n * c * h * w));
    torch::Tensor x = host.to(device, torch::kFloat, /*non_blocking=*/true);
    return channelsLast ? x.contiguous(torch::MemoryFormat::ChannelsLast) : x;
}

torch::Tensor uploadFloats(const std::vector<float>& values, const torch::Device& device)
{
    const auto n = static_cast<std::int64_t>(values.size());
    auto floats = torch::TensorOptions().dtype(torch::kFloat);
    if (!device.is_cuda()) return torch::from_blob(const_cast<float*>(values.data()), {n}, floats).clone();
    torch::Tensor host = torch::empty({n}, floats.pinned_memory(true));
    if (n > 0) std::memcpy(host.data_ptr<float>(), values.data(), sizeof(float) * values.size());
    return host.to(device, torch::kFloat, /*non_blocking=*/true);
}

} // namespace rm
