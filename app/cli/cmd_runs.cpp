// ringminer-cli runs list: the runs of a project (or of one experiment) with their state, epochs, validation
// and test ROC AUC, device, time and, for a run that did not finish, why.
#include "Cli.h"

#include "training/RunQueue.h"

#include <cmath>
#include <cstdio>

using namespace rm;
using namespace rm::cli;

namespace {

nlohmann::json finiteOrNull(double v)
{
    return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json();
}

int runsList(const Args& args)
{
    args.allowOnly({"experiment"}, {});
    const std::string path = args.positional(0, "PROJECT");
    const std::string experiment = args.option("experiment", "");
    const std::vector<RunSummary> runs = listRuns(path, experiment);
    nlohmann::json list = nlohmann::json::array();
    std::string text = runs.empty() ? "no runs" : "";
    char line[512];
    if (!runs.empty()) {
        std::snprintf(line, sizeof line, "%5s  %-12s %-36s %-9s %6s %8s %8s %9s  %s", "run", "experiment",
                      "cell", "state", "epochs", "val AUC", "test AUC", "seconds", "device / error");
        text = line;
    }
    for (const RunSummary& r : runs) {
        list.push_back({{"id", r.id},
                        {"experiment", r.experiment},
                        {"cell", r.cellKey},
                        {"target_set", r.targetSet},
                        {"model", r.model},
                        {"mode", r.mode},
                        {"state", r.state},
                        {"error", r.error},
                        {"epochs", r.epochs},
                        {"best_epoch", r.bestEpoch},
                        {"attempts", r.attempts},
                        {"val_roc_auc", finiteOrNull(r.valAuc)},
                        {"test_roc_auc", finiteOrNull(r.testAuc)},
                        {"device", r.device},
                        {"seconds", finiteOrNull(r.seconds)},
                        {"weights", r.weightsPath},
                        {"weights_sha256", r.weightsSha256},
                        {"started_at", r.startedAt},
                        {"finished_at", r.finishedAt}});
        auto num = [](double v, const char* fmt) {
            char b[32];
            if (!std::isfinite(v)) return std::string("-");
            std::snprintf(b, sizeof b, fmt, v);
            return std::string(b);
        };
        const std::string tail = r.state == "done" || r.error.empty() ? r.device : r.error;
        std::snprintf(line, sizeof line, "%5lld  %-12s %-36s %-9s %6d %8s %8s %9s  %s",
                      static_cast<long long>(r.id), r.experiment.c_str(), r.cellKey.c_str(), r.state.c_str(),
                      r.epochs, num(r.valAuc, "%.3f").c_str(), num(r.testAuc, "%.3f").c_str(),
                      num(r.seconds, "%.1f").c_str(), tail.c_str());
        text += std::string("\n") + line;
    }
    printSummary(
        args,
        {{"ok", true}, {"project", path}, {"experiment", experiment}, {"count", runs.size()}, {"runs", list}},
        text);
    return 0;
}

} // namespace

static VerbRegistrar
    runsListVerb({"runs list",
                  "PROJECT [--experiment NAME] [--json]",
                  "list the training runs: state, epochs, validation/test ROC AUC, device, time, "
                  "and why a run failed",
                  {},
                  runsList});
