#include "training/TensorFile.h"

#include "models/Safetensors.h"
#include "util/Error.h"

#include <cstring>
#include <vector>

namespace rm {

namespace {

TensorDType fileDType(c10::ScalarType t, const std::string& name)
{
    switch (t) {
    case torch::kFloat:
        return TensorDType::F32;
    case torch::kDouble:
        return TensorDType::F64;
    case torch::kHalf:
        return TensorDType::F16;
    case torch::kBFloat16:
        return TensorDType::BF16;
    case torch::kLong:
        return TensorDType::I64;
    case torch::kInt:
        return TensorDType::I32;
    case torch::kByte:
        return TensorDType::U8;
    case torch::kBool:
        return TensorDType::Bool;
    default:
        throw Error("cannot store tensor '" + name + "' of dtype " + std::string(c10::toString(t)));
    }
}

c10::ScalarType torchDType(TensorDType t)
{
    switch (t) {
    case TensorDType::F32:
        return torch::kFloat;
    case TensorDType::F64:
        return torch::kDouble;
    case TensorDType::F16:
        return torch::kHalf;
    case TensorDType::BF16:
        return torch::kBFloat16;
    case TensorDType::I64:
        return torch::kLong;
    case TensorDType::I32:
        return torch::kInt;
    case TensorDType::I16:
        return torch::kShort;
    case TensorDType::I8:
        return torch::kChar;
    case TensorDType::U8:
        return torch::kByte;
    case TensorDType::Bool:
        return torch::kBool;
    }
    throw Error("unknown safetensors dtype");
}

} // namespace

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
                       fileDType(t.scalar_type(), name), t.data_ptr()});
    }
    writeSafetensors(path, out, metadata);
}

TensorFileContents readTensorFile(const std::string& path)
{
    SafetensorsFile file(path);
    TensorFileContents contents;
    contents.metadata = file.metadata();
    for (const TensorInfo& info : file.tensors()) {
        torch::Tensor t = torch::empty(info.shape, torch::TensorOptions().dtype(torchDType(info.dtype)));
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
