#pragma once
// Head-only epochs from cached embeddings: the frozen encoder runs once per training image and view (and
// once per validation image) before the first epoch; every epoch then trains only the head (dropout +
// Linear) on view (epoch mod views) of each image, in a seeded shuffled order. Private to core/training.
#include "training/EmbeddingCache.h"

namespace rm {

class EmbeddingFeeder : public EpochFeeder
{
public:
    EmbeddingFeeder(TrainSession& session, const TrainData& data, std::string cachePath);

    // Loads the embeddings from the cache file or computes (and stores) them. False when cancelled.
    bool prepare();
    double prepareSeconds() const { return m_prepareSeconds; }
    bool loadedFromDisk() const { return m_loaded; }

    int stepsPerEpoch() const override;
    EpochStats train(int epoch, TrainStepper& stepper) override;
    std::optional<Evaluation> validate(int epoch) override;

private:
    TrainSession& m_session;
    const TrainData& m_data;
    std::string m_path;
    int m_views = 1;
    EmbeddingSet m_train, m_val;
    torch::Tensor m_trainLabels, m_valLabels; // [N] float on the device
    std::vector<std::uint8_t> m_trainValid;   // [views * N] on the host, for the per-batch valid counts
    double m_prepareSeconds = 0;
    bool m_loaded = false;
};

} // namespace rm
