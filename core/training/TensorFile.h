#pragma once
// Named torch tensors in and out of a safetensors file, for the trainer's own files (checkpoint, embedding
// cache). Private to core/training: it includes torch.
#include <torch/types.h>

#include <map>
#include <string>

namespace rm {

// Writes the tensors (moved to the CPU, made contiguous) atomically: a temporary file, then a rename.
void writeTensorFile(const std::string& path, const std::map<std::string, torch::Tensor>& tensors,
                     const std::map<std::string, std::string>& metadata = {});

struct TensorFileContents
{
    std::map<std::string, torch::Tensor> tensors; // CPU tensors of the file's dtypes
    std::map<std::string, std::string> metadata;
};

// Reads every tensor of a safetensors file; throws rm::InputError naming the file when it is damaged.
TensorFileContents readTensorFile(const std::string& path);

} // namespace rm
