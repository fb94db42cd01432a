#pragma once
// Model weights in and out, through safetensors only (never pickle). Encoder keys are timm's state_dict
// keys, unprefixed, so a Zoobot encoder's model.safetensors loads straight onto an encoder; our own files add
// the binary head as "head.weight" / "head.bias" and record the architecture in the metadata.
#include "models/RingClassifier.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace rm {

class SafetensorsFile;

// Metadata keys saveModel() writes, so loadModel() can rebuild the model.
inline constexpr const char* kMetaArch = "ringminer.arch";
inline constexpr const char* kMetaInChannels = "ringminer.in_chans";
inline constexpr const char* kMetaHeadDropout = "ringminer.head_dropout";

struct LoadReport
{
    std::vector<std::string> loaded;
    std::vector<std::string> missing;    // in the module, not in the file
    std::vector<std::string> unexpected; // in the file, not in the module
    std::vector<std::string> ignored;    // in the file, a classifier head the encoder does not have
    std::vector<std::string> notes;      // human-readable remarks (ignored heads, tolerated gaps)
    std::string summary() const;
};

// The module's state as the reference framework names it: named_parameters() then named_buffers().
std::map<std::string, torch::Tensor> stateDict(torch::nn::Module& module);

// Copies an encoder's weights from a safetensors file. Every tensor is matched by name and its shape checked
// (a shape mismatch is always an error naming the key and both shapes); values are converted to the
// module's dtype and device. Keys under classifier./fc./head. that the encoder lacks (a pretrained
// classifier) are ignored with a note. A missing num_batches_tracked is tolerated, as PyTorch does.
// strict: any other missing or unexpected key is an error listing the first few; otherwise they are only
// reported, but a file that matches nothing is still an error. Errors are rm::InputError naming the file.
LoadReport loadEncoderWeights(Encoder& encoder, const std::string& path, bool strict = true);

// Writes encoder (unprefixed) + head.* tensors and metadata (arch, in_chans, head dropout, plus `metadata`).
void saveModel(RingClassifier& model, const std::string& path,
               const std::map<std::string, std::string>& metadata = {});

// Loads a file written by saveModel() into an existing model of the same architecture (strict).
LoadReport loadModelWeights(RingClassifier& model, const std::string& path);

// Builds the model the file's metadata names and loads it (strict). Throws rm::InputError if the metadata
// does not name a registered architecture.
std::shared_ptr<RingClassifier> loadModel(const std::string& path);

} // namespace rm
