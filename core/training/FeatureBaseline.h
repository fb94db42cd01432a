#pragma once
// The feature baseline as a matrix architecture ("arch": "profile_lr"): hand-made radial-profile, slope and
// colour features (imaging/ProfileFeatures.h) and an L2 logistic regression whose strength is chosen by
// inner cross-validation on the training split. It goes through the same run queue, evaluation, comparison
// table and scoring (predict, mine) as a CNN: the Trainer hands such a cell here, and predictScores hands
// such a weights file here. Trains in seconds on the CPU. Free of torch headers.
#include "training/Trainer.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace rm {

class RecordSource;

inline constexpr const char* kFeatureBaselineArch = "profile_lr";

inline bool isFeatureBaseline(const std::string& arch)
{
    return arch == kFeatureBaselineArch;
}
// Whether a weights file holds a feature-baseline model (by its metadata); false for anything unreadable.
bool isFeatureModelFile(const std::string& weightsPath);

// Features of each record under the evaluation view (no augmentation, pixels in [0, 1]); a record that
// cannot be loaded gets an empty vector. Returns an empty outer vector when cancelled.
std::vector<std::vector<double>> recordFeatures(const RecordSource& source,
                                                const std::vector<std::size_t>& indices,
                                                const ViewParams& view,
                                                const std::function<bool()>& cancelled = {});

// Fits on data.train (lambda by 5-fold inner CV on it), reports one "epoch" with the training and
// validation log loss and validation ROC AUC, and writes workDir/best.safetensors.
TrainResult trainFeatureBaseline(const TrainConfig& config, const TrainData& data, const std::string& workDir,
                                 const TrainCallbacks& callbacks);

// What a saved feature model is, for the inspector and reports.
struct FeatureModelInfo
{
    int channels = 0;
    double lambda = 0;
    std::vector<std::string> names;
    std::vector<double> weights; // on standardised features, same order as names
    double bias = 0;
};
FeatureModelInfo readFeatureModel(const std::string& weightsPath); // rm::InputError naming the file

// One feature of one galaxy under a feature model: its value, standardised as in training, its weight, and
// what it adds to the ring logit (weight x standardised value; the logit is their sum plus the bias).
struct FeatureContribution
{
    std::string name;
    double value = 0, standardised = 0, weight = 0, contribution = 0;
};
// For the inspector: every feature of record `index` (evaluation view) under the model, in model order;
// `bias` receives the model's bias. Throws rm::Error when the record cannot be loaded.
std::vector<FeatureContribution> explainFeatureModel(const std::string& weightsPath,
                                                     const RecordSource& source, std::size_t index,
                                                     const ViewParams& view, double* bias);

// Scores of records (evaluation view) in the order given; NaN for records that cannot be loaded; empty
// when cancelled.
std::vector<float> featureModelScores(const std::string& weightsPath, const RecordSource& source,
                                      const std::vector<std::size_t>& indices, const ViewParams& view,
                                      const std::function<bool()>& cancelled = {});

} // namespace rm
