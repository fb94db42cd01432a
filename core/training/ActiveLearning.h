#pragma once
// An active-learning round in one action: after hand labels were given in the review queue, the done run's
// base target set is built again with the current hand labels applied (a new target set "<base>-r<N>"; the
// original is kept), the run's cell is retrained on it with the same configuration (the same cv_folds, so
// the cross-validated ROC AUC compares), its predictions (what the review queue orders) are recorded for
// every galaxy of the new set, and the round is recorded in the project (table active_rounds): the round
// number, how many labels it added, and the cross-validated ROC AUC with its interval before and after.
// Each round is its own experiment, "active-<base>-r<N>", holding the one retrained run.
//
// Also the feature space the review queue spreads its picks over (uncertain first, diverse): profile
// features (imaging/ProfileFeatures.h) of the run's decoded-image cache, else sky position; and the
// ordering itself (diverseOrder), plain C++ so that it is tested without a GUI.
#include "util/Error.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace rm {

class ProjectStore;

// The hand labels a target set does not reflect yet, matched to its targets by position as the target-set
// builder matches them (within the set's duplicate radius): a label that flips a target's class, or an
// "unsure" that removes it. Labels that agree with the set change nothing and are counted apart.
struct PendingHandLabels
{
    std::size_t flipped = 0, removed = 0, agreeing = 0;
    std::size_t added() const { return flipped + removed; }
};
PendingHandLabels pendingHandLabels(ProjectStore& store, const std::string& targetSet);

struct ActiveRound
{
    std::int64_t id = 0;
    std::string baseTargetSet;               // the set every round of this chain is rebuilt from
    int round = 0;                           // 1, 2, ... per base target set
    std::string targetSet;                   // "<base>-r<round>"
    std::int64_t sourceRunId = 0, runId = 0; // 0 when the run was deleted since
    std::string experiment;
    std::size_t labelsAdded = 0, labelsFlipped = 0, labelsRemoved = 0;
    std::int64_t labelEventId = 0; // the newest hand-label event when the round began
    std::size_t targets = 0;       // galaxies in the rebuilt set
    static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
    double cvAuc = kNaN, cvLow = kNaN, cvHigh = kNaN;             // the retrained run
    double prevCvAuc = kNaN, prevCvLow = kNaN, prevCvHigh = kNaN; // the run it started from
    double seconds = 0;
    std::string createdAt;

    nlohmann::json toJson() const;
};

// The recorded rounds, oldest first; of one base target set when given.
std::vector<ActiveRound> activeRounds(ProjectStore& store, const std::string& baseTargetSet = "");
// The set a round on a run of `targetSet` rebuilds: the round's base when `targetSet` is a round's set,
// else `targetSet` itself.
std::string activeBaseTargetSet(ProjectStore& store, const std::string& targetSet);

struct ActiveRoundOptions
{
    std::string projectPath;
    std::int64_t runId = 0;       // a done run
    int cvFolds = -1;             // -1: as the run's cell had
    std::string device;           // overrides the cell's device when not empty
    bool requireNewLabels = true; // refuse (rm::Error) when no hand label changes the run's target set
    std::function<void(const std::string&)> log;
    // 0..1 (a rough fraction: epochs done of the epochs planned) and what is being done.
    std::function<void(double, const std::string&)> progress;
    const std::atomic<int>* stop = nullptr; // a training/RunQueue.h StopRequest; Pause acts as Cancel here
};

struct ActiveRoundResult
{
    bool cancelled = false; // nothing recorded; the next round starts this one again
    ActiveRound round;
    std::size_t labelsFlippedInSet = 0, labelsRemovedInSet = 0; // what the builder applied in all
};

// Runs one round. Throws rm::Error for a run that is not done, a set that cannot be rebuilt, no new hand
// labels (when required), or a failed training (with the trainer's message).
ActiveRoundResult runActiveRound(const ActiveRoundOptions& options);

// Feature vectors of a run's galaxies for spreading the review queue: z-scored profile features of the
// run's decoded-image cache when it is there, else the unit vector of the sky position. Keyed by
// (catalog id, row).
struct ReviewFeatures
{
    std::string space; // "profile features" or "sky position"
    std::map<std::pair<std::int64_t, std::int64_t>, std::vector<double>> byGalaxy;
};
ReviewFeatures reviewFeatures(const std::string& projectPath, std::int64_t runId,
                              const std::function<bool()>& cancelled = {});

// Uncertainty first, diverse: `features` are the candidates' vectors in uncertainty order (most uncertain
// first; nullptr = unknown, never too close to anything). Walking that order, a candidate is taken unless it
// lies within `radius` of one already taken or of an already labelled galaxy (`labelled`); up to `batch` are
// taken, and the rest follow in uncertainty order. radius < 0: radiusFraction x the median distance between
// the first 200 candidates. Returns a permutation of 0..n-1.
std::vector<std::size_t> diverseOrder(const std::vector<const std::vector<double>*>& features,
                                      const std::vector<const std::vector<double>*>& labelled,
                                      std::size_t batch, double radius = -1, double radiusFraction = 0.35);

} // namespace rm
