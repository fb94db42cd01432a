// ringminer-cli predict: scores any catalog with a trained run (or the best one) and writes the catalog's id
// column with p_ring. Images come from a folder through a file-name template; a galaxy whose image is
// missing or corrupt (and a catalog row that could not be read) is listed with its row in OUT.errors.csv and
// the summary rather than dropped.
#include "Cli.h"

#include "catalog/CatalogReader.h"
#include "imaging/GalaxyRef.h"
#include "imaging/ImageSource.h"
#include "training/RunQueue.h"
#include "training/ScoreGalaxies.h"
#include "training/TrainConfig.h"
#include "util/Error.h"
#include "util/Sha256.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

using namespace rm;
using namespace rm::cli;
namespace fs = std::filesystem;

namespace {

std::string csvField(const std::string& s)
{
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s)
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

// The column that names a galaxy: asked for, or the first usual identifier the catalog has.
int idColumn(const Table& table, const std::optional<std::string>& asked)
{
    if (asked) {
        const int c = table.columnIndex(*asked);
        if (c < 0) throw UsageError("the catalog has no column '" + *asked + "'");
        return c;
    }
    for (const char* name : {"iauname", "id_str", "objid", "dr7objid", "GalaxyID", "JID", "id", "name",
                             "Names", "PGCName", "file"}) {
        const int c = table.columnIndex(name);
        if (c >= 0) return c;
    }
    return 0;
}

int predict(const Args& args)
{
    args.allowOnly(
        {"run", "experiment", "catalog", "images", "template", "out", "id-column", "batch", "device"}, {});
    const std::string project = args.positional(0, "PROJECT");
    const auto which = args.option("run");
    const auto catalogPath = args.option("catalog");
    const auto imagesDir = args.option("images");
    const auto outPath = args.option("out");
    if (!which || !catalogPath || !imagesDir || !outPath)
        throw UsageError("--run, --catalog, --images and --out are required");
    const long long batch = args.integer("batch", 64);
    if (batch < 1 || batch > 4096) throw UsageError("--batch must be 1..4096");

    const RunSummary run = findDoneRun(project, *which, args.option("experiment", ""));
    if (!fs::exists(run.weightsPath))
        throw Error("the weights of run " + std::to_string(run.id) + " are gone: " + run.weightsPath);
    // The score must come from the weights the run's metrics describe.
    if (!run.weightsSha256.empty() && sha256File(run.weightsPath) != run.weightsSha256)
        throw Error("'" + run.weightsPath + "' changed since run " + std::to_string(run.id) +
                    " wrote it (its SHA-256 differs from the recorded one)");
    const TrainConfig config = applyJson(TrainConfig{}, run.config);
    const std::map<std::string, MetricInterval> valMetrics = loadMetrics(project, run.id, "val");
    const double threshold = valMetrics.count("threshold") ? valMetrics.at("threshold").value : 0.5;

    ImportOptions io;
    io.onBadRow = BadRowPolicy::Skip;
    Progress readProgress("reading catalog");
    io.progress = readProgress;
    const ImportedCatalog catalog = importCatalog(*catalogPath, io);
    const Table& table = catalog.table;
    const int idCol = idColumn(table, args.option("id-column"));
    const std::string idName = table.columns[static_cast<std::size_t>(idCol)].name;

    const nlohmann::json spec = {{"kind", "folder"},
                                 {"dir", fs::absolute(*imagesDir).lexically_normal().string()},
                                 {"template", args.option("template", "{iauname}.jpg")}};
    const std::unique_ptr<ImageSource> source = makeImageSource(spec);
    std::vector<GalaxyRef> galaxies;
    galaxies.reserve(table.rowCount());
    for (std::size_t i = 0; i < table.rowCount(); ++i) {
        GalaxyRef g = GalaxyRef::fromTable(table, i);
        g.ra = catalog.ra[i];
        g.dec = catalog.dec[i];
        galaxies.push_back(std::move(g));
    }

    ScoreGalaxiesOptions so;
    so.weightsPath = run.weightsPath;
    so.view = config.view;
    so.batchSize = static_cast<int>(batch);
    so.device = args.option("device", config.device);
    Progress scoreProgress("scoring");
    so.progress = scoreProgress;
    const std::vector<GalaxyScore> scores = scoreGalaxies(*source, galaxies, so);
    scoreProgress.finish();

    struct RowError
    {
        std::size_t row;
        std::string id, error;
    };
    std::vector<RowError> errors;
    for (const ImportIssue& issue : catalog.skipped)
        errors.push_back({issue.row, "", "catalog row not read: " + issue.message()});
    std::ofstream out(*outPath, std::ios::binary | std::ios::trunc);
    if (!out) throw Error("cannot write '" + *outPath + "'");
    out << csvField(idName) << ",p_ring\n";
    std::size_t scored = 0, above = 0;
    const Column& ids = table.columns[static_cast<std::size_t>(idCol)];
    for (std::size_t i = 0; i < scores.size(); ++i) {
        const std::string id = ids.text(i);
        if (!scores[i].error.empty()) {
            errors.push_back({catalog.sourceRow.empty() ? i + 1 : catalog.sourceRow[i], id, scores[i].error});
            continue;
        }
        char p[32];
        std::snprintf(p, sizeof p, "%.6f", scores[i].score);
        out << csvField(id) << "," << p << "\n";
        ++scored;
        above += scores[i].score >= threshold;
    }
    out.close();
    if (!out) throw Error("error writing '" + *outPath + "'");
    std::sort(errors.begin(), errors.end(),
              [](const RowError& a, const RowError& b) { return a.row < b.row; });
    const std::string errorsPath = *outPath + ".errors.csv";
    if (!errors.empty()) {
        std::ofstream e(errorsPath, std::ios::binary | std::ios::trunc);
        e << "row," << csvField(idName) << ",error\n";
        for (const auto& r : errors)
            e << r.row << "," << csvField(r.id) << "," << csvField(r.error) << "\n";
        if (!e) throw Error("cannot write '" + errorsPath + "'");
    } else {
        std::error_code ec;
        fs::remove(errorsPath, ec); // a stale list from an earlier run would mislead
    }

    nlohmann::json errorList = nlohmann::json::array();
    std::string text =
        "run " + std::to_string(run.id) + " (" + run.cellKey + ") scored " + std::to_string(scored) + " of " +
        std::to_string(table.rowCount() + catalog.skipped.size()) + " galaxies into " + *outPath + "; " +
        std::to_string(above) + " at or above the run's threshold " + std::to_string(threshold);
    if (!errors.empty())
        text += "\n" + std::to_string(errors.size()) + " could not be scored (all in " + errorsPath + "):";
    for (const auto& r : errors) {
        if (errorList.size() < 100) errorList.push_back({{"row", r.row}, {"id", r.id}, {"error", r.error}});
        if (errorList.size() <= 20) text += "\n  row " + std::to_string(r.row) + " " + r.id + ": " + r.error;
    }
    printSummary(args,
                 {{"ok", true},
                  {"run", run.id},
                  {"cell", run.cellKey},
                  {"weights", run.weightsPath},
                  {"weights_sha256", run.weightsSha256},
                  {"id_column", idName},
                  {"rows", table.rowCount() + catalog.skipped.size()},
                  {"scored", scored},
                  {"threshold", threshold},
                  {"at_or_above_threshold", above},
                  {"out", *outPath},
                  {"errors", errors.size()},
                  {"errors_file", errors.empty() ? nlohmann::json() : nlohmann::json(errorsPath)},
                  {"error_rows", errorList}},
                 text);
    return 0;
}

} // namespace

static VerbRegistrar predictVerb(
    {"predict",
     "PROJECT --run RUN|best [--experiment NAME] --catalog FILE --images DIR [--template '{iauname}.jpg'] "
     "--out "
     "OUT.csv [--id-column COL] [--batch N] [--device D] [--json]",
     "score every galaxy of a catalog with a run's weights (images from a folder by template); writes the id "
     "column and p_ring, and OUT.csv.errors.csv listing rows whose image is missing or corrupt",
     {},
     predict});
