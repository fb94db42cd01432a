// ringminer-cli predict: scores any catalog with a trained run (or the best one) and writes the catalog's id
// column with p_ring: `mine` with the shards in memory and no threshold, cross-match or catalog (the same
// scoring path, core/mining). Positions are optional. Images come from a folder through a file-name template;
// a galaxy whose image is missing or corrupt (and a catalog row that could not be read) is listed with its
// row in OUT.errors.csv and the summary rather than dropped.
#include "Cli.h"

#include "mining/Mining.h"
#include "mining/ShardedScoring.h"
#include "sources/ImageSource.h"
#include "training/RunStore.h"
#include "util/CsvField.h"
#include "util/Error.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

using namespace rm;
using namespace rm::cli;
namespace fs = std::filesystem;

namespace {

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

    // The mining code path with the shards kept in memory (core/mining/Mining.h).
    const ScoringRun run = resolveScoringRun(project, *which, args.option("experiment", ""));
    const std::map<std::string, MetricInterval> valMetrics = loadMetrics(project, run.id, "val");
    const double threshold = valMetrics.count("threshold") ? valMetrics.at("threshold").value : 0.5;

    Progress readProgress("reading catalog");
    const MiningInput input = readMiningInput(*catalogPath, args.option("id-column"), readProgress);
    const std::string& idName = input.idName;
    const std::unique_ptr<ImageSource> source =
        openImageSource(project, "", *imagesDir, args.option("template", "{iauname}.jpg"));
    checkImageSource(*source, input);

    ScoreGalaxiesOptions so;
    so.weightsPath = run.weightsPath;
    so.view = run.view;
    so.batchSize = static_cast<int>(batch);
    so.device = args.option("device", run.device);
    Progress scoreProgress("scoring");
    ShardPlan plan;
    plan.shardSize = 4096;
    const std::vector<GalaxyScore> scores = scoreInShards(
                                                *source, input.table.rowCount(),
                                                [&](std::size_t i) {
                                                    GalaxyRef g = GalaxyRef::fromTable(input.table, i);
                                                    g.ra = input.ra[i];
                                                    g.dec = input.dec[i];
                                                    return g;
                                                },
                                                so, plan, scoreProgress)
                                                .scores;
    scoreProgress.finish();

    struct RowError
    {
        std::size_t row;
        std::string id, error;
    };
    std::vector<RowError> errors;
    for (const ImportIssue& issue : input.skipped)
        errors.push_back({issue.row, "", "catalog row not read: " + issue.message()});
    std::ofstream out(*outPath, std::ios::binary | std::ios::trunc);
    if (!out) throw Error("cannot write '" + *outPath + "'");
    out << csvField(idName) << ",p_ring\n";
    std::size_t scored = 0, above = 0;
    for (std::size_t i = 0; i < scores.size(); ++i) {
        const std::string id = input.id(i);
        if (!scores[i].error.empty()) {
            errors.push_back({input.sourceRow[i], id, scores[i].error});
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
            e << r.row - 1 << "," << csvField(r.id) << "," << csvField(r.error)
              << "\n"; // 0-based, as in tables
        if (!e) throw Error("cannot write '" + errorsPath + "'");
    } else {
        std::error_code ec;
        fs::remove(errorsPath, ec); // a stale list from an earlier run would mislead
    }

    nlohmann::json errorList = nlohmann::json::array();
    std::string text = "run " + std::to_string(run.id) + " (" + run.cellKey + ") scored " +
                       std::to_string(scored) + " of " + std::to_string(input.totalRows()) +
                       " galaxies into " + *outPath + "; " + std::to_string(above) +
                       " at or above the run's threshold " + std::to_string(threshold);
    if (!errors.empty())
        text += "\n" + std::to_string(errors.size()) + " could not be scored (all in " + errorsPath + "):";
    for (const auto& r : errors) {
        if (errorList.size() < 100)
            errorList.push_back({{"row", r.row - 1}, {"id", r.id}, {"error", r.error}});
        if (errorList.size() <= 20) text += "\n  row " + std::to_string(r.row) + " " + r.id + ": " + r.error;
    }
    printSummary(args,
                 {{"ok", true},
                  {"run", run.id},
                  {"cell", run.cellKey},
                  {"weights", run.weightsPath},
                  {"weights_sha256", run.weightsSha256},
                  {"id_column", idName},
                  {"rows", input.totalRows()},
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
