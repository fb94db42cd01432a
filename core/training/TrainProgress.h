#pragma once
// How far a run has got: the finished epochs, the early-stopping state and the time spent. Kept in the
// checkpoint's metadata so a resumed run carries on exactly where the last finished epoch left it. Plain C++.
#include "training/Trainer.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <vector>

namespace rm {

struct TrainProgress
{
    int epochsDone = 0;
    std::vector<EpochEvent> history;
    int bestEpoch = -1;
    double bestValLoss = std::numeric_limits<double>::infinity(); // of the best epoch
    double bestValAuc = std::numeric_limits<double>::quiet_NaN(); // of the best epoch
    int epochsSinceBest = 0;
    bool stoppedEarly = false;
    // Over every attempt: training images seen and the seconds spent on training steps, for images/s.
    std::int64_t trainImages = 0;
    double trainSeconds = 0;
    double seconds = 0; // wall time of every attempt's finished epochs

    // Records a finished epoch: marks it best (the epoch whose weights are kept) when it is the best so far
    // by selectBy, "val_loss" (lowest; a NaN loss never is) or "val_auc" (highest; a NaN AUC never is, ties
    // keep the earlier epoch), and updates the early-stopping state. Returns whether it is the best.
    bool addEpoch(EpochEvent event, int patience, const std::string& selectBy = "val_loss");
};

nlohmann::json toJson(const TrainProgress& progress);
// Throws rm::Error when the JSON is not a progress record.
TrainProgress progressFromJson(const nlohmann::json& json);

// "lowest val loss" / "highest val AUC": how the kept epoch was chosen, for logs and plots.
std::string selectionCriterionText(const std::string& selectBy);

nlohmann::json toJson(const EpochEvent& event);
EpochEvent epochEventFromJson(const nlohmann::json& json);

} // namespace rm
