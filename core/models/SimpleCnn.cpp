#include "models/SimpleCnn.h"

#include "models/Layers.h"
#include "models/ModelRegistry.h"
#include "util/Error.h"

namespace rm {

namespace {

class SimpleCnn : public Encoder
{
public:
    explicit SimpleCnn(const EncoderOptions& options) : Encoder("simple_cnn", options.inChannels)
    {
        if (options.inChannels < 1) throw Error("simple_cnn: in_chans must be at least 1");
        conv1 = register_module("conv1", makeConv(options.inChannels, 32, 3));
        bn1 = register_module("bn1", makeBatchNorm(32));
        conv2 = register_module("conv2", makeConv(32, 64, 3));
        bn2 = register_module("bn2", makeBatchNorm(64));
        conv3 = register_module("conv3", makeConv(64, 128, 3));
        bn3 = register_module("bn3", makeBatchNorm(128));
    }

    torch::Tensor featureMap(const torch::Tensor& input) override
    {
        torch::Tensor x = torch::max_pool2d(torch::relu(bn1->forward(conv1->forward(input))), {2, 2});
        x = torch::max_pool2d(torch::relu(bn2->forward(conv2->forward(x))), {2, 2});
        x = torch::relu(bn3->forward(conv3->forward(x)));
        return x;
    }

    std::int64_t numFeatures() const override { return 128; }

    std::vector<BlockGroup> blockGroups(BlockGranularity) const override
    {
        return {{"conv1", {"conv1", "bn1"}}, {"conv2", {"conv2", "bn2"}}, {"conv3", {"conv3", "bn3"}}};
    }

    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
    torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr}, bn3{nullptr};
};

} // namespace

std::shared_ptr<Encoder> buildSimpleCnn(const EncoderOptions& options)
{
    return std::make_shared<SimpleCnn>(options);
}

void registerSimpleCnnModels()
{
    registerModel("simple_cnn", buildSimpleCnn);
}

} // namespace rm
