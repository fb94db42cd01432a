#include "models/EfficientNet.h"

#include "models/Layers.h"
#include "models/ModelRegistry.h"
#include "util/Error.h"

#include <torch/nn/modules/container/modulelist.h>

#include <cmath>
#include <sstream>

namespace rm {

namespace {

// timm SqueezeExcite: conv_reduce -> block activation (SiLU) -> conv_expand -> sigmoid gate.
class SqueezeExcite : public torch::nn::Module
{
public:
    SqueezeExcite(std::int64_t channels, std::int64_t reduced)
        : conv_reduce(register_module("conv_reduce", makeConv(channels, reduced, 1, 1, 1, true))),
          conv_expand(register_module("conv_expand", makeConv(reduced, channels, 1, 1, 1, true)))
    {
    }
    torch::Tensor forward(const torch::Tensor& x)
    {
        torch::Tensor s = x.mean({2, 3}, /*keepdim=*/true);
        s = conv_expand->forward(torch::silu(conv_reduce->forward(s)));
        return x * s.sigmoid();
    }

    torch::nn::Conv2d conv_reduce, conv_expand;
};

class Block : public torch::nn::Module
{
public:
    virtual torch::Tensor forward(const torch::Tensor& x) = 0;
};

// SE channels: timm divides the stage's se ratio by the expansion (se_from_exp=False), then SqueezeExcite
// rounds (Python round) se_ratio * its input channels (the expanded ones in an IR block). Net effect: a
// quarter of the block's input channels for efficientnet_b0.
std::int64_t seChannels(std::int64_t seInput, const EfficientNetBlockDef& def)
{
    return pythonRound(static_cast<double>(seInput) * (def.seRatio / def.expRatio));
}

// timm DepthwiseSeparableConv: conv_dw, bn1(+act), se, conv_pw, bn2 (no act), optional skip.
class DepthwiseSeparable : public Block
{
public:
    DepthwiseSeparable(std::int64_t in, const EfficientNetBlockDef& def, int stride, double dropPath)
        : m_skip(stride == 1 && in == def.outChannels && !def.noSkip), m_dropPath(dropPath)
    {
        conv_dw = register_module("conv_dw", makeConv(in, in, def.kernel, stride, in));
        bn1 = register_module("bn1", makeBatchNorm(in));
        if (def.seRatio > 0)
            se = register_module("se", std::make_shared<SqueezeExcite>(in, seChannels(in, def)));
        conv_pw = register_module("conv_pw", makeConv(in, def.outChannels, 1));
        bn2 = register_module("bn2", makeBatchNorm(def.outChannels));
    }
    torch::Tensor forward(const torch::Tensor& input) override
    {
        torch::Tensor x = torch::silu(bn1->forward(conv_dw->forward(input)));
        if (se) x = se->forward(x);
        x = bn2->forward(conv_pw->forward(x));
        return m_skip ? dropPath(x, m_dropPath, is_training()) + input : x;
    }

    torch::nn::Conv2d conv_dw{nullptr}, conv_pw{nullptr};
    torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
    std::shared_ptr<SqueezeExcite> se;

private:
    bool m_skip;
    double m_dropPath;
};

// timm InvertedResidual: conv_pw, bn1(+act), conv_dw, bn2(+act), se, conv_pwl, bn3 (no act), optional skip.
class InvertedResidual : public Block
{
public:
    InvertedResidual(std::int64_t in, const EfficientNetBlockDef& def, int stride, double dropPath)
        : m_skip(stride == 1 && in == def.outChannels && !def.noSkip), m_dropPath(dropPath)
    {
        const std::int64_t mid = makeDivisible(static_cast<double>(in) * def.expRatio);
        conv_pw = register_module("conv_pw", makeConv(in, mid, 1));
        bn1 = register_module("bn1", makeBatchNorm(mid));
        conv_dw = register_module("conv_dw", makeConv(mid, mid, def.kernel, stride, mid));
        bn2 = register_module("bn2", makeBatchNorm(mid));
        if (def.seRatio > 0)
            se = register_module("se", std::make_shared<SqueezeExcite>(mid, seChannels(mid, def)));
        conv_pwl = register_module("conv_pwl", makeConv(mid, def.outChannels, 1));
        bn3 = register_module("bn3", makeBatchNorm(def.outChannels));
    }
    torch::Tensor forward(const torch::Tensor& input) override
    {
        torch::Tensor x = torch::silu(bn1->forward(conv_pw->forward(input)));
        x = torch::silu(bn2->forward(conv_dw->forward(x)));
        if (se) x = se->forward(x);
        x = bn3->forward(conv_pwl->forward(x));
        return m_skip ? dropPath(x, m_dropPath, is_training()) + input : x;
    }

    torch::nn::Conv2d conv_pw{nullptr}, conv_dw{nullptr}, conv_pwl{nullptr};
    torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr}, bn3{nullptr};
    std::shared_ptr<SqueezeExcite> se;

private:
    bool m_skip;
    double m_dropPath;
};

class EfficientNet : public Encoder
{
public:
    EfficientNet(const std::string& arch, const EfficientNetConfig& config, const EncoderOptions& options)
        : Encoder(arch, options.inChannels)
    {
        if (options.inChannels < 1) throw Error(arch + ": in_chans must be at least 1");
        std::vector<std::vector<EfficientNetBlockDef>> stages;
        int totalBlocks = 0;
        for (const auto& stageStrings : config.archDef) {
            stages.emplace_back();
            for (const auto& s : stageStrings) {
                EfficientNetBlockDef def = decodeEfficientNetBlock(s);
                for (int r = 0; r < def.repeats; ++r)
                    stages.back().push_back(def);
                totalBlocks += def.repeats;
            }
        }

        conv_stem = register_module("conv_stem", makeConv(options.inChannels, config.stemSize, 3, 2));
        bn1 = register_module("bn1", makeBatchNorm(config.stemSize));
        blocks = register_module("blocks", torch::nn::ModuleList());
        std::int64_t in = config.stemSize;
        int blockIndex = 0;
        for (const auto& stage : stages) {
            torch::nn::ModuleList stageList;
            for (std::size_t b = 0; b < stage.size(); ++b) {
                const EfficientNetBlockDef& def = stage[b];
                const int stride = b == 0 ? def.stride : 1; // only a stage's first block strides
                // timm: drop_path_rate * block_idx / block_count over the whole network.
                const double dpr = options.dropPathRate * blockIndex / totalBlocks;
                std::shared_ptr<Block> block;
                if (def.type == EfficientNetBlockDef::Type::DepthwiseSeparable)
                    block = std::make_shared<DepthwiseSeparable>(in, def, stride, dpr);
                else
                    block = std::make_shared<InvertedResidual>(in, def, stride, dpr);
                stageList->push_back(block);
                m_flat.push_back(block);
                in = def.outChannels;
                ++blockIndex;
            }
            m_stageSizes.push_back(static_cast<int>(stage.size()));
            blocks->push_back(stageList);
        }
        conv_head = register_module("conv_head", makeConv(in, config.numFeatures, 1));
        bn2 = register_module("bn2", makeBatchNorm(config.numFeatures));
        m_numFeatures = config.numFeatures;
        initWeights();
    }

    torch::Tensor featureMap(const torch::Tensor& input) override
    {
        torch::Tensor x = torch::silu(bn1->forward(conv_stem->forward(input)));
        for (auto& block : m_flat)
            x = block->forward(x);
        x = torch::silu(bn2->forward(conv_head->forward(x)));
        return x;
    }

    std::int64_t numFeatures() const override { return m_numFeatures; }

    std::vector<BlockGroup> blockGroups(BlockGranularity granularity) const override
    {
        std::vector<BlockGroup> groups{{"stem", {"conv_stem", "bn1"}}};
        for (std::size_t s = 0; s < m_stageSizes.size(); ++s) {
            const std::string stage = "blocks." + std::to_string(s);
            if (granularity == BlockGranularity::Stage) {
                groups.push_back({stage, {stage}});
                continue;
            }
            for (int b = 0; b < m_stageSizes[s]; ++b) {
                const std::string name = stage + "." + std::to_string(b);
                groups.push_back({name, {name}});
            }
        }
        groups.push_back({"conv_head", {"conv_head", "bn2"}});
        return groups;
    }

    torch::nn::Conv2d conv_stem{nullptr}, conv_head{nullptr};
    torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
    torch::nn::ModuleList blocks{nullptr};

private:
    // timm _init_weight_goog: conv ~ N(0, sqrt(2 / fan_out)) with fan_out = k*k*out/groups, BN 1/0.
    void initWeights()
    {
        for (auto& module : modules(/*include_self=*/false)) {
            if (auto* conv = module->as<torch::nn::Conv2d>()) {
                const auto& o = conv->options;
                const auto k = (*o.kernel_size())[0] * (*o.kernel_size())[1];
                const double fanOut = static_cast<double>(k * o.out_channels() / o.groups());
                initNormal(conv->weight, std::sqrt(2.0 / fanOut));
                if (conv->bias.defined()) {
                    torch::NoGradGuard noGrad;
                    conv->bias.zero_();
                }
            } else if (auto* bn = module->as<torch::nn::BatchNorm2d>()) {
                torch::NoGradGuard noGrad;
                bn->weight.fill_(1.0);
                bn->bias.zero_();
            }
        }
    }

    std::vector<std::shared_ptr<Block>> m_flat;
    std::vector<int> m_stageSizes;
    std::int64_t m_numFeatures = 0;
};

} // namespace

EfficientNetBlockDef decodeEfficientNetBlock(const std::string& blockString)
{
    std::vector<std::string> ops;
    std::stringstream ss(blockString);
    for (std::string op; std::getline(ss, op, '_');)
        ops.push_back(op);
    auto fail = [&](const std::string& why) -> Error {
        return Error("EfficientNet block '" + blockString + "': " + why);
    };
    if (ops.empty()) throw fail("empty");
    EfficientNetBlockDef def;
    if (ops[0] == "ds")
        def.type = EfficientNetBlockDef::Type::DepthwiseSeparable;
    else if (ops[0] == "ir")
        def.type = EfficientNetBlockDef::Type::InvertedResidual;
    else
        throw fail("unsupported block type '" + ops[0] + "' (supported: ds, ir)");
    bool haveChannels = false;
    for (std::size_t i = 1; i < ops.size(); ++i) {
        const std::string& op = ops[i];
        if (op == "noskip") {
            def.noSkip = true;
            continue;
        }
        // timm splits each option at its first digit: "se0.25" -> ("se", "0.25").
        const std::size_t digit = op.find_first_of("0123456789");
        if (digit == 0 || digit == std::string::npos) throw fail("cannot parse option '" + op + "'");
        const std::string key = op.substr(0, digit), value = op.substr(digit);
        try {
            std::size_t used = 0;
            if (key == "r")
                def.repeats = std::stoi(value, &used);
            else if (key == "k")
                def.kernel = std::stoi(value, &used);
            else if (key == "s")
                def.stride = std::stoi(value, &used);
            else if (key == "c") {
                def.outChannels = std::stoi(value, &used);
                haveChannels = true;
            } else if (key == "e")
                def.expRatio = std::stod(value, &used);
            else if (key == "se")
                def.seRatio = std::stod(value, &used);
            else
                throw fail("unsupported option '" + op + "'");
            if (used != value.size()) throw fail("cannot parse option '" + op + "'");
        } catch (const std::logic_error&) { // stoi/stod: invalid_argument, out_of_range
            throw fail("cannot parse option '" + op + "'");
        }
    }
    if (!haveChannels || def.outChannels < 1 || def.repeats < 1 || def.kernel < 1 || def.stride < 1 ||
        def.expRatio <= 0)
        throw fail("needs positive c, r, k, s and e");
    // A ds block has no expansion: timm leaves exp_ratio out of its arguments, so SE divides by 1.
    if (def.type == EfficientNetBlockDef::Type::DepthwiseSeparable) def.expRatio = 1.0;
    return def;
}

EfficientNetConfig efficientNetB0Config()
{
    EfficientNetConfig c;
    c.archDef = {{"ds_r1_k3_s1_e1_c16_se0.25"},  {"ir_r2_k3_s2_e6_c24_se0.25"},
                 {"ir_r2_k5_s2_e6_c40_se0.25"},  {"ir_r3_k3_s2_e6_c80_se0.25"},
                 {"ir_r3_k5_s1_e6_c112_se0.25"}, {"ir_r4_k5_s2_e6_c192_se0.25"},
                 {"ir_r1_k3_s1_e6_c320_se0.25"}};
    c.stemSize = 32;
    c.numFeatures = 1280;
    return c;
}

std::shared_ptr<Encoder> buildEfficientNet(const std::string& arch, const EfficientNetConfig& config,
                                           const EncoderOptions& options)
{
    return std::make_shared<EfficientNet>(arch, config, options);
}

void registerEfficientNetModels()
{
    registerModel("efficientnet_b0", [](const EncoderOptions& o) {
        return buildEfficientNet("efficientnet_b0", efficientNetB0Config(), o);
    });
    // Same code paths (ds and ir blocks, SE, skips, k3/k5, strides) at a size CPU tests run in milliseconds.
    registerModel(
        "tiny_efficientnet",
        [](const EncoderOptions& o) {
            EfficientNetConfig c;
            c.archDef = {{"ds_r1_k3_s1_e1_c8_se0.25"},
                         {"ir_r2_k3_s2_e4_c16_se0.25"},
                         {"ir_r1_k5_s2_e4_c24_se0.25", "ir_r1_k3_s1_e4_c24_se0.25"}};
            c.stemSize = 8;
            c.numFeatures = 32;
            return buildEfficientNet("tiny_efficientnet", c, o);
        },
        ModelKind::Tiny);
}

} // namespace rm
