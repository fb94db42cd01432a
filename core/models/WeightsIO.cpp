#include "models/WeightsIO.h"

#include "models/TensorDType.h"

#include "models/Safetensors.h"
#include "util/Error.h"

#include <algorithm>
#include <cstring>
#include <sstream>

namespace rm {

namespace {

constexpr std::size_t kListed = 5; // how many keys an error message names

std::string shapeString(const std::vector<std::int64_t>& shape)
{
    std::ostringstream s;
    s << '[';
    for (std::size_t i = 0; i < shape.size(); ++i)
        s << (i ? ", " : "") << shape[i];
    s << ']';
    return s.str();
}

std::string firstFew(const std::vector<std::string>& keys)
{
    std::string out;
    for (std::size_t i = 0; i < keys.size() && i < kListed; ++i)
        out += (i ? ", " : "") + ("'" + keys[i] + "'");
    if (keys.size() > kListed) out += ", ... (" + std::to_string(keys.size()) + " in all)";
    return out;
}

bool isClassifierKey(const std::string& key)
{
    for (const char* prefix : {"classifier.", "fc.", "head."})
        if (key.rfind(prefix, 0) == 0) return true;
    return false;
}

bool endsWith(const std::string& s, const std::string& suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The file's tensor as a CPU tensor of its own dtype. The bytes are copied, not wrapped: the mapping's
// offsets need not be aligned for the element type, and the result must outlive the file.
torch::Tensor readTensor(const SafetensorsFile& file, const TensorInfo& info)
{
    torch::Tensor t = torch::empty(info.shape, torch::TensorOptions().dtype(scalarTypeOf(info.dtype)));
    const std::size_t bytes = static_cast<std::size_t>(info.end - info.begin);
    if (bytes != static_cast<std::size_t>(t.numel()) * t.element_size())
        throw InputError(file.path(), 0, "", "tensor '" + info.name + "' has the wrong byte size");
    if (bytes > 0) std::memcpy(t.data_ptr(), file.data(info), bytes);
    return t;
}

// Matches `target` (module state by name) against the file and copies.
LoadReport applyFile(std::map<std::string, torch::Tensor>& target, const SafetensorsFile& file, bool strict,
                     bool ignoreClassifiers)
{
    LoadReport report;
    std::vector<std::pair<torch::Tensor*, const TensorInfo*>> copies;
    for (const TensorInfo& info : file.tensors()) {
        auto it = target.find(info.name);
        if (it == target.end()) {
            if (ignoreClassifiers && isClassifierKey(info.name))
                report.ignored.push_back(info.name);
            else
                report.unexpected.push_back(info.name);
            continue;
        }
        const std::vector<std::int64_t> expected(it->second.sizes().begin(), it->second.sizes().end());
        if (expected != info.shape)
            throw InputError(file.path(), 0, "",
                             "tensor '" + info.name + "' has shape " + shapeString(info.shape) +
                                 " but the model expects " + shapeString(expected));
        copies.emplace_back(&it->second, &info);
    }
    for (const auto& [key, tensor] : target) {
        if (file.find(key)) continue;
        if (endsWith(key, "num_batches_tracked"))
            report.notes.push_back("'" + key + "' not in the file; left as it was");
        else
            report.missing.push_back(key);
    }
    if (!report.ignored.empty())
        report.notes.push_back(
            "ignored " + std::to_string(report.ignored.size()) +
            " classifier tensor(s) the encoder does not have: " + firstFew(report.ignored));
    if (strict && (!report.missing.empty() || !report.unexpected.empty())) {
        std::string why = "does not match the model:";
        if (!report.missing.empty())
            why += " " + std::to_string(report.missing.size()) + " missing key(s) " +
                   firstFew(report.missing) + (report.unexpected.empty() ? "" : ";");
        if (!report.unexpected.empty())
            why += " " + std::to_string(report.unexpected.size()) + " unexpected key(s) " +
                   firstFew(report.unexpected);
        throw InputError(file.path(), 0, "", why);
    }
    if (copies.empty())
        throw InputError(file.path(), 0, "",
                         "no tensor in the file matches the model (missing: " + firstFew(report.missing) +
                             ")");

    // Validate everything before changing anything, then copy: a failed load leaves the model untouched.
    torch::NoGradGuard noGrad;
    for (auto& [tensor, info] : copies) {
        tensor->copy_(readTensor(file, *info));
        report.loaded.push_back(info->name);
    }
    return report;
}

} // namespace

std::string LoadReport::summary() const
{
    std::string s = "loaded " + std::to_string(loaded.size()) + " tensor(s)";
    if (!missing.empty()) s += "; missing " + firstFew(missing);
    if (!unexpected.empty()) s += "; unexpected " + firstFew(unexpected);
    for (const auto& n : notes)
        s += "; " + n;
    return s;
}

std::map<std::string, torch::Tensor> stateDict(torch::nn::Module& module)
{
    std::map<std::string, torch::Tensor> state;
    for (auto& item : module.named_parameters())
        state.emplace(item.key(), item.value());
    for (auto& item : module.named_buffers())
        state.emplace(item.key(), item.value());
    return state;
}

LoadReport loadEncoderWeights(Encoder& encoder, const std::string& path, bool strict)
{
    SafetensorsFile file(path);
    auto state = stateDict(encoder);
    return applyFile(state, file, strict, /*ignoreClassifiers=*/true);
}

namespace {

// Checkpoint keys: the encoder's own, unprefixed, and the head under "head.".
std::map<std::string, torch::Tensor> checkpointState(RingClassifier& model)
{
    auto state = stateDict(*model.encoder());
    for (auto& item : model.head()->named_parameters()) {
        const std::string key = "head." + item.key();
        if (!state.emplace(key, item.value()).second)
            throw Error(model.options().arch + ": encoder already has a tensor named '" + key + "'");
    }
    return state;
}

} // namespace

void saveModel(RingClassifier& model, const std::string& path,
               const std::map<std::string, std::string>& metadata)
{
    const auto state = checkpointState(model);
    std::vector<torch::Tensor> keepAlive;
    std::vector<TensorToWrite> tensors;
    keepAlive.reserve(state.size());
    for (const auto& [key, tensor] : state) {
        keepAlive.push_back(tensor.detach().to(torch::kCPU).contiguous());
        const torch::Tensor& t = keepAlive.back();
        tensors.push_back({key, std::vector<std::int64_t>(t.sizes().begin(), t.sizes().end()),
                           tensorDTypeOf(t.scalar_type(), key), t.data_ptr()});
    }
    std::map<std::string, std::string> meta = metadata;
    meta["format"] = "pt";
    meta[kMetaArch] = model.options().arch;
    meta[kMetaInChannels] = std::to_string(model.options().inChannels);
    meta[kMetaHeadDropout] = std::to_string(model.options().headDropout);
    writeSafetensors(path, tensors, meta);
}

LoadReport loadModelWeights(RingClassifier& model, const std::string& path)
{
    SafetensorsFile file(path);
    auto it = file.metadata().find(kMetaArch);
    if (it != file.metadata().end() && it->second != model.options().arch)
        throw InputError(path, 0, "",
                         "holds a '" + it->second + "' model, not '" + model.options().arch + "'");
    auto state = checkpointState(model);
    return applyFile(state, file, /*strict=*/true, /*ignoreClassifiers=*/false);
}

std::shared_ptr<RingClassifier> loadModel(const std::string& path)
{
    ModelOptions options;
    {
        SafetensorsFile file(path);
        const auto& meta = file.metadata();
        auto arch = meta.find(kMetaArch);
        auto chans = meta.find(kMetaInChannels);
        if (arch == meta.end() || chans == meta.end())
            throw InputError(path, 0, "",
                             std::string("has no '") + kMetaArch + "'/'" + kMetaInChannels +
                                 "' metadata: not a RingMiner model (an encoder file loads with "
                                 "loadEncoderWeights)");
        options.arch = arch->second;
        try {
            options.inChannels = std::stoi(chans->second);
            auto dropout = meta.find(kMetaHeadDropout);
            if (dropout != meta.end()) options.headDropout = std::stod(dropout->second);
        } catch (const std::logic_error&) {
            throw InputError(path, 0, "", "has unreadable model metadata");
        }
    }
    std::shared_ptr<RingClassifier> model;
    try {
        model = createModel(options);
    } catch (const InputError&) {
        throw;
    } catch (const Error& e) {
        throw InputError(path, 0, "", e.what());
    }
    loadModelWeights(*model, path);
    return model;
}

} // namespace rm
