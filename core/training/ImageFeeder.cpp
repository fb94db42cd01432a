#include "training/ImageFeeder.h"

#include "training/Device.h"

#include <torch/autograd.h>

#include <algorithm>

namespace rm {

BatchLoaderOptions loaderOptions(const TrainConfig& config, bool training)
{
    BatchLoaderOptions o;
    o.batchSize = static_cast<std::size_t>(config.batchSize);
    o.view = config.view;
    if (!training) o.view.augment = false;
    o.shuffle = training;
    o.seed = config.seed;
    o.threads = config.loaderThreads;
    return o;
}

BatchTargets batchTargets(const Batch& batch, const std::vector<int>& labels)
{
    BatchTargets t;
    t.labels.resize(batch.size);
    t.mask.resize(batch.size);
    for (int i = 0; i < batch.size; ++i) {
        t.labels[i] = labels[batch.indices[i]] == 1 ? 1.0f : 0.0f;
        t.mask[i] = batch.valid[i] ? 1.0f : 0.0f;
        t.valid += batch.valid[i] ? 1 : 0;
    }
    return t;
}

ImageFeeder::ImageFeeder(TrainSession& session, const TrainData& data)
    : m_session(session), m_labels(data.labels),
      m_train(data.source, data.train, loaderOptions(session.config, true)),
      m_val(data.source, data.val, loaderOptions(session.config, false))
{
}

int ImageFeeder::stepsPerEpoch() const
{
    const int batches = static_cast<int>(m_train.batchesPerEpoch());
    const int cap = m_session.config.maxStepsPerEpoch;
    return cap > 0 ? std::min(cap, batches) : batches;
}

EpochStats ImageFeeder::train(int epoch, TrainStepper& stepper)
{
    RingClassifier& model = *m_session.model;
    const bool channelsLast = m_session.channelsLast;
    m_train.startEpoch(static_cast<std::uint64_t>(epoch));
    const int steps = stepsPerEpoch();
    for (int s = 0; s < steps; ++s) {
        if (m_session.cancelled()) return stepper.endEpoch(true);
        std::optional<Batch> batch = m_train.next();
        if (!batch) break;
        const BatchTargets t = batchTargets(*batch, m_labels);
        const torch::Tensor x = uploadImages(batch->data.data(), batch->size, batch->channels, batch->height,
                                             batch->width, m_session.device, channelsLast);
        const torch::Tensor y = uploadFloats(t.labels, m_session.device);
        const torch::Tensor m = uploadFloats(t.mask, m_session.device);
        stepper.step([&] { return model.forward(x); }, y, m, t.valid, batch->size);
        m_session.encoderImages += batch->size;
        // On the CPU x wraps the batch's buffer: hand it back only once the step that read it is done.
        m_train.recycle(std::move(*batch));
    }
    return stepper.endEpoch(false);
}

std::optional<Evaluation> ImageFeeder::validate(int epoch)
{
    torch::NoGradGuard noGrad;
    RingClassifier& model = *m_session.model;
    model.eval();
    m_val.startEpoch(static_cast<std::uint64_t>(epoch));
    std::vector<torch::Tensor> logits, labels, masks;
    while (std::optional<Batch> batch = m_val.next()) {
        if (m_session.cancelled()) return std::nullopt;
        const BatchTargets t = batchTargets(*batch, m_labels);
        const torch::Tensor x = uploadImages(batch->data.data(), batch->size, batch->channels, batch->height,
                                             batch->width, m_session.device, m_session.channelsLast);
        {
            AutocastScope autocast(m_session.autocast);
            logits.push_back(model.forward(x).to(torch::kFloat));
        }
        labels.push_back(uploadFloats(t.labels, m_session.device));
        masks.push_back(uploadFloats(t.mask, m_session.device));
        m_session.encoderImages += batch->size;
        m_val.recycle(std::move(*batch));
    }
    if (logits.empty())
        return evaluate(torch::empty({0}), torch::empty({0}), torch::empty({0}), m_session.loss);
    return evaluate(torch::cat(logits), torch::cat(labels), torch::cat(masks), m_session.loss);
}

} // namespace rm
