#pragma once
// The cross-validation part of a cell with cv_folds >= 2, run by the run queue after the cell's own model
// (fixed split) is trained and evaluated: one model per (repeat, fold) split of the galaxies with an image
// (training/CrossValidation.h), each in <run dir>/cv/r<R>f<F> so a kill resumes inside the fold, each fold
// recorded in the project when done (so a resumed cell skips finished folds), then the pooled out-of-fold
// metrics and curves of the "cv" split. A fold's working folder is deleted once the fold is recorded: its
// scores are what is kept, not its weights.
#include "training/RunStore.h"
#include "training/Trainer.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rm {

struct TargetImages;
struct UnlabelledPool;

struct CrossValidationInput
{
    const TargetImages* images = nullptr;
    TrainConfig config; // cv_folds >= 2
    std::string runDir;
    std::int64_t runId = 0;
    RunStore* runs = nullptr;
    TrainCallbacks callbacks; // log, cancelled, stopAfterEpoch (between epochs of a fold)
    int bootstrapResamples = 1000;
    // Semi-supervised cells: the unlabelled pool; each fold drops its held-out galaxies from it unless
    // config.semiSupervised.includeEvalFolds.
    const UnlabelledPool* unlabelled = nullptr;
};

struct CrossValidationResult
{
    bool cancelled = false, paused = false;
    std::map<std::string, MetricInterval> metrics; // the "cv" split
    std::vector<StoredCurve> curves;               // "cv" ROC and PR of the pooled scores (every repeat)
    int foldsTrained = 0;                          // in this call (the others were done before)
};

CrossValidationResult runCrossValidation(const CrossValidationInput& input);

} // namespace rm
