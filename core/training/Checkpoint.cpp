#include "training/Checkpoint.h"

#include "models/RingClassifier.h"
#include "models/Safetensors.h"
#include "models/WeightsIO.h"
#include "training/OptimizerStateKey.h"
#include "training/TensorFile.h"
#include "util/Error.h"

#include <torch/optim/adamw.h>

#include <sstream>
#include <type_traits>

namespace rm {

namespace {

const std::string kModelPrefix = "model.";
const std::string kAdamPrefix = "adamw.";

} // namespace

void saveCheckpoint(const std::string& path, RingClassifier& model, torch::optim::AdamW& optimizer,
                    const TrainProgress& progress, const nlohmann::json& fingerprint)
{
    std::map<std::string, torch::Tensor> tensors;
    for (const auto& [key, tensor] : stateDict(model))
        tensors.emplace(kModelPrefix + key, tensor);
    auto& states = optimizer.state();
    for (const auto& item : model.named_parameters()) {
        auto it = states.find(optimizerStateKey(optimizer, item.value()));
        if (it == states.end()) continue; // frozen, or not stepped yet
        const auto& s = static_cast<const torch::optim::AdamWParamState&>(*it->second);
        const std::string base = kAdamPrefix + item.key() + ".";
        tensors.emplace(base + "exp_avg", s.exp_avg());
        tensors.emplace(base + "exp_avg_sq", s.exp_avg_sq());
        tensors.emplace(base + "step", torch::full({1}, static_cast<std::int64_t>(s.step()), torch::kLong));
    }
    nlohmann::json meta = {
        {"version", kCheckpointFormatVersion}, {"progress", toJson(progress)}, {"fingerprint", fingerprint}};
    writeTensorFile(path, tensors, {{kCheckpointMetaKey, meta.dump()}, {kMetaArch, model.options().arch}});
}

void restoreCheckpoint(const std::string& path, RingClassifier& model, torch::optim::AdamW& optimizer)
{
    const auto contents = readTensorFile(path);
    const auto& file = contents.tensors;
    auto stored = [&](const std::string& name) -> const torch::Tensor& {
        auto it = file.find(name);
        if (it == file.end()) throw InputError(path, 0, "", "checkpoint lacks tensor '" + name + "'");
        return it->second;
    };
    auto checkShape = [&](const std::string& name, const torch::Tensor& from, const torch::Tensor& to) {
        if (from.sizes() != to.sizes())
            throw InputError(path, 0, "", "checkpoint tensor '" + name + "' does not fit the model's shape");
    };

    torch::NoGradGuard noGrad;
    auto state = stateDict(model);
    std::size_t modelTensors = 0;
    for (const auto& [name, tensor] : file)
        if (name.rfind(kModelPrefix, 0) == 0) ++modelTensors;
    if (modelTensors != state.size())
        throw InputError(path, 0, "",
                         "checkpoint holds " + std::to_string(modelTensors) +
                             " model tensors, the model has " + std::to_string(state.size()));
    for (auto& [key, tensor] : state) {
        const auto& from = stored(kModelPrefix + key);
        checkShape(kModelPrefix + key, from, tensor);
        tensor.copy_(from);
    }

    auto& states = optimizer.state();
    states.clear();
    for (const auto& item : model.named_parameters()) {
        const std::string base = kAdamPrefix + item.key() + ".";
        if (file.find(base + "step") == file.end()) continue;
        const torch::Tensor& p = item.value();
        auto s = std::make_unique<torch::optim::AdamWParamState>();
        s->step(stored(base + "step").item<std::int64_t>());
        for (const char* which : {"exp_avg", "exp_avg_sq"}) {
            const auto& from = stored(base + which);
            checkShape(base + which, from, p);
            torch::Tensor t = torch::empty_like(p, torch::MemoryFormat::Preserve).copy_(from);
            if (std::string(which) == "exp_avg")
                s->exp_avg(t);
            else
                s->exp_avg_sq(t);
        }
        states[optimizerStateKey(optimizer, p)] = std::move(s);
    }
}

} // namespace rm
