#include "training/TrainProgress.h"

#include "util/Error.h"

#include <cmath>

namespace rm {

namespace {

// JSON has no NaN or infinity; null stands for "undefined" (an AUC on one class, no best yet).
nlohmann::json number(double v)
{
    return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

double numberOr(const nlohmann::json& j, const char* key, double fallback)
{
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return fallback;
    if (!it->is_number()) throw Error(std::string("training progress: '") + key + "' is not a number");
    return it->get<double>();
}

} // namespace

bool TrainProgress::addEpoch(EpochEvent event, int patience, const std::string& selectBy)
{
    if (selectBy == "val_auc")
        event.best = std::isfinite(event.valAuc) && (!std::isfinite(bestValAuc) || event.valAuc > bestValAuc);
    else
        event.best = std::isfinite(event.valLoss) && event.valLoss < bestValLoss;
    if (event.best) {
        bestValLoss = event.valLoss;
        bestValAuc = event.valAuc;
        bestEpoch = event.epoch;
        epochsSinceBest = 0;
    } else {
        ++epochsSinceBest;
    }
    history.push_back(event);
    epochsDone = event.epoch + 1;
    if (patience > 0 && epochsSinceBest >= patience) stoppedEarly = true;
    return event.best;
}

std::string selectionCriterionText(const std::string& selectBy)
{
    return selectBy == "val_auc" ? "highest val AUC" : "lowest val loss";
}

nlohmann::json toJson(const EpochEvent& e)
{
    nlohmann::json j = {{"epoch", e.epoch},
                        {"train_loss", number(e.trainLoss)},
                        {"val_loss", number(e.valLoss)},
                        {"val_auc", number(e.valAuc)},
                        {"learning_rate", number(e.learningRate)},
                        {"seconds", number(e.seconds)},
                        {"best", e.best}};
    // Semi-supervised runs only, so a supervised run's record is what it always was.
    if (std::isfinite(e.unlabelledLoss)) j["unlabelled_loss"] = e.unlabelledLoss;
    if (std::isfinite(e.maskRate)) j["mask_rate"] = e.maskRate;
    return j;
}

EpochEvent epochEventFromJson(const nlohmann::json& j)
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    EpochEvent e;
    e.epoch = j.at("epoch").get<int>();
    e.trainLoss = numberOr(j, "train_loss", nan);
    e.valLoss = numberOr(j, "val_loss", nan);
    e.valAuc = numberOr(j, "val_auc", nan);
    e.learningRate = numberOr(j, "learning_rate", nan);
    e.seconds = numberOr(j, "seconds", 0);
    e.best = j.value("best", false);
    e.unlabelledLoss = numberOr(j, "unlabelled_loss", nan);
    e.maskRate = numberOr(j, "mask_rate", nan);
    return e;
}

nlohmann::json toJson(const TrainProgress& p)
{
    nlohmann::json history = nlohmann::json::array();
    for (const auto& e : p.history)
        history.push_back(toJson(e));
    return {{"epochs_done", p.epochsDone},
            {"history", history},
            {"best_epoch", p.bestEpoch},
            {"best_val_loss", number(p.bestValLoss)},
            {"best_val_auc", number(p.bestValAuc)},
            {"epochs_since_best", p.epochsSinceBest},
            {"stopped_early", p.stoppedEarly},
            {"train_images", p.trainImages},
            {"train_seconds", p.trainSeconds},
            {"seconds", p.seconds}};
}

TrainProgress progressFromJson(const nlohmann::json& j)
{
    try {
        TrainProgress p;
        p.epochsDone = j.at("epochs_done").get<int>();
        for (const auto& e : j.at("history"))
            p.history.push_back(epochEventFromJson(e));
        p.bestEpoch = j.at("best_epoch").get<int>();
        p.bestValLoss = numberOr(j, "best_val_loss", std::numeric_limits<double>::infinity());
        p.bestValAuc = numberOr(j, "best_val_auc", std::numeric_limits<double>::quiet_NaN());
        p.epochsSinceBest = j.at("epochs_since_best").get<int>();
        p.stoppedEarly = j.at("stopped_early").get<bool>();
        p.trainImages = j.value("train_images", std::int64_t(0));
        p.trainSeconds = numberOr(j, "train_seconds", 0);
        p.seconds = numberOr(j, "seconds", 0);
        if (p.epochsDone != static_cast<int>(p.history.size()))
            throw Error("training progress: history does not match the epoch count");
        return p;
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("training progress is unreadable: ") + e.what());
    }
}

} // namespace rm
