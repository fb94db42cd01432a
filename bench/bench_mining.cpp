// Mining throughput, end to end (JPEG bytes on disk -> scores in shard files on disk, through
// rm::scoreInShards, the path `ringminer-cli mine` takes) against the model alone on tensors already in
// memory (the ceiling), for SimpleCNN, EfficientNet-B0 and ResNet-50 at one modest image size, in the same
// run; the cost of 8-fold test-time augmentation; PyTorch with a standard torch.utils.data.DataLoader
// (bench/mining_torch_reference.py: PIL decoding in worker processes, the same SimpleCNN, the same files,
// size and batch) in the same run; and peak RSS of a child process mining 10k and 100k rows (small generated
// JPEGs reused through a template, so no huge folders). bench_mining_scale measures `ringminer-cli mine`
// itself up to 1M rows and MPI ranks.
//
// usage: bench_mining [--rows 768] [--size 64] [--batch 64] [--shard 512] [--threads N]
//                     [--models simple_cnn,efficientnet_b0,resnet50] [--rss-rows 10000,100000]
//        bench_mining --rss-child ROWS DIR   (internal: one RSS measurement)
#include "BenchSupport.h"

#include "imaging/JpegWriter.h"
#include "mining/ShardedScoring.h"
#include "models/RingClassifier.h"
#include "models/WeightsIO.h"
#include "sources/ImageSource.h"
#include "synthetic/SyntheticGalaxy.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <sys/resource.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace rm;

namespace {

double now()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string makeWeights(const std::string& arch, const fs::path& dir)
{
    ModelOptions o;
    o.arch = arch;
    o.inChannels = 3;
    auto model = createModel(o);
    const std::string path = (dir / (arch + ".safetensors")).string();
    saveModel(*model, path);
    return path;
}

// rows galaxies whose images are `files` reused in turn through the template {file}.
std::vector<GalaxyRef> galaxies(const std::vector<std::string>& files, std::size_t rows)
{
    std::vector<GalaxyRef> out(rows);
    for (std::size_t i = 0; i < rows; ++i) {
        out[i].row = i;
        out[i].set("file", fs::path(files[i % files.size()]).filename().string());
    }
    return out;
}

struct Timed
{
    double seconds = 0;
    std::size_t scored = 0;
};

Timed endToEnd(const ImageSource& source, const std::vector<GalaxyRef>& g, const std::string& weights,
               int size, int batch, std::size_t shard, bool tta, const fs::path& dir)
{
    fs::remove_all(dir);
    ScoreGalaxiesOptions so;
    so.weightsPath = weights;
    so.view.width = so.view.height = size;
    so.view.channels = 3;
    so.batchSize = batch;
    so.device = "cpu";
    so.tta = tta;
    ShardPlan plan;
    plan.shardSize = shard;
    plan.dir = dir.string();
    const double t0 = now();
    const ShardedScores s = scoreInShards(
        source, g.size(), [&](std::size_t i) { return g[i]; }, so, plan);
    Timed t;
    t.seconds = now() - t0;
    for (const GalaxyScore& x : s.scores)
        t.scored += x.error.empty();
    return t;
}

double modelOnly(const std::string& weights, int size, int batch, std::size_t rows)
{
    torch::NoGradGuard noGrad;
    auto model = loadModel(weights);
    model->eval();
    const torch::Tensor x = torch::randn({batch, 3, size, size});
    model->forward(x); // warm-up
    const double t0 = now();
    std::size_t done = 0;
    while (done < rows) {
        torch::sigmoid(model->forward(x)).contiguous();
        done += static_cast<std::size_t>(batch);
    }
    return static_cast<double>(done) / (now() - t0);
}

// Small JPEGs for the RSS runs: rendered synthetic galaxies, 64 px.
std::vector<std::string> smallJpegs(const fs::path& dir, int count)
{
    fs::create_directories(dir);
    std::vector<std::string> files;
    SynthRng rng(7);
    for (int i = 0; i < count; ++i) {
        const GalaxyParams p =
            drawGalaxyParams(rng, Morphology::Spiral, i % 2 ? RingType::Inner : RingType::None, 64);
        RenderOptions ro;
        const Image im = toRgb8(renderGalaxy(p, ro));
        const std::string path = (dir / ("g" + std::to_string(i) + ".jpg")).string();
        writeRgbImage(path, im.pixels.data(), im.width, im.height);
        files.push_back(path);
    }
    return files;
}

long peakRssKb()
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

int rssChild(std::size_t rows, const fs::path& dir)
{
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(dir / "small"))
        files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    const auto source = makeImageSource(
        nlohmann::json{{"kind", "folder"}, {"dir", (dir / "small").string()}, {"template", "{file}"}});
    // The galaxies are made shard by shard, as `mine` does from its table.
    ScoreGalaxiesOptions so;
    so.weightsPath = (dir / "simple_cnn.safetensors").string();
    so.view.width = so.view.height = 32;
    so.view.channels = 3;
    so.device = "cpu";
    ShardPlan plan;
    plan.shardSize = 2048;
    plan.dir = (dir / ("rss-" + std::to_string(rows))).string();
    fs::remove_all(plan.dir);
    const double t0 = now();
    const ShardedScores s = scoreInShards(
        *source, rows,
        [&](std::size_t i) {
            GalaxyRef g;
            g.row = i;
            g.set("file", fs::path(files[i % files.size()]).filename().string());
            return g;
        },
        so, plan);
    std::printf("%zu %ld %.2f %d\n", rows, peakRssKb(), now() - t0, int(s.complete));
    fs::remove_all(plan.dir);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    rmbench::BenchArgs args(argc, argv);
    std::size_t rows = 768, shard = 512;
    int size = 64, batch = 64, threads = 0;
    std::vector<std::size_t> rssRows = {10000, 100000};
    std::vector<std::string> models = {"simple_cnn", "efficientnet_b0", "resnet50"};
    while (args.next()) {
        if (args.is("--rows"))
            rows = static_cast<std::size_t>(args.integer());
        else if (args.is("--size"))
            size = static_cast<int>(args.integer());
        else if (args.is("--batch"))
            batch = static_cast<int>(args.integer());
        else if (args.is("--threads"))
            threads = static_cast<int>(args.integer());
        else if (args.is("--models")) {
            models.clear();
            std::stringstream ss(args.value());
            std::string part;
            while (std::getline(ss, part, ','))
                models.push_back(part);
        } else if (args.is("--shard"))
            shard = static_cast<std::size_t>(args.integer());
        else if (args.is("--rss-rows")) {
            rssRows.clear();
            std::stringstream ss(args.value());
            std::string part;
            while (std::getline(ss, part, ','))
                rssRows.push_back(std::stoull(part));
        } else if (args.is("--rss-child")) {
            const auto n = static_cast<std::size_t>(args.integer());
            torch::set_num_threads(static_cast<int>(std::thread::hardware_concurrency()));
            return rssChild(n, args.value());
        } else
            args.unknown();
    }
    // Intra-op threads: one per core unless told (the same for the pipeline and the ceiling).
    torch::set_num_threads(threads > 0 ? threads : static_cast<int>(std::thread::hardware_concurrency()));
    const std::vector<std::string> real = rmbench::realJpegs();
    if (real.empty()) {
        std::fprintf(stderr, "the real cutouts are missing (%s/images/gzdecals_ring470)\n",
                     RINGMINER_SHARED_DATA);
        return 1;
    }
    const fs::path tmp = fs::temp_directory_path() / ("bench_mining." + std::to_string(::getpid()));
    fs::create_directories(tmp);
    std::printf("bench_mining: %zu rows (the %zu real 424x424 GZ DECaLS JPEGs reused), %dx%d px, batch %d, "
                "shards of %zu, CPU, %d torch threads\n",
                rows, real.size(), size, size, batch, shard, torch::get_num_threads());
    const auto source = makeImageSource(nlohmann::json{
        {"kind", "folder"}, {"dir", fs::path(real.front()).parent_path().string()}, {"template", "{file}"}});
    const std::vector<GalaxyRef> g = galaxies(real, rows);

    double simpleCnnE2e = 0;
    std::printf("%-16s %12s %12s %8s %12s %10s\n", "model", "end-to-end/s", "model-only/s", "ratio",
                "TTA e2e/s", "TTA cost");
    for (const std::string& name : models) {
        const char* arch = name.c_str();
        const std::string weights = makeWeights(arch, tmp);
        endToEnd(*source, galaxies(real, 64), weights, size, batch, shard, false, tmp / "warm"); // page cache
        const Timed e = endToEnd(*source, g, weights, size, batch, shard, false, tmp / "shards");
        const double e2e = double(e.scored) / e.seconds;
        const double ceiling = modelOnly(weights, size, batch, rows);
        const std::size_t ttaRows = std::string(arch) == "resnet50" ? rows / 4 : rows;
        const Timed t =
            endToEnd(*source, galaxies(real, ttaRows), weights, size, batch, shard, true, tmp / "tta");
        const double tta = double(t.scored) / t.seconds;
        std::printf("%-16s %12.1f %12.1f %7.0f%% %12.1f %9.2fx\n", arch, e2e, ceiling, 100 * e2e / ceiling,
                    tta, e2e / tta);
        std::fflush(stdout);
        if (std::string(arch) == "simple_cnn") simpleCnnE2e = e2e;
    }

    // The same SimpleCNN, files, size and batch through PyTorch's DataLoader (one worker process and one
    // intra-op thread per core, as our loader threads and torch threads), in the same run.
    {
        const fs::path list = tmp / "files.txt";
        {
            std::ofstream out(list);
            for (const std::string& f : real)
                out << f << "\n";
        }
        const std::string cmd =
            std::string("/usr/bin/python3 ") + RINGMINER_BENCH_DIR + "/mining_torch_reference.py " +
            list.string() + " --rows " + std::to_string(rows) + " --size " + std::to_string(size) +
            " --batch " + std::to_string(batch) + " --threads " + std::to_string(torch::get_num_threads()) +
            " --out " + (tmp / "torch_scores.txt").string();
        const std::string out = rmbench::runChecked(cmd, "the PyTorch DataLoader reference");
        const auto json = nlohmann::json::parse(out.substr(out.find('{')));
        const double reference = json.at("galaxies_per_s").get<double>();
        std::printf(
            "\nSimpleCNN, %zu rows, %d px: ours %.1f galaxies/s, PyTorch %s DataLoader (%d workers, PIL) "
            "%.1f galaxies/s: ours / DataLoader = %.2fx\n",
            rows, size, simpleCnnE2e, json.at("torch").get<std::string>().c_str(),
            json.at("workers").get<int>(), reference, simpleCnnE2e / reference);
        std::fflush(stdout);
    }

    // Peak RSS: a fresh child process per size, SimpleCNN at 32 px on 64 px JPEGs.
    smallJpegs(tmp / "small", 256);
    makeWeights("simple_cnn", tmp);
    std::printf(
        "\npeak RSS of a child mining N rows (SimpleCNN, 32 px, 256 small JPEGs reused):\n%10s %12s %10s\n",
        "rows", "peak RSS MB", "seconds");
    char self[4096];
    const ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    self[len > 0 ? len : 0] = 0;
    for (std::size_t n : rssRows) {
        const std::string out = rmbench::runChecked(
            std::string(self) + " --rss-child " + std::to_string(n) + " " + tmp.string(), "the RSS child");
        unsigned long long r = 0;
        long kb = 0;
        double s = 0;
        int complete = 0;
        std::sscanf(out.c_str(), "%llu %ld %lf %d", &r, &kb, &s, &complete);
        std::printf("%10llu %12.1f %10.1f%s\n", r, kb / 1024.0, s, complete ? "" : " (incomplete!)");
        std::fflush(stdout);
    }
    fs::remove_all(tmp);
    return 0;
}
