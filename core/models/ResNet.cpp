#include "models/ResNet.h"

#include "models/Layers.h"
#include "models/ModelRegistry.h"
#include "util/Error.h"

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/container/sequential.h>

#include <cmath>

namespace rm {

namespace {

class Block : public torch::nn::Module
{
public:
    virtual torch::Tensor forward(const torch::Tensor& x) = 0;
    // The BN whose weight timm zero-initialises (zero_init_last) so each residual branch starts as identity.
    virtual torch::nn::BatchNorm2d& lastBatchNorm() = 0;
};

// timm downsample_conv with kernel 1: Sequential(conv 1x1 stride s, BN) -> keys downsample.0/.1.
torch::nn::Sequential makeDownsample(std::int64_t in, std::int64_t out, int stride)
{
    return torch::nn::Sequential(makeConv(in, out, 1, stride), makeBatchNorm(out));
}

class BasicBlock : public Block
{
public:
    static constexpr int expansion = 1;
    BasicBlock(std::int64_t in, std::int64_t planes, int stride, bool downsampleNeeded, double dropPath)
        : m_dropPath(dropPath)
    {
        conv1 = register_module("conv1", makeConv(in, planes, 3, stride));
        bn1 = register_module("bn1", makeBatchNorm(planes));
        conv2 = register_module("conv2", makeConv(planes, planes * expansion, 3));
        bn2 = register_module("bn2", makeBatchNorm(planes * expansion));
        if (downsampleNeeded)
            downsample = register_module("downsample", makeDownsample(in, planes * expansion, stride));
    }
    torch::Tensor forward(const torch::Tensor& input) override
    {
        torch::Tensor x = torch::relu(bn1->forward(conv1->forward(input)));
        x = bn2->forward(conv2->forward(x));
        x = dropPath(x, m_dropPath, is_training());
        return torch::relu(x + (downsample ? downsample->forward(input) : input));
    }
    torch::nn::BatchNorm2d& lastBatchNorm() override { return bn2; }

    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
    torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
    torch::nn::Sequential downsample{nullptr};

private:
    double m_dropPath;
};

// Stride on the 3x3 conv (ResNet "v1.5"), as timm and torchvision do.
class Bottleneck : public Block
{
public:
    static constexpr int expansion = 4;
    Bottleneck(std::int64_t in, std::int64_t planes, int stride, bool downsampleNeeded, double dropPath)
        : m_dropPath(dropPath)
    {
        conv1 = register_module("conv1", makeConv(in, planes, 1));
        bn1 = register_module("bn1", makeBatchNorm(planes));
        conv2 = register_module("conv2", makeConv(planes, planes, 3, stride));
        bn2 = register_module("bn2", makeBatchNorm(planes));
        conv3 = register_module("conv3", makeConv(planes, planes * expansion, 1));
        bn3 = register_module("bn3", makeBatchNorm(planes * expansion));
        if (downsampleNeeded)
            downsample = register_module("downsample", makeDownsample(in, planes * expansion, stride));
    }
    torch::Tensor forward(const torch::Tensor& input) override
    {
        torch::Tensor x = torch::relu(bn1->forward(conv1->forward(input)));
        x = torch::relu(bn2->forward(conv2->forward(x)));
        x = bn3->forward(conv3->forward(x));
        x = dropPath(x, m_dropPath, is_training());
        return torch::relu(x + (downsample ? downsample->forward(input) : input));
    }
    torch::nn::BatchNorm2d& lastBatchNorm() override { return bn3; }

    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
    torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr}, bn3{nullptr};
    torch::nn::Sequential downsample{nullptr};

private:
    double m_dropPath;
};

class ResNet : public Encoder
{
public:
    ResNet(const std::string& arch, const ResNetConfig& config, const EncoderOptions& options)
        : Encoder(arch, options.inChannels)
    {
        if (options.inChannels < 1) throw Error(arch + ": in_chans must be at least 1");
        if (config.layers.size() != config.channels.size() || config.layers.empty())
            throw Error(arch + ": layers and channels must have the same, non-zero length");
        const int expansion = config.bottleneck ? Bottleneck::expansion : BasicBlock::expansion;
        int totalBlocks = 0;
        for (int n : config.layers)
            totalBlocks += n;

        conv1 = register_module(
            "conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(options.inChannels, config.stemWidth, 7)
                                           .stride(2)
                                           .padding(3)
                                           .bias(false)));
        bn1 = register_module("bn1", makeBatchNorm(config.stemWidth));
        std::int64_t in = config.stemWidth;
        int blockIndex = 0;
        for (std::size_t s = 0; s < config.layers.size(); ++s) {
            torch::nn::ModuleList stage;
            const std::int64_t planes = config.channels[s];
            const int stageStride = s == 0 ? 1 : 2;
            for (int b = 0; b < config.layers[s]; ++b) {
                const int stride = b == 0 ? stageStride : 1;
                const bool down = b == 0 && (stride != 1 || in != planes * expansion);
                // timm: drop_path_rate * block_idx / (blocks - 1), a linear ramp to the last block.
                const double dpr =
                    totalBlocks > 1 ? options.dropPathRate * blockIndex / (totalBlocks - 1) : 0.0;
                std::shared_ptr<Block> block;
                if (config.bottleneck)
                    block = std::make_shared<Bottleneck>(in, planes, stride, down, dpr);
                else
                    block = std::make_shared<BasicBlock>(in, planes, stride, down, dpr);
                stage->push_back(block);
                m_flat.push_back(block);
                in = planes * expansion;
                ++blockIndex;
            }
            m_stageSizes.push_back(config.layers[s]);
            m_layers.push_back(register_module("layer" + std::to_string(s + 1), stage));
        }
        m_numFeatures = in;
        initWeights();
    }

    torch::Tensor featureMap(const torch::Tensor& input) override
    {
        torch::Tensor x = torch::relu(bn1->forward(conv1->forward(input)));
        x = torch::max_pool2d(x, /*kernel_size=*/{3, 3}, /*stride=*/{2, 2}, /*padding=*/{1, 1});
        for (auto& block : m_flat)
            x = block->forward(x);
        return x;
    }

    std::int64_t numFeatures() const override { return m_numFeatures; }

    std::vector<BlockGroup> blockGroups(BlockGranularity granularity) const override
    {
        std::vector<BlockGroup> groups{{"stem", {"conv1", "bn1"}}};
        for (std::size_t s = 0; s < m_stageSizes.size(); ++s) {
            const std::string stage = "layer" + std::to_string(s + 1);
            if (granularity == BlockGranularity::Stage) {
                groups.push_back({stage, {stage}});
                continue;
            }
            for (int b = 0; b < m_stageSizes[s]; ++b) {
                const std::string name = stage + "." + std::to_string(b);
                groups.push_back({name, {name}});
            }
        }
        return groups;
    }

    torch::nn::Conv2d conv1{nullptr};
    torch::nn::BatchNorm2d bn1{nullptr};

private:
    // timm ResNet.init_weights: conv kaiming_normal(fan_out, relu), BN 1/0, then zero_init_last.
    void initWeights()
    {
        for (auto& module : modules(/*include_self=*/false)) {
            if (auto* conv = module->as<torch::nn::Conv2d>()) {
                const auto& o = conv->options;
                const auto fanOut = (*o.kernel_size())[0] * (*o.kernel_size())[1] * o.out_channels();
                initNormal(conv->weight, std::sqrt(2.0 / static_cast<double>(fanOut)));
            } else if (auto* bn = module->as<torch::nn::BatchNorm2d>()) {
                torch::NoGradGuard noGrad;
                bn->weight.fill_(1.0);
                bn->bias.zero_();
            }
        }
        for (auto& block : m_flat)
            initBatchNorm(block->lastBatchNorm(), 0.0);
    }

    std::vector<std::shared_ptr<Block>> m_flat;
    std::vector<torch::nn::ModuleList> m_layers;
    std::vector<int> m_stageSizes;
    std::int64_t m_numFeatures = 0;
};

} // namespace

ResNetConfig resNet18Config()
{
    return ResNetConfig{false, {2, 2, 2, 2}, {64, 128, 256, 512}, 64};
}

ResNetConfig resNet50Config()
{
    return ResNetConfig{true, {3, 4, 6, 3}, {64, 128, 256, 512}, 64};
}

std::shared_ptr<Encoder> buildResNet(const std::string& arch, const ResNetConfig& config,
                                     const EncoderOptions& options)
{
    return std::make_shared<ResNet>(arch, config, options);
}

void registerResNetModels()
{
    registerModel("resnet18",
                  [](const EncoderOptions& o) { return buildResNet("resnet18", resNet18Config(), o); });
    registerModel("resnet50",
                  [](const EncoderOptions& o) { return buildResNet("resnet50", resNet50Config(), o); });
    // Reduced widths and depths of the same two block types, for CPU tests.
    registerModel(
        "tiny_resnet_basic",
        [](const EncoderOptions& o) {
            return buildResNet("tiny_resnet_basic", ResNetConfig{false, {1, 1, 1, 2}, {8, 16, 16, 24}, 8}, o);
        },
        ModelKind::Tiny);
    registerModel(
        "tiny_resnet_bottleneck",
        [](const EncoderOptions& o) {
            return buildResNet("tiny_resnet_bottleneck", ResNetConfig{true, {1, 1, 1, 2}, {4, 8, 8, 8}, 8},
                               o);
        },
        ModelKind::Tiny);
}

} // namespace rm
