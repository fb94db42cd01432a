#include "training/TensorFile.h"

#include "models/Safetensors.h"
#include "models/TensorDType.h"
#include "util/Error.h"

#include <cstring>
#include <vector>

namespace rm {

void writeTensorFile(const std::string& path, const std::map<std::string, torch::Tensor>& tensors,
                     const std::map<std::string, std::string>& metadata)
{
    std::vector<torch::Tensor> keepAlive;
    keepAlive.reserve(tensors.size());
    std::vector<TensorToWrite> out;
    out.reserve(tensors.size());
    for (const auto& [name, tensor] : tensors) {
        keepAlive.push_back(tensor.detach().to(torch::kCPU).contiguous());
        const torch::Tensor& t = keepAlive.back();
        out.push_back({name, std::vector<std::int64_t>(t.sizes().begin(), t.sizes().end()),
                       tensorDTypeOf(t.scalar_type(), name), t.data_ptr()});
    }
    writeSafetensors(path, out, metadata);
}

TensorFileContents readTensorFile(const std::string& path)
{
    SafetensorsFile file(path);
    TensorFileContents contents;
    contents.metadata = file.metadata();
    for (const TensorInfo& info : file.tensors()) {
        torch::Tensor t = torch::empty(info.shape, torch::TensorOptions().dtype(scalarTypeOf(info.dtype)));
        const std::size_t bytes = static_cast<std::size_t>(info.end - info.begin);
        if (bytes != static_cast<std::size_t>(t.numel()) * t.element_size())
            throw InputError(path, 0, "", "tensor '" + info.name + "' has the wrong byte size");
        // Copied, not wrapped: the mapping's offsets need not suit the element type, and the file closes.
        if (bytes > 0) std::memcpy(t.data_ptr(), file.data(info), bytes);
        contents.tensors.emplace(info.name, std::move(t));
    }
    return contents;
}

} // namespace rm
