// predictScores: a saved model's scores on records, evaluation view.
#include "training/PredictTta.h"

#include "models/WeightsIO.h"
#include "training/BatchLoader.h"
#include "training/Device.h"
#include "training/FeatureBaseline.h"
#include "training/Predict.h"
#include "util/Error.h"

#include <torch/autograd.h>

#include <cmath>
#include <limits>

namespace rm {

namespace {

// Scores (and, with tta, their spread over the 8 dihedral views) of the records in the given order.
std::vector<float> scoreRecords(const std::string& weightsPath, const RecordSource& source,
                                const std::vector<std::size_t>& indices, const ViewParams& view,
                                int batchSize, const std::string& deviceName,
                                const std::function<bool()>& cancelled, std::vector<float>* spread)
{
    if (batchSize < 1) throw Error("predict: batch size must be at least 1");
    if (isFeatureModelFile(weightsPath)) {
        // Radial profiles and zone colours do not change under the square's 8 symmetries: no spread.
        std::vector<float> scores = featureModelScores(weightsPath, source, indices, view, cancelled);
        if (spread) spread->assign(scores.size(), 0.0f);
        if (spread)
            for (std::size_t i = 0; i < scores.size(); ++i)
                if (!std::isfinite(scores[i])) (*spread)[i] = scores[i];
        return scores;
    }
    torch::NoGradGuard noGrad;
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

    const bool tta = spread != nullptr;
    if (tta && view.width != view.height)
        throw Error("test-time augmentation needs square images, the view is " + std::to_string(view.width) +
                    "x" + std::to_string(view.height));
    std::vector<float> scores(indices.size(), std::numeric_limits<float>::quiet_NaN());
    if (tta) spread->assign(indices.size(), std::numeric_limits<float>::quiet_NaN());
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
        torch::Tensor s, sd;
        {
            AutocastScope autocast(cuda);
            if (!tta) {
                s = torch::sigmoid(model->forward(x).to(torch::kFloat)).to(torch::kCPU).contiguous();
            } else {
                // The 8 symmetries of the square: 4 rotations of the image and 4 of its mirror image.
                std::vector<torch::Tensor> views;
                for (int flip = 0; flip < 2; ++flip) {
                    const torch::Tensor base = flip ? x.flip({3}) : x;
                    for (int k = 0; k < 4; ++k) {
                        const torch::Tensor v = k ? torch::rot90(base, k, {2, 3}).contiguous() : base;
                        views.push_back(torch::sigmoid(model->forward(v).to(torch::kFloat)));
                    }
                }
                const torch::Tensor all = torch::stack(views); // 8 x N
                s = all.mean(0).to(torch::kCPU).contiguous();
                sd = all.std(0, /*unbiased=*/false).to(torch::kCPU).contiguous();
            }
        }
        const float* v = s.data_ptr<float>();
        const float* d = tta ? sd.data_ptr<float>() : nullptr;
        for (int i = 0; i < batch->size; ++i, ++served) {
            if (!batch->valid[i]) continue;
            scores[positions[served]] = v[i];
            if (d) (*spread)[positions[served]] = d[i];
        }
        loader.recycle(std::move(*batch));
    }
    return scores;
}

} // namespace

std::vector<float> predictScores(const std::string& weightsPath, const RecordSource& source,
                                 const std::vector<std::size_t>& indices, const ViewParams& view,
                                 int batchSize, const std::string& deviceName,
                                 const std::function<bool()>& cancelled)
{
    return scoreRecords(weightsPath, source, indices, view, batchSize, deviceName, cancelled, nullptr);
}

std::vector<float> predictScoresTta(const std::string& weightsPath, const RecordSource& source,
                                    const std::vector<std::size_t>& indices, const ViewParams& view,
                                    int batchSize, const std::string& deviceName, std::vector<float>& spread,
                                    const std::function<bool()>& cancelled)
{
    return scoreRecords(weightsPath, source, indices, view, batchSize, deviceName, cancelled, &spread);
}

} // namespace rm
