#include "models/FineTune.h"

#include "util/Error.h"

#include <cmath>

namespace rm {

namespace {

bool hasPrefix(const std::string& key, const std::string& prefix)
{
    return key.size() >= prefix.size() && key.compare(0, prefix.size(), prefix) == 0 &&
           (key.size() == prefix.size() || key[prefix.size()] == '.');
}

} // namespace

int blockGroupOf(const std::vector<BlockGroup>& groups, const std::string& key)
{
    for (std::size_t g = 0; g < groups.size(); ++g)
        for (const auto& prefix : groups[g].prefixes)
            if (hasPrefix(key, prefix)) return static_cast<int>(g);
    return -1;
}

void setFineTuneMode(RingClassifier& model, FineTuneMode mode, int nBlocks, BlockGranularity granularity)
{
    const auto groups = model.encoder()->blockGroups(granularity);
    const int total = static_cast<int>(groups.size());
    if (mode == FineTuneMode::LastNBlocks && (nBlocks < 0 || nBlocks > total))
        throw Error(model.options().arch + " has " + std::to_string(total) + " blocks to fine-tune, not " +
                    std::to_string(nBlocks));
    int firstTrainable = 0; // group index from which the encoder trains
    if (mode == FineTuneMode::HeadOnly)
        firstTrainable = total;
    else if (mode == FineTuneMode::LastNBlocks)
        firstTrainable = total - nBlocks;

    for (auto& item : model.encoder()->named_parameters()) {
        const int g = blockGroupOf(groups, item.key());
        if (g < 0)
            throw Error(model.options().arch + ": parameter '" + item.key() + "' is in no fine-tuning block");
        item.value().set_requires_grad(g >= firstTrainable);
    }
    for (auto& p : model.head()->parameters())
        p.set_requires_grad(true);

    FineTuneState state;
    state.mode = mode;
    state.nBlocks =
        mode == FineTuneMode::LastNBlocks ? nBlocks : (mode == FineTuneMode::AllLayers ? total : 0);
    state.granularity = granularity;
    model.setFineTuneState(state);
    model.train(model.is_training()); // re-apply the BatchNorm freeze to the current mode
}

std::vector<ParamGroup> parameterGroups(RingClassifier& model, double baseLr, double lrDecay)
{
    if (!(baseLr > 0) || !(lrDecay > 0))
        throw Error("parameterGroups: learning rate and decay must be positive");
    const auto groups = model.encoder()->blockGroups(model.fineTune().granularity);
    std::vector<ParamGroup> encoderGroups(groups.size());
    for (auto& item : model.encoder()->named_parameters()) {
        if (!item.value().requires_grad()) continue;
        const int g = blockGroupOf(groups, item.key());
        if (g < 0)
            throw Error(model.options().arch + ": parameter '" + item.key() + "' is in no fine-tuning block");
        encoderGroups[static_cast<std::size_t>(g)].params.push_back(item.value());
    }

    std::vector<ParamGroup> result;
    ParamGroup head{"head", {}, baseLr};
    for (auto& p : model.head()->parameters())
        if (p.requires_grad()) head.params.push_back(p);
    if (!head.params.empty()) result.push_back(std::move(head));
    int depth = 0;
    for (std::size_t i = groups.size(); i-- > 0;) {
        if (encoderGroups[i].params.empty()) continue;
        encoderGroups[i].label = groups[i].label;
        encoderGroups[i].lr = baseLr * std::pow(lrDecay, depth++);
        result.push_back(std::move(encoderGroups[i]));
    }
    return result;
}

std::unique_ptr<torch::optim::AdamW> makeAdamW(const std::vector<ParamGroup>& groups, double weightDecay)
{
    if (groups.empty()) throw Error("makeAdamW: no trainable parameters");
    std::vector<torch::optim::OptimizerParamGroup> torchGroups;
    for (const auto& g : groups) {
        auto options = std::make_unique<torch::optim::AdamWOptions>(g.lr);
        options->weight_decay(weightDecay);
        torchGroups.emplace_back(g.params, std::move(options));
    }
    torch::optim::AdamWOptions defaults(groups.front().lr);
    defaults.weight_decay(weightDecay);
    return std::make_unique<torch::optim::AdamW>(std::move(torchGroups), defaults);
}

} // namespace rm
