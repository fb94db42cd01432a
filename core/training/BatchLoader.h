#pragma once
// Serves shuffled batches of float32 NCHW image data from a record source (the decoded-image cache, or
// files), augmenting on worker threads and keeping up to `prefetch` batches ready so the consumer (the
// training loop) does not wait while the workers keep up. Plain buffers, no LibTorch: the training engine
// wraps them.
//
// Batches arrive in order and their content depends only on (seed, epoch, batch number), never on the number
// of threads or their timing: epoch order is a seeded shuffle, and each image's augmentation is seeded by
// (seed, epoch, record index).
#include "cache/RecordSource.h"
#include "imaging/Augment.h"

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace rm {

struct Batch
{
    std::uint64_t epoch = 0;
    std::size_t number = 0; // 0-based within the epoch
    int size = 0;           // samples in this batch (the last one may be short)
    int channels = 0, height = 0, width = 0;
    std::vector<float> data;          // size * channels * height * width, NCHW
    std::vector<std::size_t> indices; // the record index of each sample
    std::vector<std::uint8_t> valid;  // 0 = the image could not be loaded; its data is zeros (see errors)
    std::vector<std::string> errors;  // why, for invalid samples; "" otherwise

    std::size_t sampleFloats() const { return std::size_t(channels) * height * width; }
    float* sample(int i) { return data.data() + i * sampleFloats(); }
    const float* sample(int i) const { return data.data() + i * sampleFloats(); }
};

struct BatchLoaderOptions
{
    std::size_t batchSize = 64;
    ViewParams view;       // output size, channels, augmentation on/off, normalisation
    bool shuffle = true;   // evaluation usually wants false
    bool dropLast = false; // leave out a last short batch
    std::uint64_t seed = 0;
    // Seeds each image's augmentation instead of `seed` when set: two loaders with the same seed and
    // different view seeds serve the same records in the same order under different augmentations (the two
    // views of semi-supervised training).
    std::optional<std::uint64_t> viewSeed;
    int threads = 0;  // worker threads; 0 = one per hardware thread
    int prefetch = 4; // batches prepared ahead of the consumer
    // Once an epoch's batches are all being built, start on epoch + 1 (within the same prefetch budget), so
    // the next epoch's first batches are ready when startEpoch(epoch + 1) is called, e.g. after validation.
    bool prefetchNextEpoch = true;
};

class BatchLoader
{
public:
    // Serves the given record indices (e.g. the training split). Records the source marks unavailable (failed
    // in the cache) are left out; excluded() lists them. Throws rm::Error for bad options or indices.
    BatchLoader(std::shared_ptr<const RecordSource> source, std::vector<std::size_t> indices,
                BatchLoaderOptions options);
    // Stops the workers, also in the middle of an epoch.
    ~BatchLoader();
    BatchLoader(const BatchLoader&) = delete;
    BatchLoader& operator=(const BatchLoader&) = delete;

    // Starts serving an epoch; whatever was left of the previous one is dropped. Batches already prefetched
    // for this epoch (it follows the previous one) are kept.
    void startEpoch(std::uint64_t epoch);
    // The next batch of the epoch, waiting for it if needed; nullopt after the last one (or after stop()).
    // Rethrows an error a worker hit (other than an image failing to load, which marks the sample invalid).
    std::optional<Batch> next();
    // Hands a consumed batch back so its buffer is reused (saves allocating and faulting in a fresh one).
    void recycle(Batch&& batch);
    // Stops and joins the workers; next() returns nullopt afterwards. Called by the destructor.
    void stop();

    std::size_t samplesPerEpoch() const;
    std::size_t batchesPerEpoch() const;
    const std::vector<std::size_t>& excluded() const { return m_excluded; }
    // Seconds next() spent blocked waiting for workers, summed since construction.
    double waitSeconds() const;
    // Batches built and not yet handed out (this epoch's and the next one's).
    std::size_t readyAhead() const;

private:
    struct EpochPlan
    {
        std::uint64_t epoch = 0;
        std::vector<std::size_t> order;
        std::size_t batches = 0;
    };
    // One epoch being served or prepared: its plan, the next batch number to build, the batches built.
    struct Stage
    {
        std::shared_ptr<const EpochPlan> plan;
        std::size_t nextClaim = 0;
        std::map<std::size_t, Batch> ready;
    };

    std::shared_ptr<const EpochPlan> makePlan(std::uint64_t epoch) const;
    Stage* claimableStage();                  // with m_mutex held
    bool isLive(const EpochPlan* plan) const; // with m_mutex held
    void recycleStage(Stage& stage);          // with m_mutex held
    void workerLoop();
    void build(const std::shared_ptr<const EpochPlan>& plan, std::size_t number, Batch& batch,
               Image& scratch);

    std::shared_ptr<const RecordSource> m_source;
    std::vector<std::size_t> m_indices;
    std::vector<std::size_t> m_excluded;
    BatchLoaderOptions m_options;

    mutable std::mutex m_mutex;
    std::condition_variable m_workCv;  // workers wait for a batch to claim
    std::condition_variable m_readyCv; // the consumer waits for the next batch
    Stage m_current;                   // the epoch being served
    Stage m_upcoming;                  // epoch + 1, prefetched speculatively
    std::size_t m_delivered = 0;       // batches of m_current handed out
    std::vector<Batch> m_free;
    std::exception_ptr m_fatal;
    bool m_stopping = false;
    double m_waitSeconds = 0;
    std::vector<std::thread> m_threads;
};

} // namespace rm
