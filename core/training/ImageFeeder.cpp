#include "training/ImageFeeder.h"

#include "training/Device.h"
#include "util/Error.h"
#include "util/Random.h"

#include <torch/autograd.h>
#include <torch/nn/functional/loss.h>

#include <algorithm>
#include <cmath>
#include <limits>

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

namespace {

// Passes over the unlabelled pool within one labelled epoch are numbered from epoch * kPassesPerEpoch.
constexpr std::uint64_t kPassesPerEpoch = std::uint64_t(1) << 20;

BatchLoaderOptions unlabelledOptions(const TrainConfig& config, std::size_t poolSize, bool strong)
{
    BatchLoaderOptions o = loaderOptions(config, true);
    const std::size_t perStep = std::size_t(config.semiSupervised.mu) * std::size_t(config.batchSize);
    o.batchSize = std::max<std::size_t>(1, std::min(perStep, poolSize));
    o.dropLast = true;           // every step sees the same number of unlabelled images
    o.prefetchNextEpoch = false; // the next pass's number is only known when this one runs out
    o.view.augment = true;
    if (strong) o.view.augmentation = strongAugmentation(config.view.augmentation);
    // Same seed (same order), different view seeds (different augmentations of each image).
    o.viewSeed = mixSeed(config.seed, 0xf1c5ull, strong ? 2 : 1);
    return o;
}

} // namespace

struct ImageFeeder::Unlabelled
{
    Unlabelled(const TrainData& data, const TrainConfig& config)
        : weak(data.unlabelled, data.unlabelledRecords,
               unlabelledOptions(config, data.unlabelledRecords.size(), false)),
          strong(data.unlabelled, data.unlabelledRecords,
                 unlabelledOptions(config, data.unlabelledRecords.size(), true))
    {
        if (weak.batchesPerEpoch() == 0)
            throw Error("semi-supervised training: none of the " +
                        std::to_string(data.unlabelledRecords.size()) + " unlabelled images can be loaded");
        // logit(threshold): confident when the logit is at least this far from 0 (p >= t or p <= 1 - t).
        // Comparing logits keeps threshold 1 exact: an infinite margin that no finite logit reaches.
        const double t = config.semiSupervised.threshold;
        margin = t >= 1 ? std::numeric_limits<double>::infinity() : std::log(t / (1 - t));
    }

    void start(std::uint64_t pass)
    {
        weak.startEpoch(pass);
        strong.startEpoch(pass);
    }

    BatchLoader weak, strong;
    double margin = 0;
    std::uint64_t pass = 0;
    // This epoch's sums.
    double lossSum = 0;
    std::int64_t steps = 0, confident = 0, seen = 0;
};

ImageFeeder::ImageFeeder(TrainSession& session, const TrainData& data)
    : m_session(session), m_labels(data.labels),
      m_train(data.source, data.train, loaderOptions(session.config, true)),
      m_val(data.source, data.val, loaderOptions(session.config, false))
{
    if (session.config.semiSupervised.enabled()) {
        if (!data.unlabelled || data.unlabelledRecords.empty())
            throw Error("semi-supervised training: the unlabelled pool is empty");
        m_unlabelled = std::make_unique<Unlabelled>(data, session.config);
    }
}

ImageFeeder::~ImageFeeder() = default;

std::pair<Batch, Batch> ImageFeeder::nextUnlabelled(int epoch)
{
    Unlabelled& u = *m_unlabelled;
    for (int attempt = 0; attempt < 2; ++attempt) {
        std::optional<Batch> weak = u.weak.next();
        std::optional<Batch> strong = u.strong.next();
        if (weak && strong) return {std::move(*weak), std::move(*strong)};
        u.start(std::uint64_t(epoch) * kPassesPerEpoch + ++u.pass);
    }
    throw Error("semi-supervised training: the unlabelled loader served no batch");
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
    if (m_unlabelled) {
        Unlabelled& u = *m_unlabelled;
        u.pass = 0;
        u.start(std::uint64_t(epoch) * kPassesPerEpoch);
        u.lossSum = 0;
        u.steps = u.confident = u.seen = 0;
    }
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
        if (!m_unlabelled) {
            stepper.step([&] { return model.forward(x); }, y, m, t.valid, batch->size);
        } else {
            auto [weak, strong] = nextUnlabelled(epoch);
            fixMatchStep(stepper, x, y, m, t.valid, batch->size, weak, strong);
            m_unlabelled->weak.recycle(std::move(weak));
            m_unlabelled->strong.recycle(std::move(strong));
        }
        m_session.encoderImages += batch->size;
        // On the CPU x wraps the batch's buffer: hand it back only once the step that read it is done.
        m_train.recycle(std::move(*batch));
    }
    EpochStats stats = stepper.endEpoch(false);
    if (m_unlabelled) {
        const Unlabelled& u = *m_unlabelled;
        stats.unlabelledLoss =
            u.steps > 0 ? u.lossSum / double(u.steps) : std::numeric_limits<double>::quiet_NaN();
        stats.maskRate =
            u.seen > 0 ? double(u.confident) / double(u.seen) : std::numeric_limits<double>::quiet_NaN();
    }
    return stats;
}

void ImageFeeder::fixMatchStep(TrainStepper& stepper, const torch::Tensor& x, const torch::Tensor& y,
                               const torch::Tensor& m, int valid, int batchSize, const Batch& weak,
                               const Batch& strong)
{
    RingClassifier& model = *m_session.model;
    Unlabelled& u = *m_unlabelled;
    const SemiSupervisedConfig& semi = m_session.config.semiSupervised;
    // Pseudo-labels from the weak view: evaluation mode, no gradients.
    std::vector<float> usable(static_cast<std::size_t>(weak.size));
    int seen = 0;
    for (int i = 0; i < weak.size; ++i) {
        usable[i] = weak.valid[i] && strong.valid[i] ? 1.0f : 0.0f;
        seen += usable[i] > 0 ? 1 : 0;
    }
    torch::Tensor weakLogits;
    {
        torch::NoGradGuard noGrad;
        model.eval();
        const torch::Tensor xw = uploadImages(weak.data.data(), weak.size, weak.channels, weak.height,
                                              weak.width, m_session.device, m_session.channelsLast);
        AutocastScope autocast(m_session.autocast);
        weakLogits = model.forward(xw).to(torch::kCPU, torch::kFloat).contiguous();
    }
    m_session.setTrainingMode();
    m_session.encoderImages += weak.size;
    std::vector<std::int64_t> picked;
    std::vector<float> pseudo;
    const float* wl = weakLogits.data_ptr<float>();
    for (int i = 0; i < weak.size; ++i) {
        if (usable[i] == 0 || !(std::fabs(double(wl[i])) >= u.margin)) continue;
        picked.push_back(i);
        pseudo.push_back(wl[i] > 0 ? 1.0f : 0.0f);
    }
    u.seen += seen;
    u.confident += static_cast<std::int64_t>(picked.size());
    u.steps += valid > 0 ? 1 : 0;
    if (picked.empty() || valid == 0) {
        // Nothing confident: exactly the supervised step (no strong forward, nothing drawn).
        stepper.step([&] { return model.forward(x); }, y, m, valid, batchSize);
        return;
    }
    const int n = static_cast<int>(picked.size());
    std::vector<float> chosen(std::size_t(n) * strong.sampleFloats());
    for (int k = 0; k < n; ++k)
        std::copy(strong.sample(int(picked[k])), strong.sample(int(picked[k])) + strong.sampleFloats(),
                  chosen.data() + std::size_t(k) * strong.sampleFloats());
    const torch::Tensor xs = uploadImages(chosen.data(), n, strong.channels, strong.height, strong.width,
                                          m_session.device, m_session.channelsLast);
    const torch::Tensor target = uploadFloats(pseudo, m_session.device);
    torch::Tensor unlabelledLoss;
    stepper.step([&] { return model.forward(x); }, y, m, valid, batchSize,
                 [&] {
                     const torch::Tensor logits = model.forward(xs).to(torch::kFloat);
                     // FixMatch's normalisation: the sum over confident images divided by all the unlabelled
                     // ones.
                     unlabelledLoss =
                         torch::binary_cross_entropy_with_logits(logits, target, {}, {}, at::Reduction::Sum) /
                         double(std::max(1, seen));
                     return unlabelledLoss * semi.lambdaU;
                 });
    m_session.encoderImages += n;
    if (unlabelledLoss.defined()) u.lossSum += unlabelledLoss.detach().item<double>();
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
