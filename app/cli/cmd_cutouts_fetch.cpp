// ringminer-cli cutouts fetch / cutouts status: download a catalog's cutouts from the Legacy Surveys or SDSS
// into the project's cache, resumably. The queue is the project's cutout_status table: rows already cached
// are skipped, rows left pending by an interrupted run are fetched again, rows that failed are kept with
// their reason and retried with --retry-failed.
#include "Cli.h"

#include "cutouts/CutoutFetcher.h"
#include "store/CutoutLedger.h"
#include "store/ProjectStore.h"
#include "util/Error.h"

#include <atomic>
#include <csignal>
#include <filesystem>

using namespace rm;
using namespace rm::cli;
namespace fs = std::filesystem;

namespace {

std::atomic<bool> g_interrupted{false};

// First Ctrl-C (or SIGTERM): finish cleanly, leaving in-flight rows pending. A second one kills as usual.
extern "C" void onInterrupt(int sig)
{
    g_interrupted = true;
    std::signal(sig, SIG_DFL);
}

std::optional<nlohmann::json> storedSpec(ProjectStore& store, std::int64_t catalogId)
{
    Statement s = store.db().prepare("SELECT spec_json FROM image_sources WHERE catalog_id = ?");
    s.bind(1, catalogId);
    if (!s.step()) return std::nullopt;
    try {
        return nlohmann::json::parse(s.text(0));
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
}

// The service: the catalog's stored cutout-service spec unless --service names one, then any overrides.
CutoutServiceSpec resolveSpec(const Args& args, const std::optional<nlohmann::json>& stored)
{
    CutoutServiceSpec spec;
    const auto service = args.option("service");
    const bool storedIsService =
        stored && stored->is_object() && isCutoutServiceKind(stored->value("kind", std::string()));
    if (service)
        spec = CutoutServiceSpec::defaults(*service);
    else if (storedIsService)
        spec = CutoutServiceSpec::fromJson(*stored);
    else
        spec = CutoutServiceSpec::defaults("legacysurvey");
    if (auto v = args.option("base-url")) spec.baseUrl = *v;
    if (auto v = args.option("layer")) spec.layer = *v;
    spec.pixscale = args.number("pixscale", spec.pixscale);
    spec.size = static_cast<int>(args.integer("size", spec.size));
    spec.validate();
    return spec;
}

CutoutFetchOptions fetchOptions(const Args& args, const std::string& cacheDir)
{
    CutoutFetchOptions o;
    o.cacheDir = cacheDir;
    o.parallel = static_cast<int>(args.integer("parallel", 4));
    o.ratePerSecond = args.number("rate", 5.0);
    const long long retries = args.integer("retries", 3);
    if (retries < 0 || retries > 100) throw UsageError("--retries must be 0..100");
    o.maxAttempts = static_cast<int>(retries) + 1;
    o.timeoutS = args.number("timeout", 30.0);
    o.connectTimeoutS = std::min(10.0, o.timeoutS);
    o.backoffBaseS = args.number("backoff", 1.0);
    o.cancel = &g_interrupted;
    if (o.parallel < 1 || o.parallel > 64) throw UsageError("--parallel must be 1..64");
    if (!(o.timeoutS > 0)) throw UsageError("--timeout must be positive");
    return o;
}

int cutoutsFetch(const Args& args)
{
    args.allowOnly({"catalog", "service", "base-url", "layer", "pixscale", "size", "parallel", "rate",
                    "retries", "timeout", "backoff", "limit"},
                   {"retry-failed", "verify"});
    const std::string path = args.positional(0, "PROJECT");
    const auto catalogName = args.option("catalog");
    if (!catalogName) throw UsageError("missing --catalog NAME");
    const long long limit = args.integer("limit", -1);
    const bool retryFailed = args.flag("retry-failed");
    // Cached rows are trusted when their file exists (reading a million files each run would be slow);
    // --verify passes them through the fetcher, which validates each file and fetches a corrupt one again.
    const bool verify = args.flag("verify");

    auto store = ProjectStore::open(path);
    store->requireWritable("the fetch ledger");
    const CatalogInfo cat = store->catalog(*catalogName);
    const auto stored = storedSpec(*store, cat.id);
    const CutoutServiceSpec spec = resolveSpec(args, stored);
    const std::string cacheDir =
        fs::absolute(fs::path(store->filesDir()) / "cutouts").lexically_normal().string();
    CutoutFetcher fetcher(spec, fetchOptions(args, cacheDir));
    CutoutLedger ledger(store->db(), spec.cacheKey(), cat.id);

    // The queue: every row not known to be cached, in row order. A row the ledger calls cached whose file has
    // gone is fetched again; one that failed before waits for --retry-failed.
    const CatalogPositions pos = store->positions(cat.id);
    const auto entries = ledger.load();
    std::vector<CutoutRequest> queue;
    std::size_t alreadyCached = 0, skippedFailed = 0, remaining = 0;
    for (std::size_t row = 0; row < pos.ra.size(); ++row) {
        auto it = entries.find(row);
        if (it != entries.end()) {
            std::error_code ec;
            if (!verify && it->second.state == "cached" && fs::is_regular_file(it->second.cachePath, ec)) {
                ++alreadyCached;
                continue;
            }
            if (it->second.state == "failed" && !retryFailed) {
                ++skippedFailed;
                continue;
            }
        }
        if (limit >= 0 && queue.size() >= static_cast<std::size_t>(limit)) {
            ++remaining;
            continue;
        }
        queue.push_back({row, pos.ra[row], pos.dec[row]});
    }

    // A catalog without an image source gets this service, so the browser and training find the cutouts.
    bool sourceSet = false;
    if (!stored) {
        store->db()
            .prepare("INSERT INTO image_sources(catalog_id, spec_json) VALUES(?, ?)")
            .bind(1, cat.id)
            .bind(2, spec.toJson().dump())
            .run();
        sourceSet = true;
    }

    std::vector<std::size_t> rows;
    rows.reserve(queue.size());
    for (const auto& q : queue)
        rows.push_back(q.id);
    ledger.markPending(rows);

    std::fprintf(stderr, "cutouts: %zu to fetch from %s (%zu already cached, %zu failed before%s) into %s\n",
                 queue.size(), spec.effectiveBaseUrl().c_str(), alreadyCached, skippedFailed,
                 skippedFailed && !retryFailed ? ", not retried without --retry-failed" : "",
                 fetcher.cacheRoot().c_str());
    g_interrupted = false;
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    Progress progress("cutouts");
    nlohmann::json failures = nlohmann::json::array();
    const CutoutFetchSummary sum = fetcher.fetch(
        queue,
        [&](const CutoutResult& r) {
            ledger.record(r);
            if (r.state == CutoutState::Failed && failures.size() < 20)
                failures.push_back({{"row", r.id}, {"error", r.error}, {"attempts", r.attempts}});
        },
        progress);
    ledger.flush();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    progress.finish(std::to_string(sum.downloaded) + " downloaded, " + std::to_string(sum.failed) +
                    " failed");

    const bool interrupted = sum.cancelled > 0;
    nlohmann::json summary = {{"ok", !interrupted},
                              {"catalog", cat.name},
                              {"source", spec.kind},
                              {"source_key", spec.cacheKey()},
                              {"requested", sum.requested},
                              {"cached", sum.downloaded},
                              {"failed", sum.failed},
                              {"already_cached", alreadyCached + sum.alreadyCached},
                              {"skipped_failed", skippedFailed},
                              {"cancelled", sum.cancelled},
                              {"remaining", remaining + sum.cancelled},
                              {"replaced_corrupt", sum.replacedCorrupt},
                              {"http_requests", sum.httpRequests},
                              {"seconds", sum.seconds},
                              {"cache_dir", fetcher.cacheRoot()},
                              {"image_source_set", sourceSet},
                              {"failures", failures}};
    if (interrupted) summary["error"] = "interrupted; run again to resume";
    std::string text = "cutouts " + spec.cacheKey() + " for " + cat.name + ": " +
                       std::to_string(sum.downloaded) + " downloaded, " +
                       std::to_string(alreadyCached + sum.alreadyCached) + " already cached, " +
                       std::to_string(sum.failed) + " failed";
    for (const auto& f : failures)
        text +=
            "\n  row " + std::to_string(f["row"].get<std::size_t>()) + ": " + f["error"].get<std::string>();
    if (skippedFailed)
        text += "\n" + std::to_string(skippedFailed) + " failed before; retry with --retry-failed";
    if (interrupted)
        text += "\ninterrupted: " + std::to_string(sum.cancelled) + " left pending; run again to resume";
    printSummary(args, summary, text);
    return interrupted ? 130 : 0;
}

int cutoutsStatus(const Args& args)
{
    args.allowOnly({"catalog", "service", "layer", "pixscale", "size", "limit"}, {});
    const std::string path = args.positional(0, "PROJECT");
    const auto catalogName = args.option("catalog");
    if (!catalogName) throw UsageError("missing --catalog NAME");
    auto store = ProjectStore::open(path);
    const CatalogInfo cat = store->catalog(*catalogName);
    const CutoutServiceSpec spec = resolveSpec(args, storedSpec(*store, cat.id));
    CutoutLedger ledger(store->db(), spec.cacheKey(), cat.id);
    const CutoutLedgerCounts c = ledger.counts();
    const std::size_t untried = cat.rowCount - std::min(cat.rowCount, c.pending + c.cached + c.failed);
    nlohmann::json failures = nlohmann::json::array();
    std::string text = "cutouts " + spec.cacheKey() + " for " + cat.name + ": " + std::to_string(c.cached) +
                       " cached, " + std::to_string(c.failed) + " failed, " + std::to_string(c.pending) +
                       " pending, " + std::to_string(untried) + " never asked";
    for (const auto& f :
         ledger.failures(static_cast<std::size_t>(std::max(0LL, args.integer("limit", 20))))) {
        failures.push_back(
            {{"row", f.row}, {"error", f.error}, {"attempts", f.attempts}, {"at", f.updatedAt}});
        text +=
            "\n  row " + std::to_string(f.row) + " (" + std::to_string(f.attempts) + " attempts): " + f.error;
    }
    printSummary(args,
                 {{"ok", true},
                  {"catalog", cat.name},
                  {"source_key", spec.cacheKey()},
                  {"rows", cat.rowCount},
                  {"cached", c.cached},
                  {"failed", c.failed},
                  {"pending", c.pending},
                  {"never_asked", untried},
                  {"failures", failures}},
                 text);
    return 0;
}

} // namespace

static VerbRegistrar fetchVerb(
    {"cutouts fetch",
     "PROJECT --catalog NAME [--service legacysurvey|sdss] [--base-url URL] [--layer L] [--pixscale P] "
     "[--size N] [--parallel N] [--rate R] [--retries N] [--timeout S] [--backoff S] [--limit N] "
     "[--retry-failed] [--verify] [--json]",
     "download a catalog's cutouts into the project's cache (resumable; failures are kept with their reason)",
     {"retry-failed", "verify"},
     cutoutsFetch});
static VerbRegistrar statusVerb({"cutouts status",
                                 "PROJECT --catalog NAME [--service S] [--layer L] [--pixscale P] [--size N] "
                                 "[--limit N] [--json]",
                                 "how many of a catalog's cutouts are cached, failed (with why) or pending",
                                 {},
                                 cutoutsStatus});
