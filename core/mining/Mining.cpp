#include "mining/Mining.h"

#include "catalog/CatalogReader.h"
#include "mining/ContactSheet.h"
#include "mining/ShardedScoring.h"
#include "sources/CutoutImageSource.h"
#include "sources/FileNameTemplate.h"
#include "sources/ImageSource.h"
#include "store/CatalogImport.h"
#include "store/CutoutLedger.h"
#include "store/ProjectStore.h"
#include "training/RunStore.h"
#include "training/TrainConfig.h"
#include "util/Error.h"
#include "util/Sha256.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <unordered_map>

namespace fs = std::filesystem;

namespace rm {

ScoringRun resolveScoringRun(const std::string& projectPath, const std::string& which,
                             const std::string& experiment)
{
    // The score must come from the weights the run's metrics describe.
    const RunSummary run = findDoneRunWithWeights(projectPath, which, experiment);
    const TrainConfig config = applyJson(TrainConfig{}, run.config);
    ScoringRun out;
    out.id = run.id;
    out.cellKey = run.cellKey;
    out.arch = config.model.arch;
    out.fineTune = fineTuneModeName(config.fineTune);
    out.weightsPath = run.weightsPath;
    out.weightsSha256 = run.weightsSha256.empty() ? sha256File(run.weightsPath) : run.weightsSha256;
    out.device = config.device;
    out.view = config.view;
    out.view.augment = false;
    return out;
}

ThresholdChoice chooseThreshold(const std::string& projectPath, const ScoringRun& run,
                                std::optional<double> given, double targetPrecision)
{
    std::vector<int> labels;
    std::vector<float> scores;
    for (const StoredPrediction& p : loadPredictions(projectPath, run.id))
        if (p.split == "val") {
            labels.push_back(p.label);
            scores.push_back(p.score);
        }
    if (given) {
        ThresholdChoice c = thresholdMetrics(labels, scores, *given);
        c.how = "given (--threshold)";
        return c;
    }
    if (labels.empty())
        throw Error("run " + std::to_string(run.id) +
                    " has no validation predictions to choose a threshold on; give --threshold");
    ThresholdChoice c = thresholdAtPrecision(labels, scores, targetPrecision);
    char how[160];
    std::snprintf(how, sizeof how,
                  "lowest threshold with precision >= %g on the validation split of run %lld",
                  targetPrecision, static_cast<long long>(run.id));
    c.how = how;
    return c;
}

std::unique_ptr<ImageSource> openImageSource(const std::string& projectPath, const std::string& images,
                                             const std::string& folder, const std::string& pattern)
{
    std::error_code ec;
    const std::string dir = !folder.empty() ? folder : fs::is_directory(images, ec) ? images : std::string();
    if (!dir.empty()) {
        if (!fs::is_directory(dir, ec)) throw Error("no image folder '" + dir + "'");
        if (pattern.empty()) throw Error("an image folder needs a file-name template, e.g. '{iauname}.jpg'");
        return makeImageSource(nlohmann::json{{"kind", "folder"},
                                              {"dir", fs::absolute(dir).lexically_normal().string()},
                                              {"template", pattern}});
    }
    if (images.empty()) throw Error("say where the images are: an image source of the project, or a folder");
    auto store = ProjectStore::open(projectPath);
    const CatalogInfo cat = store->catalog(images);
    const auto spec = store->imageSourceSpec(cat.id);
    if (!spec)
        throw Error("catalog '" + cat.name +
                    "' has no image source (set one with: ringminer-cli cutouts source PROJECT " + cat.name +
                    " --folder DIR --template T)");
    registerCutoutImageSources();
    ImageSourceContext ctx;
    ctx.baseDir = fs::absolute(projectPath).parent_path().string();
    ctx.cacheDir = fs::absolute(projectPath).string() + ".files/cutouts";
    return makeImageSource(*spec, ctx);
}

std::string errorKind(const std::string& e);

// A cutout-service source reads only its download cache, so a galaxy whose download failed looks merely
// missing there. When the catalog mined is the one whose cutouts were fetched, the project's ledger knows
// why: its reason replaces "no cutout yet" (a 500 after every retry, HTML instead of a JPEG...). Returns what
// rewrites a chunk of candidates so (nothing to do: an empty function).
std::function<void(CandidateTable&)> missingCutoutExplainer(const MiningRequest& rq,
                                                            const ImageSource& source)
{
    const auto* cutouts = dynamic_cast<const CutoutImageSource*>(&source);
    if (!cutouts || rq.images.empty() || rq.catalog != rq.images) return {};
    auto store = ProjectStore::open(rq.projectPath);
    if (!store->hasCatalog(rq.images)) return {};
    CutoutLedger ledger(store->db(), cutouts->serviceSpec().cacheKey(), store->catalog(rq.images).id);
    auto entries = std::make_shared<const std::unordered_map<std::size_t, CutoutLedgerEntry>>(ledger.load());
    return [entries](CandidateTable& table) {
        for (std::size_t i = 0; i < table.size(); ++i) {
            if (table.error[i].empty() || errorKind(table.error[i]) != "missing_image") continue;
            const auto it = entries->find(table.sourceRow[i] - 1); // project catalogs: row i + 1
            if (it == entries->end() || it->second.state != "failed") continue;
            table.error[i] = "download failed after " + std::to_string(it->second.attempts) +
                             " attempt(s): " + it->second.error;
        }
    };
}

std::string errorKind(const std::string& e)
{
    auto has = [&](const char* s) { return e.find(s) != std::string::npos; };
    if (e.empty()) return "scored";
    if (has("catalog row not read")) return "unreadable_row";
    if (has("HTML") || has("html")) return "html_not_image";
    // A file that is there but not an image first ("truncated JPEG ... an interrupted download?").
    if (has("truncated") || has("corrupt") || has("not a JPEG") || has("empty file") || has("decode"))
        return "corrupt_image";
    if (has("download") || has("HTTP") || has("timed out") || has("timeout")) return "download_failed";
    if (has("no such file") || has("no image") || has("missing") || has(" has no ")) return "missing_image";
    return "not_scored";
}

namespace {

std::string isoDate(std::time_t t)
{
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// The date a new mining run records: SOURCE_DATE_EPOCH when set (reproducible outputs), else now.
std::string startDate()
{
    if (const char* e = std::getenv("SOURCE_DATE_EPOCH")) {
        char* end = nullptr;
        const long long t = std::strtoll(e, &end, 10);
        if (end && *end == 0) return isoDate(static_cast<std::time_t>(t));
    }
    return isoDate(std::time(nullptr));
}

// Every leaf of `wanted` that `stored` has differently: "input.sha256: the folder has X, this command Y".
void differences(const nlohmann::json& stored, const nlohmann::json& wanted, const std::string& prefix,
                 std::vector<std::string>& out)
{
    for (auto it = wanted.begin(); it != wanted.end(); ++it) {
        const std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
        const nlohmann::json there = stored.contains(it.key()) ? stored.at(it.key()) : nlohmann::json();
        if (it->is_object() && there.is_object()) {
            differences(there, *it, key, out);
        } else if (there != *it) {
            out.push_back(key + ": the folder has " + (there.is_null() ? "nothing" : there.dump()) +
                          ", this command " + it->dump());
        }
    }
}

std::string joinLines(const std::vector<std::string>& v)
{
    std::string s;
    for (const auto& x : v)
        s += "\n  " + x;
    return s;
}

nlohmann::json readJson(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    try {
        return nlohmann::json::parse(in);
    } catch (const std::exception& e) {
        throw InputError(path, 0, {}, std::string("not a readable manifest: ") + e.what());
    }
}

std::vector<KnownRings> knownRingCatalogs(const std::string& projectPath)
{
    std::vector<KnownRings> out;
    auto store = ProjectStore::open(projectPath);
    for (const CatalogInfo& info : store->catalogs()) {
        if (info.role != CatalogRole::Rings) continue;
        KnownRings k;
        k.name = info.name;
        const CatalogPositions p = store->positions(info.id);
        k.ra = p.ra;
        k.dec = p.dec;
        const Table table = store->loadTable(info.id);
        const int idCol = findIdColumn(table, std::nullopt);
        for (std::size_t r = 0; r < table.rowCount(); ++r)
            k.ids.push_back(table.columns[static_cast<std::size_t>(idCol)].text(r));
        out.push_back(std::move(k));
    }
    return out;
}

// The input's columns that the image source's file-name template needs besides what the candidates carry
// anyway (the id, and the position when there is one): published with them, so the candidates catalog in
// the project finds its images through the same source ({file} templates). Names that clash with the
// candidates' own columns are left out (the import then says which column is missing).
std::vector<std::pair<std::string, int>> imageTemplateColumns(const ImageSource& source,
                                                              const MiningInput& input)
{
    std::vector<std::pair<std::string, int>> out;
    const std::string pattern = source.spec().value("template", std::string());
    if (pattern.empty()) return out;
    for (const std::string& column : FileNameTemplate(pattern).columns()) {
        if (column == input.idName || (input.hasPositions && (column == "ra" || column == "dec"))) continue;
        bool ours = false;
        for (const char* name : {"row", "id", "ra", "dec", "p_ring", "p_ring_std", "is_ring", "known_ring",
                                 "known_catalog", "known_id", "known_sep_arcsec", "error"})
            ours = ours || column == name;
        const int index = input.table.columnIndex(column);
        if (ours || index < 0) continue;
        bool seen = false;
        for (const auto& c : out)
            seen = seen || c.first == column;
        if (!seen) out.emplace_back(column, index);
    }
    return out;
}

// The published rows, in file order, a chunk at a time: the rows the reader could not read (with why) and the
// rows read with their scores, read back from the shard files one shard at a time, download failures
// explained and known rings flagged. `visit(chunk, inputIndex)` gets each chunk with the input row behind
// each of its rows (SIZE_MAX for a row not read). Deterministic: walking twice gives the same chunks.
struct CandidateWalk
{
    const MiningInput& input;
    const ShardPlan& plan;
    bool tta = false;
    double threshold = 0.5;
    const KnownRingIndex* known = nullptr; // null: no cross-match (no positions)
    std::function<void(CandidateTable&)> explain;
    std::size_t chunkRows = 8192;
    std::vector<std::pair<std::string, int>> imageColumns; // name, input column

    void run(const std::function<void(const CandidateTable&, const std::vector<std::size_t>&)>& visit) const
    {
        const std::size_t n = input.table.rowCount(), total = input.totalRows();
        CandidateTable chunk;
        chunk.idName = input.idName;
        chunk.hasPositions = input.hasPositions;
        chunk.tta = tta;
        for (const auto& [name, column] : imageColumns)
            chunk.imageColumnNames.push_back(name);
        std::vector<std::size_t> inputIndex;
        std::vector<GalaxyScore> shardScores;
        std::size_t shard = 0, shardStart = 0, shardEnd = 0, next = 0, skip = 0;
        for (std::size_t begin = 0; begin < total; begin += chunkRows) {
            const std::size_t rows = std::min(chunkRows, total - begin);
            chunk.clear();
            chunk.resize(rows);
            inputIndex.assign(rows, SIZE_MAX);
            for (std::size_t k = 0; k < rows; ++k) {
                const bool takeSkip = skip < input.skipped.size() &&
                                      (next >= n || input.skipped[skip].row < input.sourceRow[next]);
                if (takeSkip) {
                    const ImportIssue& issue = input.skipped[skip++];
                    chunk.sourceRow[k] = issue.row;
                    chunk.error[k] = "catalog row not read: " + issue.message();
                    continue;
                }
                const std::size_t i = next++;
                inputIndex[k] = i;
                if (i >= shardEnd) { // the next shard's scores, read from its file
                    if (!readShardScores(plan, shard, n, shardScores))
                        throw Error("shard " + std::to_string(shard) + " of '" + plan.dir + "' disappeared");
                    shardStart = shardBegin(plan, shard);
                    shardEnd = shardStart + shardScores.size();
                    ++shard;
                }
                const GalaxyScore& sc = shardScores[i - shardStart];
                chunk.sourceRow[k] = input.sourceRow[i];
                chunk.id[k] = input.id(i);
                chunk.ra[k] = input.ra[i];
                chunk.dec[k] = input.dec[i];
                chunk.pRing[k] = sc.error.empty() ? sc.score : NAN;
                chunk.pRingStd[k] = sc.error.empty() && tta ? sc.spread : NAN;
                chunk.isRing[k] = sc.error.empty() && sc.score >= threshold;
                chunk.error[k] = sc.error;
                for (std::size_t c = 0; c < imageColumns.size(); ++c)
                    chunk.imageColumns[c][k] =
                        input.table.columns[static_cast<std::size_t>(imageColumns[c].second)].text(i);
            }
            if (explain) explain(chunk);
            if (known) known->flag(chunk);
            visit(chunk, inputIndex);
        }
    }
};

// The n best rows by p_ring seen so far (scored rows only; highest first, equal scores in file order), as
// topCandidateRows() picks them from a whole table, kept while the rows stream past.
struct TopRows
{
    struct Row
    {
        float p;
        std::size_t out, input;
    };
    std::size_t n = 0;
    std::vector<Row> rows; // best first

    void offer(float p, std::size_t out, std::size_t input)
    {
        if (n == 0 || !std::isfinite(p)) return;
        if (rows.size() == n && !(p > rows.back().p))
            return; // rows arrive in file order: ties keep the first
        auto at =
            std::upper_bound(rows.begin(), rows.end(), p, [](float v, const Row& r) { return v > r.p; });
        rows.insert(at, Row{p, out, input});
        if (rows.size() > n) rows.pop_back();
    }
};

} // namespace

MiningResult mine(const MiningRequest& rq)
{
    auto log = [&](const std::string& s) {
        if (rq.log) rq.log(s);
    };
    auto barrier = [&] {
        if (rq.barrier) rq.barrier();
    };
    if (rq.outDir.empty()) throw Error("mining needs an output folder");
    if (rq.shardSize < 1) throw Error("the shard size must be at least 1");

    const ScoringRun run = resolveScoringRun(rq.projectPath, rq.run, rq.experiment);
    const ThresholdChoice threshold = chooseThreshold(rq.projectPath, run, rq.threshold, rq.precision);

    std::error_code ec;
    MiningInput input;
    if (fs::is_regular_file(rq.catalog, ec)) {
        input = readMiningInput(rq.catalog, rq.idColumn);
    } else {
        auto store = ProjectStore::open(rq.projectPath);
        if (!store->hasCatalog(rq.catalog))
            throw Error("--catalog '" + rq.catalog + "' is neither a file nor a catalog of the project");
        input = readMiningInput(*store, rq.catalog, rq.idColumn);
    }
    const std::unique_ptr<ImageSource> source =
        openImageSource(rq.projectPath, rq.images, rq.folder, rq.pattern);
    checkImageSource(*source, input);

    // What the shards depend on; the rest (threshold, radius, device) only shapes the published catalog.
    const nlohmann::json wanted = {{"format", 1},
                                   {"run_id", run.id},
                                   {"cell", run.cellKey},
                                   {"weights_sha256", run.weightsSha256},
                                   {"input",
                                    {{"path", input.path},
                                     {"rows", input.totalRows()},
                                     {"sha256", input.sha256},
                                     {"id_column", input.idName}}},
                                   {"options",
                                    {{"tta", rq.tta},
                                     {"shard_size", rq.shardSize},
                                     {"batch_size", rq.batchSize},
                                     {"images", source->spec()}}}};
    const fs::path dir = rq.outDir;
    const std::string manifestPath = (dir / "manifest.json").string();
    if (rq.rank == 0) {
        fs::create_directories(dir);
        if (!fs::exists(manifestPath)) {
            nlohmann::json m = wanted;
            m["created_at"] = startDate();
            m["ringminer_version"] = RINGMINER_VERSION;
            writeTextFile(manifestPath, m.dump(2) + "\n");
        }
        // Temp files of shards a killed run was writing (no rank is scoring yet: they wait below).
        if (fs::is_directory(dir / "shards"))
            for (const auto& e : fs::directory_iterator(dir / "shards"))
                if (e.path().filename().string().find(".tmp.") != std::string::npos) fs::remove(e.path(), ec);
    }
    barrier();
    const nlohmann::json manifest = readJson(manifestPath);
    std::vector<std::string> diff;
    differences(manifest, wanted, "", diff);
    if (!diff.empty())
        throw Error("'" + rq.outDir + "' holds a mining run of a different command (" + manifestPath +
                    "); what differs:" + joinLines(diff) +
                    "\nrun the same command to resume it, or give another --out");
    const std::string date = manifest.value("created_at", std::string());

    ScoreGalaxiesOptions so;
    so.weightsPath = run.weightsPath;
    so.view = run.view;
    so.batchSize = rq.batchSize;
    so.device = rq.device.empty() ? run.device : rq.device;
    so.tta = rq.tta;
    so.batchProgress = rq.batchProgress;
    ShardPlan plan;
    plan.shardSize = rq.shardSize;
    plan.dir = (dir / "shards").string();
    plan.rank = rq.rank;
    plan.ranks = rq.ranks;
    plan.keepScores = false; // read back a shard at a time below: memory does not grow with the catalog
    const std::size_t n = input.table.rowCount();
    log("run " + std::to_string(run.id) + " (" + run.cellKey + ") scoring " + std::to_string(n) +
        " galaxies of " + input.label + " in shards of " + std::to_string(rq.shardSize) +
        (rq.tta ? ", 8-fold TTA" : ""));
    ShardedScores scored = scoreInShards(
        *source, n,
        [&](std::size_t i) {
            GalaxyRef g = GalaxyRef::fromTable(input.table, i);
            g.ra = input.ra[i];
            g.dec = input.dec[i];
            return g;
        },
        so, plan, rq.progress);
    barrier();

    MiningResult result;
    result.summary = {{"ok", true},
                      {"run", run.id},
                      {"cell", run.cellKey},
                      {"out", rq.outDir},
                      {"shards", scored.shards},
                      {"shards_found", scored.shardsFound},
                      {"shards_scored", scored.shardsScored},
                      {"rank", rq.rank},
                      {"ranks", rq.ranks}};
    if (rq.rank != 0) {
        result.text =
            "rank " + std::to_string(rq.rank) + " scored " + std::to_string(scored.shardsScored) + " shards";
        return result;
    }
    if (!scored.complete) {
        // Shards the other ranks wrote after this one looked.
        std::vector<GalaxyScore> probe;
        scored.shardsDone = 0;
        for (std::size_t s = 0; s < scored.shards; ++s)
            scored.shardsDone += readShardScores(plan, s, n, probe);
        scored.complete = scored.shardsDone == scored.shards;
    }
    result.summary["shards_done"] = scored.shardsDone;
    if (!scored.complete) {
        result.summary["complete"] = false;
        result.text = std::to_string(scored.shardsDone) + " of " + std::to_string(scored.shards) +
                      " shards done in " + rq.outDir + "; run the same command again to finish";
        return result;
    }

    // Publishing streams: rings.csv and rings.fits are written a chunk of rows at a time from the shard files
    // and the input's id/position columns, so no table of every candidate is built. The FITS header states
    // its string columns' widths before any row, so a first walk measures them (and counts, and picks the
    // contact sheet's rows); the second writes.
    const std::size_t inputRows = input.totalRows();
    const std::vector<KnownRings> knownCatalogs = knownRingCatalogs(rq.projectPath);
    const KnownRingIndex knownIndex(knownCatalogs, rq.radiusArcsec);
    const CandidateWalk walk{input,
                             plan,
                             rq.tta,
                             threshold.threshold,
                             input.hasPositions ? &knownIndex : nullptr,
                             missingCutoutExplainer(rq, *source),
                             8192,
                             imageTemplateColumns(*source, input)};

    std::map<std::string, std::size_t> kinds;
    std::size_t rings = 0, known = 0, knownRings = 0, out = 0;
    CandidateWidths widths;
    TopRows top;
    top.n = rq.contactSheet;
    walk.run([&](const CandidateTable& chunk, const std::vector<std::size_t>& inputIndex) {
        widths.include(chunk);
        for (std::size_t k = 0; k < chunk.size(); ++k, ++out) {
            ++kinds[errorKind(chunk.error[k])];
            rings += chunk.isRing[k];
            known += chunk.knownRing[k];
            knownRings += chunk.knownRing[k] && chunk.isRing[k];
            if (chunk.error[k].empty()) top.offer(chunk.pRing[k], out, inputIndex[k]);
        }
    });

    CandidateProvenance prov;
    prov.runId = run.id;
    prov.cell = run.cellKey;
    prov.arch = run.arch;
    prov.fineTune = run.fineTune;
    prov.weightsSha256 = run.weightsSha256;
    prov.threshold = threshold.threshold;
    prov.thresholdHow = threshold.how;
    prov.targetPrecision = rq.threshold ? NAN : rq.precision;
    prov.valPrecision = threshold.precision;
    prov.valRecall = threshold.recall;
    prov.inputPath = input.path;
    prov.inputSha256 = input.sha256;
    prov.inputRows = inputRows;
    prov.tta = rq.tta;
    prov.radiusArcsec = rq.radiusArcsec;
    for (const KnownRings& k : knownCatalogs)
        prov.knownCatalogs.push_back(k.name);
    prov.date = date;
    prov.version = RINGMINER_VERSION;

    const std::string csvPath = (dir / "rings.csv").string(), fitsPath = (dir / "rings.fits").string(),
                      provPath = (dir / "rings.provenance.json").string();
    // The contact sheet's tiles: captions from the rows as written, images loaded again below.
    std::map<std::size_t, std::size_t> rankOf; // output row -> rank (0-based)
    std::vector<ContactSheetTile> tiles(top.rows.size());
    std::vector<GalaxyRef> topGalaxies;
    for (std::size_t r = 0; r < top.rows.size(); ++r) {
        rankOf[top.rows[r].out] = r;
        GalaxyRef g = GalaxyRef::fromTable(input.table, top.rows[r].input);
        g.ra = input.ra[top.rows[r].input];
        g.dec = input.dec[top.rows[r].input];
        topGalaxies.push_back(std::move(g));
    }
    {
        CandidateTable layout;
        layout.idName = input.idName;
        layout.hasPositions = input.hasPositions;
        layout.tta = rq.tta;
        for (const auto& [name, column] : walk.imageColumns)
            layout.imageColumnNames.push_back(name);
        CandidateCsvWriter csv(csvPath, layout);
        CandidateFitsWriter fits(fitsPath, layout, widths, prov);
        out = 0;
        walk.run([&](const CandidateTable& chunk, const std::vector<std::size_t>&) {
            csv.write(chunk);
            fits.write(chunk);
            for (std::size_t k = 0; k < chunk.size(); ++k, ++out)
                if (const auto it = rankOf.find(out); it != rankOf.end())
                    captionTile(tiles[it->second], chunk, k, it->second + 1);
        });
        csv.commit();
        writeTextFile(provPath, provenanceJson(prov));
        fits.commit();
    }
    const std::size_t tableRows = inputRows;
    // The input's rows are all published now: its memory is not held through the import below.
    input.table = Table{};
    input.ra = input.dec = {};
    input.sourceRow = {};
    input.skipped = {};

    nlohmann::json sheet = nullptr;
    if (rq.contactSheet > 0) {
        // The top candidates as one picture, each image loaded again from the source mined with.
        for (std::size_t k = 0; k < tiles.size(); ++k) {
            try {
                tiles[k].image = source->load(topGalaxies[k]);
            } catch (const std::exception& e) {
                tiles[k].error = e.what(); // scored once, gone since: the tile says so
            }
        }
        ContactSheetOptions so;
        char thr[64];
        std::snprintf(thr, sizeof thr, "%.4f", threshold.threshold);
        so.heading = "run " + std::to_string(run.id) + " (" + run.cellKey + "): top " +
                     std::to_string(tiles.size()) + " of " + std::to_string(kinds["scored"]) + " scored in " +
                     input.label + ", threshold " + thr;
        const std::string sheetPath = (dir / "contact-sheet.png").string();
        writeContactSheet(sheetPath, tiles, so);
        sheet = {{"path", sheetPath}, {"tiles", tiles.size()}};
    }

    // The new catalog in the project, replacing an earlier import of the same name.
    nlohmann::json imported = nullptr;
    std::string importNote;
    if (input.hasPositions) {
        const std::string name =
            rq.candidatesName.empty() ? "candidates_run" + std::to_string(run.id) : rq.candidatesName;
        auto store = ProjectStore::open(rq.projectPath);
        if (store->hasCatalog(name)) {
            const CatalogInfo old = store->catalog(name);
            if (old.role != CatalogRole::Candidates)
                throw Error("the project already has a catalog '" + name + "' with role " +
                            catalogRoleName(old.role) + "; name the candidates otherwise (--name)");
        }
        ImportOptions io;
        io.raColumn = "ra";
        io.decColumn = "dec";
        io.onBadRow = BadRowPolicy::Skip; // rows with no position stay in rings.csv only
        // The candidates' cutouts in the workbench come from the source mined with: its file-name template's
        // columns are published with them (imageTemplateColumns); one they cannot carry (a name clashing with
        // theirs) leaves them without, and it says so.
        // The opened source's own spec (folders with their absolute dir), not the request's words again.
        std::string missingColumn;
        const nlohmann::json spec = source->spec();
        const std::string pattern = spec.value("template", std::string());
        // Streamed from rings.csv a chunk at a time, so publishing a million candidates stays flat in memory.
        // An earlier import of the same name is replaced in the same transaction: a kill at any moment
        // leaves the old catalog or the new one, each whole with its image source.
        ImportedCatalog cat;
        replaceCatalogFile(
            *store, name, csvPath, io, CatalogRole::Candidates,
            [&](const ImportedCatalog& columns) -> std::optional<std::string> {
                if (!pattern.empty())
                    for (const std::string& column : FileNameTemplate(pattern).columns())
                        if (missingColumn.empty() && columns.table.columnIndex(column) < 0)
                            missingColumn = column;
                if (!missingColumn.empty()) return std::nullopt;
                return spec.dump();
            },
            &cat);
        const std::size_t candidateRows = store->catalog(name).rowCount;
        imported = {{"name", name}, {"rows", candidateRows}, {"rows_without_position", cat.skipped.size()}};
        importNote =
            "imported into the project as catalog '" + name + "' (role candidates, " +
            std::to_string(candidateRows) + " rows" +
            (missingColumn.empty() ? std::string()
                                   : "; no cutouts in the workbench: the image template needs column '" +
                                         missingColumn + "', which the candidates do not carry") +
            ")";
    } else {
        importNote = "not imported into the project: the input has no sky positions";
    }

    const std::size_t scoredRows = kinds["scored"];
    nlohmann::json kindJson = nlohmann::json::object();
    for (const auto& [k, v] : kinds)
        if (k != "scored" && v) kindJson[k] = v;
    result.complete = true;
    result.summary["complete"] = true;
    result.summary["rows"] = tableRows;
    result.summary["scored"] = scoredRows;
    result.summary["not_scored"] = tableRows - scoredRows;
    result.summary["not_scored_by_reason"] = kindJson;
    result.summary["threshold"] = threshold.threshold;
    result.summary["threshold_how"] = threshold.how;
    result.summary["val_precision"] =
        std::isfinite(threshold.precision) ? nlohmann::json(threshold.precision) : nlohmann::json();
    result.summary["val_recall"] =
        std::isfinite(threshold.recall) ? nlohmann::json(threshold.recall) : nlohmann::json();
    result.summary["rings"] = rings;
    result.summary["known_rings"] = known;
    result.summary["rings_known"] = knownRings;
    result.summary["rings_new"] = rings - knownRings;
    result.summary["csv"] = csvPath;
    result.summary["fits"] = fitsPath;
    result.summary["provenance"] = provPath;
    result.summary["weights_sha256"] = run.weightsSha256;
    result.summary["input_sha256"] = input.sha256;
    result.summary["id_column"] = input.idName;
    result.summary["has_positions"] = input.hasPositions;
    result.summary["imported"] = imported;
    result.summary["contact_sheet"] = sheet;
    char thr[96];
    std::snprintf(thr, sizeof thr, "%.4f (validation precision %.3f, recall %.3f)", threshold.threshold,
                  threshold.precision, threshold.recall);
    std::ostringstream text;
    text << "run " << run.id << " (" << run.cellKey << ") scored " << scoredRows << " of " << tableRows
         << " rows into " << csvPath << " and " << fitsPath << "\nthreshold " << thr << ": " << rings
         << " rings, " << knownRings << " of them known, " << (rings - knownRings) << " new";
    for (const auto& [k, v] : kinds)
        if (k != "scored" && v) text << "\n" << v << " not scored: " << k;
    text << "\n" << importNote;
    if (!sheet.is_null())
        text << "\ncontact sheet of the top " << sheet["tiles"].get<std::size_t>() << ": "
             << sheet["path"].get<std::string>();
    result.text = text.str();
    return result;
}

} // namespace rm
