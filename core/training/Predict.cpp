// predictScores: a saved model's scores on records, evaluation view.
#include "training/Trainer.h"

#include "imaging/BatchLoader.h"
#include "models/WeightsIO.h"
#include "training/Device.h"
#include "util/Error.h"

#include <torch/autograd.h>

#include <limits>

namespace rm {

std::vector<float> predictScores(const std::string& weightsPath, const RecordSource& source,
                                 const std::vector<std::size_t>& indices, const ViewParams& view,
                                 int batchSize, const std::string& deviceName,
                                 const std::function<bool()>& cancelled)
{
    torch::NoGradGuard noGrad;
    if (batchSize < 1) throw Error("predict: batch size must be at least 1");
    const torch::Device device = resolveDevice(deviceName);
    const bool cuda = device.is_cuda();
    auto model = loadModel(weightsPath);
    if (model->options().inChannels != view.channels)
        throw Error("predict: '" + weightsPath + "' takes " + std::to_string(model->options().inChannels) +
                    "-channel images but the view gives " + std::to_string(view.channels));
    model->to(device);
    if (cuda) toChannelsLast(*model);
    model->eval();

    BatchLoaderOptions options;
    options.batchSize = static_cast<std::size_t>(batchSize);
    options.view = view;
    options.view.augment = false;
    options.shuffle = false;
    options.prefetchNextEpoch = false;
    // The loader shares ownership of its source; this one belongs to the caller and outlives the call.
    std::shared_ptr<const RecordSource> borrowed(&source, [](const RecordSource*) {});
    BatchLoader loader(borrowed, indices, options);

    std::vector<float> scores(indices.size(), std::numeric_limits<float>::quiet_NaN());
    // The loader serves the available records in the given order; map them back to their positions.
    std::vector<std::size_t> positions;
    positions.reserve(indices.size());
    for (std::size_t p = 0; p < indices.size(); ++p)
        if (source.available(indices[p])) positions.push_back(p);

    loader.startEpoch(0);
    std::size_t served = 0;
    while (std::optional<Batch> batch = loader.next()) {
        if (cancelled && cancelled()) return {};
        const torch::Tensor x = uploadImages(batch->data.data(), batch->size, batch->channels, batch->height,
                                             batch->width, device, cuda);
        torch::Tensor s;
        {
            AutocastScope autocast(cuda);
            s = torch::sigmoid(model->forward(x).to(torch::kFloat)).to(torch::kCPU).contiguous();
        }
        const float* v = s.data_ptr<float>();
        for (int i = 0; i < batch->size; ++i, ++served)
            if (batch->valid[i]) scores[positions[served]] = v[i];
        loader.recycle(std::move(*batch));
    }
    return scores;
}

} // namespace rm
