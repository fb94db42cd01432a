// ringminer-cli mine: scores a wide catalog with a trained run in resumable shards and publishes the new ring
// catalog (DIR/rings.csv, DIR/rings.fits, DIR/rings.provenance.json), imported into the project with role
// candidates. Under `mpirun -np N` every rank scores its own shards and rank 0 publishes; a rank that fails
// stops the others (MPI_Abort) instead of leaving them waiting at a barrier, and the shards written so far
// stay for the next run. The work is in core/mining/Mining.h; this verb only reads the arguments.
#include "Cli.h"

#include "mining/Mining.h"
#include "util/Error.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#ifdef RINGMINER_HAVE_MPI
#include <mpi.h>
#endif

using namespace rm;
using namespace rm::cli;

namespace {

// MPI only when launched by an MPI starter: a plain run stays a plain process.
bool launchedByMpi()
{
    for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS"})
        if (std::getenv(v)) return true;
    return false;
}

#ifdef RINGMINER_HAVE_MPI
struct MpiSession
{
    bool active = false;
    int rank = 0, size = 1;
    MpiSession()
    {
        if (!launchedByMpi()) return;
        MPI_Init(nullptr, nullptr);
        active = true;
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
        MPI_Comm_size(MPI_COMM_WORLD, &size);
    }
    ~MpiSession()
    {
        if (active) MPI_Finalize();
    }
};
#endif

// Step lines while scoring, after every batch (at most one a second) and every shard: galaxies done, the rate
// since this run's first report (shards found on disk are not its speed) and the time left at that rate.
class ScoringProgress
{
public:
    explicit ScoringProgress(std::string label) : m_label(std::move(label)) {}
    void operator()(std::size_t done, std::size_t total, bool shardDone)
    {
        const double t = now();
        if (m_firstAt < 0) {
            m_firstAt = t;
            m_firstDone = done;
        }
        if (!shardDone && m_lastAt >= 0 && t - m_lastAt < 1.0) return;
        m_lastAt = t;
        const double seconds = t - m_firstAt;
        const double rate = seconds > 0 ? double(done - m_firstDone) / seconds : 0;
        std::string line = m_label + ": " + std::to_string(done) + "/" + std::to_string(total);
        char buf[96];
        std::snprintf(buf, sizeof buf, " (%.0f%%)", total ? 100.0 * double(done) / double(total) : 100.0);
        line += buf;
        if (rate > 0) {
            std::snprintf(buf, sizeof buf, ", %.1f galaxies/s, ETA ", rate);
            line += buf + formatDuration(double(total - done) / rate);
        }
        std::fprintf(stderr, "%s\n", line.c_str());
    }

private:
    static double now()
    {
        return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    }
    std::string m_label;
    double m_firstAt = -1, m_lastAt = -1;
    std::size_t m_firstDone = 0;
};

// For the rank-death tests only: RINGMINER_TEST_MINE_FAULT="RANK:SHARDS:kill|throw" makes rank RANK SIGKILL
// itself (or throw) once it has written SHARDS shards of its own. Unset, nothing changes.
struct MineFault
{
    int rank = -1;
    std::size_t afterShards = 0;
    bool kill = false;
    std::size_t shardsWritten = 0;

    static MineFault fromEnvironment()
    {
        MineFault f;
        const char* v = std::getenv("RINGMINER_TEST_MINE_FAULT");
        if (!v || !*v) return f;
        char how[16] = {0};
        unsigned long long after = 0;
        if (std::sscanf(v, "%d:%llu:%15s", &f.rank, &after, how) != 3 ||
            (std::string(how) != "kill" && std::string(how) != "throw"))
            throw UsageError(
                "RINGMINER_TEST_MINE_FAULT must be RANK:SHARDS:kill or RANK:SHARDS:throw, got '" +
                std::string(v) + "'");
        f.afterShards = static_cast<std::size_t>(after);
        f.kill = std::string(how) == "kill";
        return f;
    }
    // After each shard this process wrote.
    void shardWritten(int rank)
    {
        if (rank != this->rank || ++shardsWritten < afterShards) return;
        if (kill) std::raise(SIGKILL);
        throw Error("RINGMINER_TEST_MINE_FAULT: rank " + std::to_string(rank) + " fails after " +
                    std::to_string(shardsWritten) + " shards");
    }
};

int mineVerb(const Args& args)
{
    args.allowOnly({"run", "experiment", "catalog", "images", "folder", "template", "out", "shard-size",
                    "precision", "threshold", "radius", "id-column", "device", "batch", "name",
                    "contact-sheet"},
                   {"tta"});
    MiningRequest rq;
    rq.projectPath = args.positional(0, "PROJECT");
    const auto run = args.option("run"), catalog = args.option("catalog"), out = args.option("out");
    if (!run || !catalog || !out) throw UsageError("--run, --catalog and --out are required");
    rq.run = *run;
    rq.experiment = args.option("experiment", "");
    rq.catalog = *catalog;
    rq.outDir = *out;
    rq.images = args.option("images", "");
    rq.folder = args.option("folder", "");
    rq.pattern = args.option("template", "");
    if (rq.images.empty() == rq.folder.empty())
        throw UsageError(
            "give --images SOURCE (a catalog of the project with an image source) or --folder DIR "
            "--template T");
    if (!rq.folder.empty() && rq.pattern.empty())
        throw UsageError("--folder needs --template, e.g. '{file}'");
    rq.tta = args.flag("tta");
    const long long shard = args.integer("shard-size", 2048);
    if (shard < 1 || shard > 10000000) throw UsageError("--shard-size must be 1..10000000");
    rq.shardSize = static_cast<std::size_t>(shard);
    if (args.option("threshold") && args.option("precision"))
        throw UsageError("give --precision or --threshold, not both");
    if (args.option("threshold")) rq.threshold = args.number("threshold", 0.5);
    rq.precision = args.number("precision", 0.9);
    if (!(rq.precision > 0 && rq.precision <= 1)) throw UsageError("--precision must be in (0, 1]");
    rq.radiusArcsec = args.number("radius", 5);
    if (!(rq.radiusArcsec >= 0)) throw UsageError("--radius must not be negative");
    if (args.option("id-column")) rq.idColumn = args.option("id-column");
    rq.device = args.option("device", "");
    const long long batch = args.integer("batch", 64);
    if (batch < 1 || batch > 4096) throw UsageError("--batch must be 1..4096");
    rq.batchSize = static_cast<int>(batch);
    rq.candidatesName = args.option("name", "");
    const long long sheet = args.integer("contact-sheet", 0);
    if (sheet < 0 || sheet > 1000) throw UsageError("--contact-sheet must be 0..1000 (tiles)");
    rq.contactSheet = static_cast<std::size_t>(sheet);

#ifdef RINGMINER_HAVE_MPI
    MpiSession mpi;
    rq.rank = mpi.rank;
    rq.ranks = mpi.size;
    if (mpi.active) rq.barrier = [] { MPI_Barrier(MPI_COMM_WORLD); };
#else
    // Ranks that do not know of each other would all score every shard.
    if (launchedByMpi())
        throw Error("this ringminer-cli was built without MPI (configure with -DRINGMINER_MPI=ON); run it "
                    "without mpirun");
#endif
    const std::string who = rq.ranks > 1 ? "rank " + std::to_string(rq.rank) + ": " : "";
    rq.log = [who](const std::string& s) { std::fprintf(stderr, "%s%s\n", who.c_str(), s.c_str()); };
    ScoringProgress progress(who + "scoring");
    MineFault fault = MineFault::fromEnvironment();
    rq.progress = [&](std::size_t done, std::size_t total) {
        fault.shardWritten(rq.rank);
        progress(done, total, true);
        return true;
    };
    rq.batchProgress = [&](std::size_t done, std::size_t total) { progress(done, total, false); };
    MiningResult result;
#ifdef RINGMINER_HAVE_MPI
    try {
        result = mine(rq);
    } catch (const std::exception& e) {
        // The other ranks would wait for this one at the next barrier (or in MPI_Finalize) for ever.
        if (!mpi.active || mpi.size < 2) throw;
        std::fprintf(stderr,
                     "%serror: %s\n%sstopping all %d ranks (MPI_Abort); the shards written so far are kept: "
                     "run the same command again to finish\n",
                     who.c_str(), e.what(), who.c_str(), mpi.size);
        std::fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, 1);
        return 1; // not reached
    }
#else
    result = mine(rq);
#endif
    if (rq.rank != 0) {
        std::fprintf(stderr, "%s%s\n", who.c_str(), result.text.c_str());
        return 0;
    }
    printSummary(args, result.summary, result.text);
    return result.complete ? 0 : 3;
}

} // namespace

static VerbRegistrar mineRegistrar(
    {"mine",
     "PROJECT --run RUN|best|CELL --catalog NAME|FILE (--images SOURCE | --folder DIR --template T) --out "
     "DIR "
     "[--tta] [--shard-size 2048] [--precision 0.9 | --threshold T] [--radius 5] [--id-column C] [--name N] "
     "[--contact-sheet N] [--batch 64] [--device D] [--experiment E] [--json]",
     "score a wide catalog in resumable shards (kill and run again: nothing lost) and publish the new ring "
     "catalog DIR/rings.csv + rings.fits with provenance, known rings flagged, imported as role candidates "
     "(--contact-sheet N: DIR/contact-sheet.png of the top N); "
     "under mpirun each rank scores its own shards",
     {"tta"},
     mineVerb});
