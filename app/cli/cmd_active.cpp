// ringminer-cli active-round: one active-learning round (training/ActiveLearning.h): the run's target set
// built again with the hand labels given since, the run's cell retrained on it, the round recorded; and
// active-rounds: the rounds recorded so far.
#include "Cli.h"

#include "store/ProjectStore.h"
#include "training/ActiveLearning.h"
#include "training/RunQueue.h"
#include "training/RunStore.h"

#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <iostream>

using namespace rm;
using namespace rm::cli;

namespace {

std::atomic<int> g_stop{0};

void stopOnInterrupt(int)
{
    g_stop.store(static_cast<int>(StopRequest::Cancel));
}

std::string auc(double v, double low, double high)
{
    if (!std::isfinite(v)) return "n/a";
    char buf[64];
    if (std::isfinite(low) && std::isfinite(high))
        std::snprintf(buf, sizeof buf, "%.3f [%.3f, %.3f]", v, low, high);
    else
        std::snprintf(buf, sizeof buf, "%.3f", v);
    return buf;
}

int activeRound(const Args& args)
{
    args.allowOnly({"run", "experiment", "cv-folds", "device"}, {"allow-no-labels"});
    const std::string project = args.positional(0, "PROJECT");
    const auto which = args.option("run");
    if (!which) throw UsageError("--run RUN|best|CELL is required (the done run whose queue you labelled)");
    const RunSummary run = findDoneRun(project, *which, args.option("experiment", ""));
    ActiveRoundOptions o;
    o.projectPath = project;
    o.runId = run.id;
    o.cvFolds = static_cast<int>(args.integer("cv-folds", -1));
    if (o.cvFolds == 1 || o.cvFolds < -1) throw UsageError("--cv-folds must be 0 (none) or at least 2");
    o.device = args.option("device", "");
    o.requireNewLabels = !args.flag("allow-no-labels");
    o.log = [](const std::string& line) { std::cerr << line << "\n"; };
    int lastPercent = -1;
    o.progress = [&](double fraction, const std::string& what) {
        const int percent = static_cast<int>(std::floor(fraction * 100));
        if (percent / 5 == lastPercent / 5) return;
        lastPercent = percent;
        std::cerr << "progress " << percent << "%: " << what << "\n";
    };
    o.stop = &g_stop;
    std::signal(SIGINT, stopOnInterrupt);
    std::signal(SIGTERM, stopOnInterrupt);
    const ActiveRoundResult r = runActiveRound(o);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    if (r.cancelled) {
        printSummary(args, {{"ok", false}, {"cancelled", true}},
                     "cancelled: nothing recorded (running it again starts the round again)");
        return 130;
    }
    const ActiveRound& a = r.round;
    nlohmann::json summary = a.toJson();
    summary["ok"] = true;
    summary["project"] = project;
    printSummary(args, summary,
                 "round " + std::to_string(a.round) + " of " + a.baseTargetSet + ": " +
                     std::to_string(a.labelsAdded) + " label(s) added, target set " + a.targetSet + " (" +
                     std::to_string(a.targets) + " galaxies), run " + std::to_string(a.runId) +
                     "\nCV ROC AUC " + auc(a.cvAuc, a.cvLow, a.cvHigh) + " (run " +
                     std::to_string(a.sourceRunId) +
                     " before: " + auc(a.prevCvAuc, a.prevCvLow, a.prevCvHigh) + ")");
    return 0;
}

int listActiveRounds(const Args& args)
{
    args.allowOnly({"target-set"}, {});
    const std::string project = args.positional(0, "PROJECT");
    auto store = ProjectStore::open(project);
    const std::vector<ActiveRound> rounds = activeRounds(*store, args.option("target-set", ""));
    nlohmann::json list = nlohmann::json::array();
    std::string text = rounds.empty() ? "no active-learning rounds yet (ringminer-cli active-round)" : "";
    for (const ActiveRound& a : rounds) {
        list.push_back(a.toJson());
        text += (text.empty() ? "" : "\n") + a.baseTargetSet + " round " + std::to_string(a.round) + ": +" +
                std::to_string(a.labelsAdded) + " labels, run " + std::to_string(a.runId) + ", CV ROC AUC " +
                auc(a.cvAuc, a.cvLow, a.cvHigh) + " (before " + auc(a.prevCvAuc, a.prevCvLow, a.prevCvHigh) +
                ")";
    }
    printSummary(args, {{"ok", true}, {"rounds", list}}, text);
    return 0;
}

} // namespace

static VerbRegistrar activeRoundVerb(
    {"active-round",
     "PROJECT --run RUN|best|CELL [--experiment NAME] [--cv-folds N] [--device DEV] [--allow-no-labels] "
     "[--json]",
     "one active-learning round: build the run's target set again with the hand labels given since "
     "(as <set>-r<N>), retrain the run's cell on it (same cv_folds unless --cv-folds), re-score its galaxies "
     "and record the round (labels added, CV ROC AUC before and after)",
     {"allow-no-labels"},
     activeRound});

static VerbRegistrar activeRoundsVerb({"active-rounds",
                                       "PROJECT [--target-set BASE] [--json]",
                                       "list the recorded active-learning rounds: labels added and CV ROC "
                                       "AUC with its interval before and after each",
                                       {},
                                       listActiveRounds});
