// `ringminer-cli mine` at scale: peak RSS and time of the real command (a child process, its ru_maxrss from
// wait4) mining generated catalogs of 10k, 100k and 1M rows whose cutouts are rendered on the fly by the
// synthetic image source (no files), with a tiny SimpleCNN run trained here; and the same mining under
// `mpirun -np 2` against one process, in the same run. Everything is written under a temp folder and deleted.
//
// usage: bench_mining_scale [--rows 10000,100000,1000000] [--image-size 16] [--render 16] [--batch 256]
//                           [--shard 2048] [--mpi-rows 20000] [--keep DIR]
#include "BenchSupport.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

double now()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct ChildRun
{
    int status = -1;
    long peakKb = 0;
    double seconds = 0;
    std::string out; // stdout (stderr goes to a log file)
};

// Runs argv with stdout to a file, stderr to `log`; waits with wait4 for the child's own peak RSS.
ChildRun runChild(const std::vector<std::string>& argv, const fs::path& log)
{
    const fs::path outFile = log.string() + ".out";
    const double t0 = now();
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        if (!std::freopen(outFile.c_str(), "w", stdout) || !std::freopen(log.c_str(), "w", stderr))
            _exit(127);
        std::vector<char*> args;
        for (const std::string& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execvp(args[0], args.data());
        _exit(127);
    }
    ChildRun r;
    struct rusage usage;
    if (wait4(pid, &r.status, 0, &usage) != pid) throw std::runtime_error("wait4 failed");
    r.seconds = now() - t0;
    r.peakKb = usage.ru_maxrss;
    std::ifstream in(outFile);
    std::stringstream ss;
    ss << in.rdbuf();
    r.out = ss.str();
    return r;
}

std::string lastLine(const std::string& s)
{
    std::string line, last;
    std::stringstream ss(s);
    while (std::getline(ss, line))
        if (!line.empty()) last = line;
    return last;
}

ChildRun checked(const std::vector<std::string>& argv, const fs::path& log, const std::string& what)
{
    ChildRun r = runChild(argv, log);
    if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0) {
        std::ifstream in(log);
        std::stringstream ss;
        ss << in.rdbuf();
        std::string tail = ss.str();
        if (tail.size() > 3000) tail = tail.substr(tail.size() - 3000);
        throw std::runtime_error(what + " failed (status " + std::to_string(r.status) + "):\n" + tail);
    }
    return r;
}

// id,ra,dec: ids G0000000.., positions spread over a 10 x 10 degree patch around the demo survey's.
void writeCatalog(const fs::path& path, std::size_t rows)
{
    std::ofstream out(path);
    out << "id,ra,dec\n";
    char line[96];
    std::uint64_t state = 12345;
    for (std::size_t i = 0; i < rows; ++i) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        const double u = double(state >> 11) * 0x1.0p-53;
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        const double v = double(state >> 11) * 0x1.0p-53;
        std::snprintf(line, sizeof line, "G%08zu,%.6f,%.6f\n", i, 145 + 10 * u, -3 + 10 * v);
        out << line;
    }
}

} // namespace

int main(int argc, char** argv)
{
    rmbench::BenchArgs args(argc, argv);
    std::vector<std::size_t> rows = {10000, 100000, 1000000};
    int imageSize = 16, render = 16, batch = 256;
    std::size_t shard = 2048, mpiRows = 20000;
    std::string keep;
    while (args.next()) {
        if (args.is("--rows")) {
            rows.clear();
            std::stringstream ss(args.value());
            std::string part;
            while (std::getline(ss, part, ','))
                rows.push_back(std::stoull(part));
        } else if (args.is("--image-size"))
            imageSize = static_cast<int>(args.integer());
        else if (args.is("--render"))
            render = static_cast<int>(args.integer());
        else if (args.is("--batch"))
            batch = static_cast<int>(args.integer());
        else if (args.is("--shard"))
            shard = static_cast<std::size_t>(args.integer());
        else if (args.is("--mpi-rows"))
            mpiRows = static_cast<std::size_t>(args.integer());
        else if (args.is("--keep"))
            keep = args.value();
        else
            args.unknown();
    }
    const std::string cli = RINGMINER_CLI;
    const fs::path tmp =
        keep.empty() ? fs::temp_directory_path() / ("bench_mining_scale." + std::to_string(::getpid()))
                     : fs::path(keep);
    fs::create_directories(tmp);
    try {
        // A project with a tiny trained SimpleCNN run and a catalog whose image source is synthetic.
        const fs::path project = tmp / "demo" / "demo.rmproj";
        if (!fs::exists(project)) {
            checked({cli, "demo", "make", (tmp / "demo").string(), "--rings", "16", "--non-rings", "16",
                     "--size", "40"},
                    tmp / "demo.log", "demo make");
            std::ofstream(tmp / "matrix.json")
                << R"({"name": "scale", "target_sets": ["demo"], "models": [{"name": "cnn", "arch": "simple_cnn",
                  "in_chans": 1, "modes": ["all_layers"]}], "defaults": {"image_size": )"
                << imageSize << R"(, "epochs": 1, "batch_size": 8, "max_steps_per_epoch": 2,
                  "embedding_views": 1, "device": "cpu", "loader_threads": 1, "torch_threads": 1}})";
            checked({cli, "train", project.string(), "--matrix", (tmp / "matrix.json").string()},
                    tmp / "train.log", "train");
            std::ofstream(tmp / "synth.csv") << "id,ra,dec\nS1,150.1,2.1\n";
            checked({cli, "catalog", "import", project.string(), (tmp / "synth.csv").string(), "--name",
                     "synth", "--role", "other"},
                    tmp / "import.log", "catalog import");
            checked({cli, "cutouts", "source", project.string(), "synth", "--spec",
                     R"({"kind": "synthetic", "size": )" + std::to_string(render) + "}"},
                    tmp / "source.log", "cutouts source");
        }
        auto mineArgs = [&](const fs::path& catalog, const fs::path& out) {
            return std::vector<std::string>{cli,
                                            "mine",
                                            project.string(),
                                            "--run",
                                            "best",
                                            "--catalog",
                                            catalog.string(),
                                            "--images",
                                            "synth",
                                            "--out",
                                            out.string(),
                                            "--threshold",
                                            "0.5",
                                            "--shard-size",
                                            std::to_string(shard),
                                            "--batch",
                                            std::to_string(batch),
                                            "--json"};
        };
        std::printf(
            "bench_mining_scale: ringminer-cli mine, SimpleCNN (1 channel, %d px) on synthetic cutouts "
            "rendered at %d px by id (no files), batch %d, shards of %zu, CPU\n",
            imageSize, render, batch, shard);
        std::printf("%10s %12s %10s %12s %10s\n", "rows", "peak RSS MB", "seconds", "galaxies/s", "scored");
        std::fflush(stdout);
        for (std::size_t n : rows) {
            const fs::path catalog = tmp / ("catalog" + std::to_string(n) + ".csv");
            const fs::path out = tmp / ("mined" + std::to_string(n));
            writeCatalog(catalog, n);
            fs::remove_all(out);
            const ChildRun r = checked(mineArgs(catalog, out), tmp / ("mine" + std::to_string(n) + ".log"),
                                       "mine " + std::to_string(n));
            const auto j = nlohmann::json::parse(lastLine(r.out));
            const std::size_t scored = j.at("scored").get<std::size_t>();
            std::printf("%10zu %12.1f %10.1f %12.1f %10zu%s\n", n, r.peakKb / 1024.0, r.seconds,
                        double(n) / r.seconds, scored, scored == n ? "" : " (not all scored!)");
            std::fflush(stdout);
            fs::remove_all(out);
            fs::remove(catalog);
        }

        // MPI: the same catalog by one process and by two ranks (each rank a separate process, as a cluster
        // node would run them).
        if (mpiRows > 0) {
            const fs::path catalog = tmp / "catalog-mpi.csv";
            writeCatalog(catalog, mpiRows);
            const ChildRun one =
                checked(mineArgs(catalog, tmp / "mpi-one"), tmp / "mpi-one.log", "mine (one process)");
            std::vector<std::string> mpi = {"mpirun", "--oversubscribe", "--bind-to", "none", "-np", "2"};
            for (const std::string& a : mineArgs(catalog, tmp / "mpi-two"))
                mpi.push_back(a);
            setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
            setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
            const ChildRun two = checked(mpi, tmp / "mpi-two.log", "mpirun -np 2 mine");
            std::ifstream a(tmp / "mpi-one" / "rings.csv"), b(tmp / "mpi-two" / "rings.csv");
            std::stringstream sa, sb;
            sa << a.rdbuf();
            sb << b.rdbuf();
            std::printf("\nMPI, %zu rows: 1 process %.1f s (%.1f galaxies/s), mpirun -np 2 %.1f s (%.1f "
                        "galaxies/s): 2 ranks / 1 = %.2fx; rings.csv %s\n",
                        mpiRows, one.seconds, double(mpiRows) / one.seconds, two.seconds,
                        double(mpiRows) / two.seconds, one.seconds / two.seconds,
                        sa.str() == sb.str() ? "identical" : "DIFFERS");
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_mining_scale: %s\n", e.what());
        if (keep.empty()) fs::remove_all(tmp);
        return 1;
    }
    if (keep.empty()) fs::remove_all(tmp);
    return 0;
}
