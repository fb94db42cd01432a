// ringminer-cli runs list: the runs of a project (or of one experiment) with their state, epochs, validation
// and test ROC AUC, device, time and, for a run that did not finish, why.
// ringminer-cli runs export: a run's best weights as a standalone safetensors file with its provenance, to
// start another project's encoder from ("pretrained" in a matrix) or to share.
#include "Cli.h"
#include "catalog/CatalogWriter.h"
#include "store/ProjectStore.h"
#include "targets/ProjectExport.h"

#include "models/Safetensors.h"
#include "models/WeightsIO.h"
#include "training/FeatureBaseline.h"
#include "training/RunStore.h"
#include "util/Error.h"
#include "util/Sha256.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

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
    char line[640];
    // The cross-validated AUC is what to compare on small sets; its column appears once a cell asks for it.
    const bool anyCv =
        std::any_of(runs.begin(), runs.end(), [](const RunSummary& r) { return r.cvFoldsTotal > 0; });
    if (!runs.empty()) {
        std::snprintf(line, sizeof line, "%5s  %-12s %-36s %-9s %6s %8s %8s%s %9s  %s", "run", "experiment",
                      "cell", "state", "epochs", "val AUC", "test AUC", anyCv ? "  CV AUC [95% CI]     " : "",
                      "seconds", "device / error");
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
                        {"status", r.status},
                        {"error", r.error},
                        {"epochs", r.epochs},
                        {"best_epoch", r.bestEpoch},
                        {"attempts", r.attempts},
                        {"val_roc_auc", finiteOrNull(r.valAuc)},
                        {"test_roc_auc", finiteOrNull(r.testAuc)},
                        {"cv_roc_auc", finiteOrNull(r.cvAuc)},
                        {"cv_roc_auc_low", finiteOrNull(r.cvLow)},
                        {"cv_roc_auc_high", finiteOrNull(r.cvHigh)},
                        {"cv_folds_done", r.cvFoldsDone},
                        {"cv_folds_total", r.cvFoldsTotal},
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
        std::string tail = r.state == "done" || r.error.empty() ? r.device : r.error;
        // The short state fits the column; what it means for the user follows it.
        if (r.status != r.state) tail = r.status + (tail.empty() ? "" : "; " + tail);
        const std::string shortState = r.status == "not started" ? "-" : r.state;
        std::string cv;
        if (anyCv) {
            char b[64];
            if (std::isfinite(r.cvAuc))
                std::snprintf(b, sizeof b, "  %.3f [%.3f, %.3f]", r.cvAuc, r.cvLow, r.cvHigh);
            else if (r.cvFoldsTotal > 0)
                std::snprintf(b, sizeof b, "  - (%d/%d folds)", r.cvFoldsDone, r.cvFoldsTotal);
            else
                std::snprintf(b, sizeof b, "  -");
            cv = b;
            cv.resize(23, ' ');
        }
        std::snprintf(line, sizeof line, "%5lld  %-12s %-36s %-9s %6d %8s %8s%s %9s  %s",
                      static_cast<long long>(r.id), r.experiment.c_str(), r.cellKey.c_str(),
                      shortState.c_str(), r.epochs, num(r.valAuc, "%.3f").c_str(),
                      num(r.testAuc, "%.3f").c_str(), cv.c_str(), num(r.seconds, "%.1f").c_str(),
                      tail.c_str());
        text += std::string("\n") + line;
    }
    printSummary(
        args,
        {{"ok", true}, {"project", path}, {"experiment", experiment}, {"count", runs.size()}, {"runs", list}},
        text);
    return 0;
}

// A feature-baseline model (profile_lr) is no network: its tensors are copied as they are, with the same
// provenance metadata a network export gets. It cannot serve as an encoder, only be scored with.
int exportFeatureModel(const Args& args, const std::string& project, const RunSummary& run,
                       const std::string& out)
{
    namespace fs = std::filesystem;
    const FeatureModelInfo info = readFeatureModel(run.weightsPath); // proves the file is whole
    SafetensorsFile file(run.weightsPath);
    std::vector<TensorToWrite> tensors;
    for (const TensorInfo& t : file.tensors())
        tensors.push_back({t.name, t.shape, t.dtype, file.data(t)});
    std::map<std::string, std::string> meta = file.metadata();
    char auc[32];
    std::snprintf(auc, sizeof auc, "%.6f", run.valAuc);
    meta["ringminer.source_project"] = fs::absolute(project).lexically_normal().string();
    meta["ringminer.source_run"] = std::to_string(run.id);
    meta["ringminer.source_experiment"] = run.experiment;
    meta["ringminer.source_cell"] = run.cellKey;
    meta["ringminer.source_val_roc_auc"] = auc;
    meta["ringminer.source_sha256"] = run.weightsSha256;
    writeSafetensors(out, tensors, meta);
    const std::string sha = sha256File(out);
    printSummary(
        args,
        {{"ok", true},
         {"project", project},
         {"run", run.id},
         {"cell", run.cellKey},
         {"experiment", run.experiment},
         {"arch", kFeatureBaselineArch},
         {"in_chans", info.channels},
         {"features", info.names.size()},
         {"val_roc_auc", finiteOrNull(run.valAuc)},
         {"out", out},
         {"sha256", sha}},
        "exported run " + std::to_string(run.id) + " (" + run.cellKey + ", profile_lr feature model, " +
            std::to_string(info.names.size()) + " features) to " + out +
            "\n(a feature model starts no encoder; score galaxies with its run: ringminer-cli predict " +
            project + " --run " + std::to_string(run.id) + " ...)");
    return 0;
}

int runsExport(const Args& args)
{
    args.allowOnly({"run", "experiment", "out"}, {"force"});
    namespace fs = std::filesystem;
    const std::string project = args.positional(0, "PROJECT");
    const auto which = args.option("run");
    const auto out = args.option("out");
    if (!which) throw UsageError("--run RUN|best|CELL is required");
    if (!out) throw UsageError("--out FILE.safetensors is required");
    if (fs::exists(*out) && !args.flag("force"))
        throw UsageError("'" + *out + "' exists (pass --force to replace it)");

    const RunSummary run = findDoneRunWithWeights(project, *which, args.option("experiment", ""));
    if (isFeatureModelFile(run.weightsPath)) return exportFeatureModel(args, project, run, *out);
    // Loading proves the file is whole and names a known architecture before anything is written.
    const auto model = loadModel(run.weightsPath);
    char auc[32];
    std::snprintf(auc, sizeof auc, "%.6f", run.valAuc);
    saveModel(*model, *out,
              {{"ringminer.source_project", fs::absolute(project).lexically_normal().string()},
               {"ringminer.source_run", std::to_string(run.id)},
               {"ringminer.source_experiment", run.experiment},
               {"ringminer.source_cell", run.cellKey},
               {"ringminer.source_val_roc_auc", auc},
               {"ringminer.source_sha256", run.weightsSha256}});
    const std::string sha = sha256File(*out);
    const std::string arch = model->options().arch;
    const int channels = model->options().inChannels;
    printSummary(args,
                 {{"ok", true},
                  {"project", project},
                  {"run", run.id},
                  {"cell", run.cellKey},
                  {"experiment", run.experiment},
                  {"arch", arch},
                  {"in_chans", channels},
                  {"val_roc_auc", finiteOrNull(run.valAuc)},
                  {"out", *out},
                  {"sha256", sha}},
                 "exported run " + std::to_string(run.id) + " (" + run.cellKey + ", " + arch + ", " +
                     std::to_string(channels) + " channel" + (channels == 1 ? "" : "s") + ") to " + *out +
                     "\nuse it as an encoder: {\"name\": \"...\", \"arch\": \"" + arch +
                     "\", \"in_chans\": " + std::to_string(channels) + ", \"pretrained\": \"" +
                     fs::absolute(*out).lexically_normal().string() + "\"} in a matrix's models");
    return 0;
}

} // namespace

namespace {

// A done run's stored predictions, one row per galaxy of its target set that it scored, with the galaxy's
// catalog, row and position: what TOPCAT needs to overlay a run's scores on a catalog.
int runsPredictions(const Args& args)
{
    args.allowOnly({"run", "experiment", "out"}, {});
    const std::string project = args.positional(0, "PROJECT");
    const auto which = args.option("run");
    const auto out = args.option("out");
    if (!which) throw UsageError("--run RUN|best|CELL is required");
    if (!out) throw UsageError("--out FILE.vot|FILE.csv|FILE.fits is required");
    const ExportFormat format = exportFormatForPath(*out);
    const RunSummary run = findDoneRun(project, *which, args.option("experiment", ""));
    std::vector<ScoredTarget> scored;
    for (const StoredPrediction& p : loadPredictions(project, run.id))
        scored.push_back({p.targetIdx, p.split, p.label, p.score});
    auto store = ProjectStore::open(project);
    ExportTable table = predictionsExportTable(*store, run.targetSet, scored);
    table.name = "run" + std::to_string(run.id);
    table.description = "RingMiner run " + std::to_string(run.id) + " (" + run.cellKey +
                        "): p_ring of each galaxy of target set '" + run.targetSet + "', label 1 = ring";
    const Table& t = table.table;
    writeTable(*out, table, format);
    printSummary(args,
                 {{"ok", true},
                  {"run", run.id},
                  {"cell", run.cellKey},
                  {"rows", t.rowCount()},
                  {"format", exportFormatName(format)},
                  {"out", *out}},
                 "wrote the " + std::to_string(t.rowCount()) + " predictions of run " +
                     std::to_string(run.id) + " (" + run.cellKey + ") to " + *out + " (" +
                     exportFormatName(format) + ")");
    return 0;
}

} // namespace

static VerbRegistrar runsPredictionsVerb(
    {"runs predictions",
     "PROJECT --run RUN|best|CELL [--experiment NAME] --out FILE.vot|FILE.csv|FILE.fits [--json]",
     "write a done run's predictions (catalog, row, position, split, label, p_ring per galaxy of its target "
     "set) as a VOTable, CSV or FITS table",
     {},
     runsPredictions});

static VerbRegistrar runsExportVerb(
    {"runs export",
     "PROJECT --run RUN|best|CELL [--experiment NAME] --out FILE.safetensors [--force] [--json]",
     "write a done run's best weights (checked against their recorded SHA-256) as a safetensors "
     "file with the run's provenance; a matrix model's \"pretrained\" can load it",
     {"force"},
     runsExport});

static VerbRegistrar
    runsListVerb({"runs list",
                  "PROJECT [--experiment NAME] [--json]",
                  "list the training runs: state, epochs, validation/test ROC AUC, device, time, "
                  "and why a run failed",
                  {},
                  runsList});
