#include "training/Saliency.h"

#include "models/RingClassifier.h"
#include "models/WeightsIO.h"
#include "training/BatchLoader.h"
#include "training/Device.h"
#include "training/FeatureBaseline.h"
#include "util/Error.h"

#include <torch/torch.h>

namespace rm {

std::vector<SaliencyMap> saliencyMaps(const std::string& weightsPath, const RecordSource& source,
                                      const std::vector<std::size_t>& indices, const ViewParams& view,
                                      const std::string& deviceName)
{
    if (isFeatureModelFile(weightsPath))
        throw Error("'" + weightsPath +
                    "' is a profile_lr feature model: it has no feature map to show (its features are in the "
                    "inspector)");
    // Grad mode is thread-local: the caller's worker thread may have turned it off for scoring.
    torch::AutoGradMode grad(true);
    const torch::Device device = resolveDevice(deviceName);
    auto model = loadModel(weightsPath);
    if (model->options().inChannels != view.channels)
        throw Error("saliency: '" + weightsPath + "' takes " + std::to_string(model->options().inChannels) +
                    "-channel images but the view gives " + std::to_string(view.channels));
    model->to(device);
    model->eval();
    for (auto& p : model->parameters())
        p.set_requires_grad(false);

    BatchLoaderOptions options;
    options.batchSize = 16;
    options.view = view;
    options.view.augment = false;
    options.shuffle = false;
    options.prefetchNextEpoch = false;
    std::shared_ptr<const RecordSource> borrowed(&source, [](const RecordSource*) {});
    BatchLoader loader(borrowed, indices, options);
    if (!loader.excluded().empty())
        throw Error("saliency: record '" + source.key(loader.excluded().front()) + "' has no usable image");
    std::vector<SaliencyMap> out;
    out.reserve(indices.size());
    loader.startEpoch(0);
    while (std::optional<Batch> batch = loader.next()) {
        for (int i = 0; i < batch->size; ++i)
            if (!batch->valid[i]) throw Error("saliency: " + batch->errors[i]);
        const torch::Tensor x = uploadImages(batch->data.data(), batch->size, batch->channels, batch->height,
                                             batch->width, device, device.is_cuda());
        torch::Tensor map = model->encoder()->featureMap(x).detach().requires_grad_(true);
        torch::Tensor logit = model->head()->forward(map.mean({2, 3})).squeeze(1);
        logit.sum().backward(); // each sample's logit depends on its own map only
        const torch::Tensor weights = map.grad().mean({2, 3}, /*keepdim=*/true);
        torch::Tensor cam = torch::relu((weights * map).sum(1, /*keepdim=*/true));
        namespace F = torch::nn::functional;
        cam = F::interpolate(cam, F::InterpolateFuncOptions()
                                      .size(std::vector<std::int64_t>{batch->height, batch->width})
                                      .mode(torch::kBilinear)
                                      .align_corners(false));
        cam = cam.squeeze(1).to(torch::kFloat).to(torch::kCPU).contiguous();
        const torch::Tensor probs = torch::sigmoid(logit.detach()).to(torch::kFloat).to(torch::kCPU);
        for (int i = 0; i < batch->size; ++i) {
            SaliencyMap m;
            m.width = batch->width;
            m.height = batch->height;
            const torch::Tensor c = cam[i];
            const float peak = c.max().item<float>();
            const float* v = c.data_ptr<float>();
            m.heat.assign(v, v + std::size_t(m.width) * m.height);
            if (peak > 0)
                for (float& h : m.heat)
                    h /= peak;
            m.score = probs[i].item<float>();
            out.push_back(std::move(m));
        }
        loader.recycle(std::move(*batch));
    }
    return out;
}

} // namespace rm
