// ringminer-cli train: runs an experiment matrix on a project (the built-in 18 configurations retargeted to
// the project's target sets unless --matrix names a file), recording every epoch, metric, curve and
// prediction in the project. Safe to interrupt: Ctrl-C once pauses after the current epoch, twice cancels
// within a step; running it again carries on where it stopped.
#include "Cli.h"

#include "cache/TargetSetCache.h"
#include "models/Safetensors.h"
#include "store/ProjectStore.h"
#include "targets/TargetSetBuilder.h"
#include "training/ExperimentChoice.h"
#include "training/RunQueue.h"
#include "training/RunStore.h"
#include "training/TimeEstimate.h"
#include "training/TrainProgress.h"
#include "util/Error.h"

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <optional>
#include <set>

using namespace rm;
using namespace rm::cli;

namespace {

std::atomic<int> g_stop{0};

void trainOnInterrupt(int)
{
    // First Ctrl-C: pause after the epoch; second: cancel now.
    const int next =
        g_stop.load() == 0 ? static_cast<int>(StopRequest::Pause) : static_cast<int>(StopRequest::Cancel);
    g_stop.store(next);
}

double now()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::vector<std::string> splitList(const std::vector<std::string>& values)
{
    std::vector<std::string> out;
    for (const auto& v : values) {
        std::size_t start = 0;
        for (;;) {
            const auto comma = v.find(',', start);
            const std::string part =
                v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            if (!part.empty()) out.push_back(part);
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    return out;
}

// "key=value": the value is JSON when it parses as JSON (numbers, true/false, objects), else a string.
nlohmann::json parseSettings(const std::vector<std::string>& settings)
{
    nlohmann::json out = nlohmann::json::object();
    for (const auto& s : settings) {
        const auto eq = s.find('=');
        if (eq == std::string::npos || eq == 0)
            throw UsageError("--set expects key=value (e.g. --set epochs=2), got '" + s + "'");
        const std::string key = s.substr(0, eq), text = s.substr(eq + 1);
        nlohmann::json value;
        try {
            value = nlohmann::json::parse(text);
        } catch (const nlohmann::json::exception&) {
            value = text;
        }
        out[key] = value;
    }
    return out;
}

std::string fixed(double v, int digits = 3)
{
    if (!std::isfinite(v)) return "n/a";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

// The queue, with the CLI's words for an experiment that exists with another matrix.
RunQueue makeQueue(const std::string& path, const ExperimentMatrix& matrix, const std::string& experiment,
                   const RunQueueOptions& options, bool replace)
{
    try {
        return RunQueue(path, matrix, experiment, options, replace);
    } catch (const ExperimentMatrixConflict& e) {
        throw Error(std::string(e.what()) +
                    ". To keep both, give this matrix its own experiment: add "
                    "--experiment NEW_NAME. To change experiment '" +
                    experiment +
                    "' (finished cells whose configuration is unchanged are kept), add --replace.");
    }
}

// A model's pretrained weights file is read (its header checked against the file: sizes, offsets, dtypes)
// before anything is recorded, so a truncated or lying safetensors file fails the command at once, naming
// the file and the tensor, instead of failing every cell that uses it.
void checkPretrainedWeights(const ExperimentMatrix& matrix)
{
    std::vector<InputError> problems;
    std::set<std::string> seen;
    for (const MatrixModel& m : matrix.models) {
        if (m.pretrained.empty() || !seen.insert(m.pretrained).second) continue;
        try {
            SafetensorsFile weights(m.pretrained);
        } catch (const InputError& e) {
            problems.push_back(e);
        }
    }
    if (problems.empty()) return;
    if (problems.size() == 1)
        throw InputError(problems[0].file(), problems[0].row(), problems[0].column(),
                         problems[0].reason() + "; nothing was trained");
    std::string text = std::to_string(problems.size()) + " pretrained weights files cannot be read, so "
                                                         "nothing was trained:";
    for (const auto& p : problems)
        text += "\n  " + std::string(p.what());
    throw Error(text);
}

// Every problem with the images of the cells that will train, listed at once before anything runs.
void checkImagesOfCells(const std::string& path, const ExperimentMatrix& matrix,
                        const std::string& experiment, const std::vector<std::string>& onlyCells)
{
    std::set<std::string> done, sets;
    for (const RunSummary& r : listRuns(path, experiment))
        if (r.state == "done") done.insert(r.cellKey);
    for (const MatrixCell& c : matrix.cells()) {
        bool selected = onlyCells.empty();
        for (const auto& p : onlyCells)
            selected = selected || cellKeyMatches(p, c.key);
        if (selected && !done.count(c.key)) sets.insert(c.targetSet);
    }
    auto store = ProjectStore::open(path);
    std::vector<std::string> problems;
    for (const std::string& set : sets) {
        const TargetSetImageCheck check = checkTargetSetImages(*store, set);
        problems.insert(problems.end(), check.missing.begin(), check.missing.end());
        for (const auto& n : check.needsNetwork)
            std::fprintf(stderr, "train: note: %s\n", n.c_str());
    }
    if (problems.empty()) return;
    std::string text = std::to_string(problems.size()) + " catalog(s) of the target sets to train have no "
                                                         "image source, so nothing was trained:";
    for (const auto& p : problems)
        text += "\n  " + p;
    throw Error(text);
}

nlohmann::json estimateToJson(const MatrixTimeEstimate& e)
{
    nlohmann::json cells = nlohmann::json::array();
    for (const CellTimeEstimate& c : e.cells)
        cells.push_back({{"cell", c.key}, {"seconds", c.seconds}, {"done", c.done}, {"network", c.speedKey}});
    nlohmann::json speeds = nlohmann::json::object();
    for (const auto& [key, s] : e.speeds)
        speeds[key] = {{"train_images_per_second", 1 / s.trainSecondsPerImage},
                       {"infer_images_per_second", 1 / s.inferSecondsPerImage}};
    return {{"device", e.device},
            {"total_seconds", e.totalSeconds},
            {"measure_seconds", e.measureSeconds},
            {"cells", cells},
            {"networks", speeds}};
}

// Times one short step per network of the cells still to train and prints what each cell and the queue will
// take; on a CPU, a queue over an hour gets the preset's estimate beside it.
MatrixTimeEstimate estimateTime(const std::string& path, const ExperimentMatrix& matrix,
                                const std::string& experiment, const RunQueueOptions& options,
                                bool offerPreset)
{
    std::map<std::string, SplitSizes> sizes;
    TimeEstimateOptions o;
    o.device = options.device;
    o.onlyCells = options.onlyCells;
    {
        auto store = ProjectStore::open(path);
        sizes = targetSetSizes(*store, matrix.targetSets);
    }
    for (const RunSummary& r : listRuns(path, experiment))
        if (r.state == "done") o.doneCells.push_back(r.cellKey);
    o.progress = [](int done, int total, const std::string& what) {
        if (!what.empty())
            std::fprintf(stderr, "estimate: timing %s (%d/%d)\n", what.c_str(), done + 1, total);
    };
    const MatrixTimeEstimate e = estimateMatrixTime(matrix, sizes, o);
    std::fprintf(stderr, "estimate on %s (one timed step per network, %s):\n",
                 e.device.empty() ? "-" : e.device.c_str(), formatDuration(e.measureSeconds).c_str());
    for (const CellTimeEstimate& c : e.cells)
        std::fprintf(stderr, "  %-40s %s\n", c.key.c_str(),
                     c.done ? "done" : ("~ " + formatEstimate(c.seconds)).c_str());
    std::fprintf(stderr, "  queue: ~ %s (early stopping can make it shorter)\n",
                 formatEstimate(e.totalSeconds).c_str());
    if (offerPreset && e.onCpu() && e.totalSeconds > kSlowMatrixSeconds) {
        TimeEstimateOptions quiet = o;
        quiet.progress = nullptr;
        const MatrixTimeEstimate p = estimateMatrixTime(withCpuPreset(matrix), sizes, quiet);
        std::fprintf(stderr,
                     "warning: about %s on this CPU. The CPU preset (--preset cpu: %s) is estimated at %s; "
                     "a GPU machine is the other way\n",
                     formatEstimate(e.totalSeconds).c_str(), cpuPreset().dump().c_str(),
                     formatEstimate(p.totalSeconds).c_str());
    }
    return e;
}

int train(const Args& args)
{
    args.allowOnly({"matrix", "experiment", "cells", "device", "parallel", "set", "target-sets", "preset"},
                   {"replace", "no-retry", "estimate", "no-estimate"});
    const std::string path = args.positional(0, "PROJECT");
    const long long parallel = args.integer("parallel", 1);
    if (parallel < 1 || parallel > 64) throw UsageError("--parallel must be 1..64");
    const std::string device = args.option("device", "");
    if (!device.empty() && device != "cpu" && device != "auto" && device.rfind("cuda", 0) != 0)
        throw UsageError("--device must be cpu, cuda, cuda:N or auto");

    ExperimentRequest request;
    request.matrixFile = args.option("matrix", "");
    request.experiment = args.option("experiment", "");
    request.targetSets = splitList(args.options("target-sets"));
    request.settings = parseSettings(args.options("set"));
    const std::string preset = args.option("preset", "");
    if (!preset.empty() && preset != "cpu") throw UsageError("--preset must be cpu (the only preset)");
    request.cpuPreset = preset == "cpu";
    const bool estimateOnly = args.flag("estimate");
    if (estimateOnly && args.flag("no-estimate")) throw UsageError("--estimate and --no-estimate contradict");
    ExperimentChoice choice;
    {
        auto store = ProjectStore::open(path);
        store->requireWritable("training runs");
        choice = chooseExperiment(request, *store);
    }
    const ExperimentMatrix matrix = choice.matrix;
    const std::string experiment = choice.experiment;

    RunQueueOptions options;
    options.parallelCells = static_cast<int>(parallel);
    options.device = device;
    options.retryFailed = !args.flag("no-retry");
    options.onlyCells = splitList(args.options("cells"));
    checkPretrainedWeights(matrix);                                  // before anything is recorded
    checkImagesOfCells(path, matrix, experiment, options.onlyCells); // before anything is recorded
    std::optional<MatrixTimeEstimate> estimate;
    nlohmann::json estimateJson;
    if (!args.flag("no-estimate")) {
        estimate = estimateTime(path, matrix, experiment, options, !request.cpuPreset);
        estimateJson = estimateToJson(*estimate);
        if (estimateOnly) {
            printSummary(args,
                         {{"ok", true},
                          {"experiment", experiment},
                          {"estimate", estimateJson},
                          {"preset", preset.empty() ? nlohmann::json() : nlohmann::json(preset)}},
                         "nothing trained (--estimate); run again without it to train");
            return 0;
        }
    }
    QueueEta eta(estimate.value_or(MatrixTimeEstimate{}));
    std::map<std::string, double> cellStart;
    RunQueue queue = makeQueue(path, matrix, experiment, options, args.flag("replace"));

    std::signal(SIGINT, trainOnInterrupt);
    std::signal(SIGTERM, trainOnInterrupt);
    std::map<std::string, double> lastStepLine;
    std::map<std::string, int> epochsOf;
    std::map<std::string, std::string> selectByOf;
    std::set<std::string> cvCells;
    for (const auto& c : matrix.cells()) {
        if (c.config.cvFolds >= 2) cvCells.insert(c.key);
        epochsOf[c.key] = c.config.epochs;
        selectByOf[c.key] = c.config.selectBy;
    }
    std::vector<nlohmann::json> failures;
    std::vector<std::string> busy; // cells another process is training now
    const double start = now();
    const int doneNow = queue.run(
        [&](const RunEvent& e) {
            const std::string cell =
                "[" + std::to_string(e.cellIndex + 1) + "/" + std::to_string(e.cellCount) + "] " + e.cellKey;
            switch (e.kind) {
            case RunEvent::Kind::ExperimentStarted:
                std::fprintf(stderr, "experiment %s: %d cells\n", e.message.c_str(), e.cellCount);
                break;
            case RunEvent::Kind::CellSkipped:
                std::fprintf(stderr, "%s: skipped (%s)\n", cell.c_str(), e.message.c_str());
                if (e.message == kCellBusyMessage) busy.push_back(e.cellKey);
                break;
            case RunEvent::Kind::CellStarted:
                cellStart[e.cellKey] = now();
                std::fprintf(stderr, "%s: run %lld started%s%s\n", cell.c_str(),
                             static_cast<long long>(e.runId), e.message.empty() ? "" : ", ",
                             e.message.c_str());
                break;
            case RunEvent::Kind::Step: {
                // A line every few seconds: enough to see it move without flooding a log file.
                double& last = lastStepLine[e.cellKey];
                const bool lastStep = e.step.step + 1 == e.step.stepsPerEpoch;
                // A cross-validated cell's steps restart with every fold: only its elapsed time is known.
                const double fraction =
                    cvCells.count(e.cellKey)
                        ? 0
                        : (e.step.epoch + double(e.step.step + 1) / std::max(1, e.step.stepsPerEpoch)) /
                              std::max(1, epochsOf[e.cellKey]);
                eta.cellProgress(e.cellKey, fraction, now() - cellStart[e.cellKey]);
                if (now() - last < 3 && !lastStep) break;
                last = now();
                std::fprintf(stderr, "%s: epoch %d/%d step %d/%d loss %s lr %.2e %.0f img/s%s\n",
                             cell.c_str(), e.step.epoch + 1, epochsOf[e.cellKey], e.step.step + 1,
                             e.step.stepsPerEpoch, fixed(e.step.loss, 4).c_str(), e.step.learningRate,
                             e.step.imagesPerSecond,
                             estimate ? ("  ETA cell " + formatEstimate(eta.cellRemainingSeconds(e.cellKey)) +
                                         ", queue " + formatEstimate(eta.queueRemainingSeconds()))
                                            .c_str()
                                      : "");
                break;
            }
            case RunEvent::Kind::Epoch:
                std::fprintf(
                    stderr, "%s: epoch %d/%d train loss %s val loss %s val AUC %s (%.1f s)%s\n", cell.c_str(),
                    e.epoch.epoch + 1, epochsOf[e.cellKey], fixed(e.epoch.trainLoss, 4).c_str(),
                    fixed(e.epoch.valLoss, 4).c_str(), fixed(e.epoch.valAuc).c_str(), e.epoch.seconds,
                    e.epoch.best
                        ? (" <- kept (" + selectionCriterionText(selectByOf[e.cellKey]) + ")").c_str()
                        : "");
                break;
            case RunEvent::Kind::CellFinished:
                eta.cellFinished(e.cellKey);
                if (std::isfinite(e.cvAuc))
                    std::fprintf(
                        stderr,
                        "%s: done, val ROC AUC %s, test ROC AUC %s, cross-validated ROC AUC %s [%s, %s]\n",
                        cell.c_str(), fixed(e.valAuc).c_str(), fixed(e.testAuc).c_str(),
                        fixed(e.cvAuc).c_str(), fixed(e.cvLow).c_str(), fixed(e.cvHigh).c_str());
                else
                    std::fprintf(stderr, "%s: done, val ROC AUC %s, test ROC AUC %s\n", cell.c_str(),
                                 fixed(e.valAuc).c_str(), fixed(e.testAuc).c_str());
                break;
            case RunEvent::Kind::CellFailed:
                std::fprintf(stderr, "%s: FAILED: %s\n", cell.c_str(), e.message.c_str());
                failures.push_back({{"cell", e.cellKey}, {"run", e.runId}, {"error", e.message}});
                break;
            case RunEvent::Kind::CellCancelled:
                std::fprintf(stderr, "%s: %s\n", cell.c_str(), e.message.c_str());
                break;
            case RunEvent::Kind::ExperimentFinished:
                std::fprintf(stderr, "experiment finished: %s\n", e.message.c_str());
                break;
            case RunEvent::Kind::Log:
                std::fprintf(stderr, "%s: %s\n", e.cellKey.empty() ? "train" : cell.c_str(),
                             e.message.c_str());
                break;
            }
        },
        &g_stop);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);

    nlohmann::json runsJson = nlohmann::json::array();
    int done = 0, failed = 0, pending = 0;
    std::string text = "experiment " + experiment + " in " + path + ":";
    for (const RunSummary& r : listRuns(path, experiment)) {
        bool selected = options.onlyCells.empty();
        for (const auto& p : options.onlyCells)
            selected = selected || cellKeyMatches(p, r.cellKey);
        if (!selected) continue;
        done += r.state == "done";
        failed += r.state == "failed";
        pending += r.state != "done" && r.state != "failed";
        nlohmann::json j = {{"id", r.id},         {"cell", r.cellKey},  {"state", r.state},
                            {"status", r.status}, {"epochs", r.epochs}, {"device", r.device}};
        j["val_roc_auc"] = std::isfinite(r.valAuc) ? nlohmann::json(r.valAuc) : nlohmann::json();
        j["test_roc_auc"] = std::isfinite(r.testAuc) ? nlohmann::json(r.testAuc) : nlohmann::json();
        if (r.cvFoldsTotal > 0) {
            j["cv_roc_auc"] = std::isfinite(r.cvAuc) ? nlohmann::json(r.cvAuc) : nlohmann::json();
            j["cv_roc_auc_ci"] =
                std::isfinite(r.cvAuc) ? nlohmann::json({r.cvLow, r.cvHigh}) : nlohmann::json();
            j["cv_folds_done"] = r.cvFoldsDone;
            j["cv_folds_total"] = r.cvFoldsTotal;
        }
        if (!r.error.empty() && r.state != "done") j["error"] = r.error;
        runsJson.push_back(j);
        text += "\n  " + std::to_string(r.id) + " " + r.cellKey + " " + r.status +
                (r.state == "done" ? " val AUC " + fixed(r.valAuc) + " test AUC " + fixed(r.testAuc) : "") +
                (r.state == "done" && std::isfinite(r.cvAuc)
                     ? " CV AUC " + fixed(r.cvAuc) + " [" + fixed(r.cvLow) + ", " + fixed(r.cvHigh) + "]"
                     : "") +
                (r.state == "failed" ? ": " + r.error : "");
    }
    const double seconds = now() - start;
    text += "\n" + std::to_string(done) + " done (" + std::to_string(doneNow) + " now), " +
            std::to_string(failed) + " failed, " + std::to_string(pending) + " not finished; " +
            formatDuration(seconds);
    if (!busy.empty()) {
        text += "\n" + std::to_string(busy.size()) +
                " cell(s) skipped because another process is training them now:";
        for (const auto& b : busy)
            text += " " + b;
        text += " (run again when it has finished; exit status 3)";
    }
    const StopRequest stop = static_cast<StopRequest>(g_stop.load());
    printSummary(args,
                 {{"ok", failed == 0 && busy.empty()},
                  {"experiment", experiment},
                  {"experiment_id", queue.experimentId()},
                  {"cells", runsJson.size()},
                  {"done", done},
                  {"done_now", doneNow},
                  {"failed", failed},
                  {"not_finished", pending},
                  {"stopped", stop == StopRequest::Pause    ? "paused"
                              : stop == StopRequest::Cancel ? "cancelled"
                                                            : ""},
                  {"seconds", seconds},
                  {"failures", failures},
                  {"busy", busy},
                  {"estimate", estimateJson},
                  {"runs", runsJson}},
                 text);
    if (stop != StopRequest::None) return 130; // interrupted, as shells report Ctrl-C
    if (failed > 0) return 1;
    return busy.empty() ? 0 : 3; // not everything asked for was trained: another process holds it
}

} // namespace

static VerbRegistrar trainVerb(
    {"train",
     "PROJECT [--matrix FILE] [--experiment NAME] [--target-sets A,B] [--cells PATTERN,...] "
     "[--device cpu|cuda|auto] [--parallel N] [--preset cpu] [--set key=value ...] [--replace] [--no-retry] "
     "[--estimate|--no-estimate] [--json]",
     "train the experiment matrix (default: the 18 configurations on the project's target sets); resumes "
     "where it stopped, skips finished cells; --set changes a default (epochs=2, image_size=64), --replace "
     "accepts a changed matrix for an existing experiment; --target-sets runs the matrix on those target "
     "sets; before training it times one step per network and prints each cell's and the queue's estimated "
     "time (--estimate: only that; --no-estimate: skip it); --preset cpu trains smaller images for fewer "
     "epochs (experiment '<name>-cpu')",
     {"replace", "no-retry", "estimate", "no-estimate"},
     train});
