#pragma once
// Everything that defines one training run, in plain C++ (no LibTorch): what the experiment matrix expands
// into, what runs.config_json stores, and what the Trainer reads. JSON keys are the snake_case field names
// below (e.g. {"epochs": 10, "learning_rate": 1e-3, "fine_tune": "head_only"}); unknown keys and bad values
// are rm::Error naming the key, so a typo in a matrix file is caught before hours of training.
#include "imaging/Augment.h"
#include "models/ModelOptions.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace rm {

// Semi-supervised training (FixMatch, Sohn et al. 2020): every step also draws mu * batch_size unlabelled
// images; the model's score on the weakly augmented view (the run's own augmentation) becomes a pseudo-label
// where it is confident (1 when p >= threshold, 0 when p <= 1 - threshold, else the image is masked out), and
// the strongly augmented view (strongAugmentation: the geometry plus colour jitter and blur) is trained
// towards it with BCE, weighted by lambda_u. JSON: "semi_supervised": {"method": "fixmatch", "unlabelled":
// ["catalog:NAME", "folder:/path"], "threshold": 0.95, "lambda_u": 1.0, "mu": 3, "include_eval_folds": true}.
struct SemiSupervisedConfig
{
    std::string method; // "" = off, "fixmatch"
    // Image sources of the unlabelled pool: "catalog:NAME" (every row of a project catalog, through its image
    // source) or "folder:PATH" (every .jpg/.jpeg/.png file in a folder, sorted by name).
    std::vector<std::string> unlabelled;
    double threshold = 0.95; // in (0.5, 1]; 1 = only p of exactly 0 or 1 counts as confident
    double lambdaU = 1.0;    // weight of the unlabelled loss
    int mu = 3;              // unlabelled images per labelled one in a step
    // Whether the galaxies a model is evaluated on (the fixed split's test part; under cross-validation the
    // held-out fold) may be in the unlabelled pool, without their labels. false drops them from a pool that
    // holds them (pool records keyed "<catalog id>:<row>", as the target set's own catalogs are).
    bool includeEvalFolds = true;

    bool enabled() const { return !method.empty(); }
};

struct TrainConfig
{
    // Model
    ModelOptions model;                              // arch, in_chans, drop_path_rate, head_dropout
    FineTuneMode fineTune = FineTuneMode::AllLayers; // "all_layers" | "head_only" | "last_n_blocks"
    int nBlocks = 0;        // last_n_blocks: how many encoder blocks train (Zoobot n_blocks)
    double lrDecay = 1.0;   // layer-wise learning-rate decay (Zoobot lr_decay)
    std::string pretrained; // encoder weights (safetensors) to start from; "" = random init

    // Optimisation: AdamW, linear warm-up then cosine decay to minLearningRate
    int epochs = 10;
    int batchSize = 32;
    double learningRate = 1e-3;
    double minLearningRate = 1e-6;
    double weightDecay = 0.05;
    int warmupEpochs = 1;
    double labelSmoothing = 0.0;
    bool classWeights = true; // weight the positive class by negatives/positives of the training split
    int patience = 5;         // early stopping on the selection criterion; 0 = never stop early
    // Which epoch's weights a run keeps (and what early stopping watches): "val_loss" (the lowest validation
    // loss) or "val_auc" (the highest validation ROC AUC; ties keep the earlier epoch).
    std::string selectBy = "val_loss";
    std::uint64_t seed = 42;
    // Cross-validated evaluation (training/CrossValidation.h): with cv_folds >= 2 the cell also trains one
    // model per fold and repeat and reports pooled out-of-fold metrics ("cv" split) beside the fixed split's;
    // 0 = the fixed train/val/test split only.
    int cvFolds = 0;
    int cvRepeats = 1;

    // Images: size, channels, augmentation (view.channels must equal model.inChannels)
    ViewParams view;

    // Execution
    std::string device = "auto"; // "auto" (CUDA when present), "cpu", "cuda", "cuda:N"
    bool mixedPrecision = true;  // bf16 autocast on CUDA; ignored on CPU
    bool channelsLast = true;    // on CUDA
    int loaderThreads = 0;       // 0 = one per hardware thread
    int torchThreads = 0;        // intra-op threads on CPU; 0 = one per hardware thread
    int maxStepsPerEpoch = 0;    // 0 = whole epoch; tests and smoke runs use a few steps
    // Head-only: embed each training image under this many augmented views once and train the head on the
    // cached embeddings instead of running the frozen encoder every epoch; 0 = run the encoder every epoch.
    int embeddingViews = 8;

    // Off by default; toJson leaves the key out while off, so configs without it are unchanged.
    SemiSupervisedConfig semiSupervised;
};

const char* fineTuneModeName(FineTuneMode mode);         // "all_layers", "head_only", "last_n_blocks"
FineTuneMode parseFineTuneMode(const std::string& name); // throws rm::Error listing the valid names

// Full JSON of a config (every field, for runs.config_json and reports).
nlohmann::json toJson(const TrainConfig& config);
// Applies the keys present in `json` on top of `base`; throws rm::Error naming an unknown key or bad value.
TrainConfig applyJson(TrainConfig base, const nlohmann::json& json);
// Throws rm::Error describing the first inconsistency (channels mismatch, epochs < 1, ...).
void validate(const TrainConfig& config);

} // namespace rm
