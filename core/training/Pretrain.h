#pragma once
// Self-supervised pretraining of an encoder on unlabelled images (SimCLR, Chen et al. 2020): every image is
// seen under two strongly augmented views (the trainer's rotation, resized crop and flips, plus colour jitter
// and blur), the encoder's pooled features go through an MLP projection head, and the NT-Xent loss pulls the
// two views of an image together against the other 2N-2 views of the batch. The result is the ENCODER alone,
// in timm parameter names, so it loads as a matrix model's "pretrained" (models/WeightsIO
// loadEncoderWeights); the projection head is thrown away, as in the paper.
//
// Images come from any mix of sources: project catalogs with an image source (every row, labels ignored) and
// plain folders of JPEG/PNG files. They are decoded once into a decoded-image cache (cache/DecodedCache) in
// <project>.files/caches, and epochs read them through the trainer's BatchLoader, so pretraining and training
// see pixels prepared the same way.
//
// Resumable like training: after every epoch a checkpoint (safetensors: encoder, projection head, AdamW
// state; the progress and a fingerprint of the configuration and images in its metadata) is written
// atomically beside the output; running again with the same settings continues after the last finished epoch
// and ends with the same weights as an uninterrupted run (bit-exact on the CPU: the batches depend only on
// (seed, epoch), and the global generator is reseeded every epoch).
//
// No LibTorch in this header.
#include "imaging/Augment.h"
#include "imaging/ImageShape.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace rm {

class ProjectStore;
class RecordSource;

struct PretrainSource
{
    enum Kind
    {
        Catalog, // a project catalog with an image source: every row's image
        Folder   // every .jpg/.jpeg/.png file of a folder (not recursive), in name order
    };
    Kind kind = Folder;
    std::string name; // catalog name or folder path
};

struct PretrainConfig
{
    std::string arch = "simple_cnn"; // any registered model
    int inChannels = 3;
    int imageSize = 64;
    int epochs = 20;
    int batchSize = 64; // images per step (2x as many views)
    double learningRate = 1e-3;
    double minLearningRate = 1e-6;
    double weightDecay = 1e-4;
    int warmupEpochs = 1;
    double temperature = 0.2;
    int projectionDim = 128;
    int hiddenDim = 512;
    std::uint64_t seed = 42;
    // Augmentation of each view: geometry as in training, plus the photometric part (strongAugmentation).
    AugmentParams augmentation = strongAugmentation(AugmentParams{});

    // Execution (not part of the fingerprint)
    std::string device = "auto";
    int torchThreads = 0;  // 0 = every core
    int loaderThreads = 0; // per view loader; 0 = one per hardware thread
    int maxStepsPerEpoch = 0;
};

// The settings SimCLR uses for views: the trainer's geometry (any rotation, resized crop 0.7-0.8 of the
// area, flips) with colour jitter and blur (strongAugmentation); photometric = false: the geometry alone.
AugmentParams pretrainAugmentation(bool photometric = true);

nlohmann::json toJson(const PretrainConfig& config);
// Throws rm::Error for impossible values (epochs < 1, batch < 2, temperature <= 0, unknown arch, ...).
void validate(const PretrainConfig& config);

// The unlabelled images, decoded once.
struct PretrainImages
{
    std::shared_ptr<const RecordSource> source;
    std::string cachePath;
    bool cacheBuilt = false;
    struct Counted
    {
        std::string kind; // "catalog" or "folder"
        std::string name;
        std::size_t images = 0; // listed
        std::size_t usable = 0; // decoded
    };
    std::vector<Counted> sources;
    std::vector<std::size_t> records; // usable record indices
};

struct PretrainImagesOptions
{
    int threads = 0;
    std::function<void(const std::string&)> log;
    std::function<bool(std::size_t, std::size_t)> progress; // cache building; false cancels
};

// Lists every image of the sources and finds (or builds) their decoded cache at imageSize x imageSize x
// channels in the project's caches folder. Throws rm::Error for an unknown catalog, a catalog without an
// image source, a folder that is missing or has no images, or fewer than 2 usable images.
PretrainImages preparePretrainImages(ProjectStore& store, const std::vector<PretrainSource>& sources,
                                     const ImageShape& shape, const PretrainImagesOptions& options = {});

struct PretrainEpoch
{
    int epoch = 0; // 0-based
    double loss = 0;
    double learningRate = 0;
    double seconds = 0;
};

struct PretrainStep
{
    int epoch = 0, step = 0, stepsPerEpoch = 0;
    double loss = 0;
    double imagesPerSecond = 0;
};

struct PretrainCallbacks
{
    std::function<void(const PretrainStep&)> onStep;
    std::function<void(const PretrainEpoch&)> onEpoch;
    std::function<void(const std::string&)> log;
    std::function<bool()> cancelled; // polled between steps; the last finished epoch's checkpoint stays
};

struct PretrainResult
{
    bool cancelled = false;
    bool alreadyFinished = false; // the checkpoint said every epoch was done
    int resumedAfter = 0;         // epochs found in the checkpoint
    int epochsDone = 0;
    std::vector<PretrainEpoch> history; // every finished epoch, including those before a resume
    double finalLoss = 0;
    double seconds = 0;      // this call
    double totalSeconds = 0; // every epoch, including before a resume
    std::size_t images = 0;
    std::string device;
    std::string encoderPath;
    std::string checkpointPath;
};

// The checkpoint that goes with an output file: <out without .safetensors>.checkpoint.safetensors.
std::string pretrainCheckpointPath(const std::string& encoderPath);

// Runs (or resumes) pretraining on the records of `source` and, once every epoch is done, writes the encoder
// to encoderPath (metadata: arch, in_chans and `provenance` as JSON under "ringminer.pretrain"). Throws
// rm::Error when a checkpoint of different settings or images is in the way.
PretrainResult runPretraining(const PretrainConfig& config, std::shared_ptr<const RecordSource> source,
                              const std::vector<std::size_t>& records, const std::string& encoderPath,
                              const nlohmann::json& provenance = {}, const PretrainCallbacks& callbacks = {});

// --- a whole pretraining for a project (what the CLI verb and the GUI task run)
// -----------------------------
struct PretrainRequest
{
    std::vector<PretrainSource> sources;
    PretrainConfig config;
    std::string name; // "" = defaultPretrainName(config)
    std::string out;  // "" = <project>.files/pretrained/<name>.safetensors
};

// "ssl_<arch>_c<channels>_<size>px_s<seed>", plus "_geometric" without colour jitter and blur.
std::string defaultPretrainName(const PretrainConfig& config);

struct PretrainOutcome
{
    PretrainImages images;
    PretrainResult result;
    nlohmann::json record; // what was recorded in the project (empty when cancelled)
};

// Prepares the sources' images, runs (or resumes) the pretraining and, once finished, records the encoder in
// the project. Opens nothing itself: the store is the caller's (one per thread).
PretrainOutcome pretrainForProject(ProjectStore& store, const PretrainRequest& request,
                                   const PretrainImagesOptions& imageOptions = {},
                                   const PretrainCallbacks& callbacks = {});

// --- what the project remembers ----------------------------------------------------------------------------
// Every finished pretraining is recorded in the project's meta table (key "pretrained_encoders", a JSON array
// of objects: name, path, arch, in_chans, image_size, sources [{kind, name, images}], images, epochs, loss,
// temperature, seed, seconds, created), so the matrix editor can offer the file as "pretrained" and a report
// can say how it was made. A second record with the same path replaces the first.
struct PretrainedEncoderRecord
{
    std::string name;
    std::string path;
    std::string arch;
    int inChannels = 3;
    int imageSize = 0;
    int epochs = 0;
    double loss = 0;
    std::size_t images = 0;
    nlohmann::json json; // the whole record
};
void recordPretrainedEncoder(ProjectStore& store, const nlohmann::json& record);
std::vector<PretrainedEncoderRecord> pretrainedEncoders(ProjectStore& store);

} // namespace rm
