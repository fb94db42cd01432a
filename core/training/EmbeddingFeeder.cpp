#include "training/EmbeddingFeeder.h"

#include "cache/RecordSource.h"
#include "training/Device.h"
#include "util/Error.h"
#include "util/Random.h"

#include <torch/autograd.h>

#include <algorithm>
#include <chrono>
#include <numeric>

namespace rm {

namespace {

std::vector<std::size_t> availableRecords(const RecordSource& source, const std::vector<std::size_t>& indices)
{
    std::vector<std::size_t> out;
    for (std::size_t i : indices)
        if (i < source.size() && source.available(i)) out.push_back(i);
    return out;
}

torch::Tensor labelTensor(const std::vector<int>& labels, const std::vector<std::size_t>& records,
                          const torch::Device& device)
{
    std::vector<float> y(records.size());
    for (std::size_t i = 0; i < records.size(); ++i)
        y[i] = labels[records[i]] == 1 ? 1.0f : 0.0f;
    return uploadFloats(y, device);
}

} // namespace

EmbeddingFeeder::EmbeddingFeeder(TrainSession& session, const TrainData& data, std::string cachePath)
    : m_session(session), m_data(data), m_path(std::move(cachePath))
{
    // Without augmentation every view would be the same image: one is enough.
    // Epoch e trains on view e mod views, so views beyond the number of epochs would never be used.
    m_views = session.config.view.augment
                  ? std::max(1, std::min(session.config.embeddingViews, session.config.epochs))
                  : 1;
}

bool EmbeddingFeeder::prepare()
{
    const auto start = std::chrono::steady_clock::now();
    const nlohmann::json identity = embeddingIdentity(m_session.config, m_data, m_views);
    auto stored = loadEmbeddings(m_path, identity);
    if (stored && stored->first.records == availableRecords(*m_data.source, m_data.train) &&
        stored->second.records == availableRecords(*m_data.source, m_data.val)) {
        m_train = std::move(stored->first);
        m_val = std::move(stored->second);
        m_loaded = true;
        m_session.log("embeddings of " + std::to_string(m_train.records.size()) + " training images x " +
                      std::to_string(m_views) + " views read from " + m_path);
    } else {
        auto train = computeEmbeddings(m_session, m_data, m_data.train, m_views, /*augmented=*/true);
        if (!train) return false;
        auto val = computeEmbeddings(m_session, m_data, m_data.val, 1, /*augmented=*/false);
        if (!val) return false;
        m_train = std::move(*train);
        m_val = std::move(*val);
        saveEmbeddings(m_path, m_train, m_val, identity);
        m_session.log("embedded " + std::to_string(m_train.records.size()) + " training images x " +
                      std::to_string(m_views) + " views and " + std::to_string(m_val.records.size()) +
                      " validation images once; the encoder is not run again");
    }
    const torch::Device device = m_session.device;
    m_train.features = m_train.features.to(device);
    m_val.features = m_val.features.to(device);
    const torch::Tensor hostValid = m_train.valid.to(torch::kCPU).contiguous();
    m_trainValid.assign(hostValid.data_ptr<std::uint8_t>(),
                        hostValid.data_ptr<std::uint8_t>() + hostValid.numel());
    m_trainLabels = labelTensor(m_data.labels, m_train.records, device);
    m_valLabels = labelTensor(m_data.labels, m_val.records, device);
    m_prepareSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return true;
}

int EmbeddingFeeder::stepsPerEpoch() const
{
    const auto n = static_cast<int>(m_train.records.size());
    const int batches = (n + m_session.config.batchSize - 1) / m_session.config.batchSize;
    const int cap = m_session.config.maxStepsPerEpoch;
    return cap > 0 ? std::min(cap, batches) : batches;
}

EpochStats EmbeddingFeeder::train(int epoch, TrainStepper& stepper)
{
    RingClassifier& model = *m_session.model;
    const std::size_t n = m_train.records.size();
    const int view = epoch % m_views;
    std::vector<std::int64_t> order(n);
    std::iota(order.begin(), order.end(), std::int64_t(0));
    DeterministicRandom(mixSeed(m_session.config.seed, static_cast<std::uint64_t>(epoch), ~std::uint64_t(0)))
        .shuffle(order);
    const torch::Tensor features = m_train.features[view];
    const torch::Tensor validView = m_train.valid[view].to(m_session.device, torch::kFloat);
    const std::uint8_t* validHost = m_trainValid.data() + std::size_t(view) * n;
    const std::size_t batchSize = static_cast<std::size_t>(m_session.config.batchSize);
    const int steps = stepsPerEpoch();
    for (int s = 0; s < steps; ++s) {
        if (m_session.cancelled()) return stepper.endEpoch(true);
        const std::size_t begin = std::size_t(s) * batchSize, end = std::min(n, begin + batchSize);
        std::vector<std::int64_t> rows(order.begin() + begin, order.begin() + end);
        int valid = 0;
        for (std::int64_t r : rows)
            valid += validHost[r] ? 1 : 0;
        const torch::Tensor index = torch::tensor(rows, torch::kLong).to(m_session.device);
        const torch::Tensor x = features.index_select(0, index);
        stepper.step([&] { return headLogits(model, x); }, m_trainLabels.index_select(0, index),
                     validView.index_select(0, index), valid, static_cast<int>(rows.size()));
    }
    return stepper.endEpoch(false);
}

std::optional<Evaluation> EmbeddingFeeder::validate(int)
{
    if (m_session.cancelled()) return std::nullopt;
    torch::NoGradGuard noGrad;
    RingClassifier& model = *m_session.model;
    model.eval();
    const torch::Tensor logits = headLogits(model, m_val.features[0]);
    return evaluate(logits, m_valLabels, m_val.valid[0].to(torch::kFloat), m_session.loss);
}

} // namespace rm
