// Training benchmark: images per second of end-to-end training (decoded cache -> batch loader with
// augmentation -> device -> forward, backward, AdamW), RingMiner's Trainer against PyTorch with a standard
// DataLoader (bench/train_torch_reference.py, run as a child process in the same run on the same machine),
// for each model; plus head-only fine-tuning from cached embeddings against running the frozen encoder every
// epoch.
//
// Both sides read the same decoded-image cache (the real Galaxy Zoo DECaLS cutouts when OpenCV can decode
// them, repeated to fill the steps; otherwise synthetic images), use the same image size, batch size, thread
// count, augmentation (rotation + random resized crop + flips), optimiser and loss, and time the same steps
// after the same number of warm-up steps. On CUDA both use bf16 autocast and channels_last (--precision bf16,
// the default) or plain float32 in NCHW (--precision fp32), and the GPU utilisation is sampled with
// nvidia-smi during the timed steps when it is installed.
//
//   bench_training [--size PX] [--batch B] [--warmup-steps W] [--steps S] [--threads N] [--device D]
//                  [--precision bf16|fp32]
//                  [--models simple_cnn:3,efficientnet_b0:1,...] [--cache PATH] [--python PATH]
//                  [--head-model NAME] [--head-train N] [--no-python] [--json]
#include "BenchSupport.h"
#include "cache/DecodedCache.h"
#include "cache/DecodedCacheBuilder.h"
#include "training/DeviceName.h"
#include "training/Trainer.h"
#include "util/Random.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

namespace {

double epochSeconds()
{
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct Options
{
    int size = 224;
    int batch = 64;
    int warmupSteps = 5;
    int steps = 20;
    int threads = static_cast<int>(std::thread::hardware_concurrency());
    std::string device = "auto";
    std::string precision = "bf16"; // on CUDA: bf16 autocast + channels_last, or fp32 (NCHW)
    std::vector<std::pair<std::string, int>> models = {
        {"simple_cnn", 3}, {"efficientnet_b0", 1}, {"efficientnet_b0", 3}, {"resnet18", 1}, {"resnet50", 1}};
    std::string cache;
    std::string python = "/usr/bin/python3";
    std::string headModel = "efficientnet_b0";
    int headTrain = 512;
    bool runPython = true;
    bool json = false;
};

// GPU utilisation samples (time, percent) from nvidia-smi, taken every 200 ms on a thread while it lives.
class GpuSampler
{
public:
    explicit GpuSampler(bool enabled)
    {
        if (!enabled || std::system("command -v nvidia-smi > /dev/null 2>&1") != 0) return;
        m_thread = std::thread([this] {
            while (!m_stop) {
                try {
                    const double t = epochSeconds();
                    const std::string out = rmbench::runChecked(
                        "nvidia-smi --query-gpu=utilization.gpu --format=csv,noheader,nounits -i 0",
                        "nvidia-smi");
                    std::lock_guard<std::mutex> lock(m_mutex);
                    m_samples.emplace_back(t, std::stod(out));
                } catch (const std::exception&) {
                    return;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(200));
            }
        });
    }
    ~GpuSampler()
    {
        m_stop = true;
        if (m_thread.joinable()) m_thread.join();
    }
    // Mean utilisation over [t0, t1]; NaN without samples.
    double mean(double t0, double t1)
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        double sum = 0;
        int n = 0;
        for (const auto& [t, u] : m_samples)
            if (t >= t0 && t <= t1) sum += u, ++n;
        return n ? sum / n : std::nan("");
    }

private:
    std::atomic<bool> m_stop{false};
    std::mutex m_mutex;
    std::vector<std::pair<double, double>> m_samples;
    std::thread m_thread;
};

// A faint disc or ring on noise, for machines that cannot decode the JPEGs (no OpenCV on a GPU node).
rm::Image syntheticImage(int size, std::uint64_t seed)
{
    rm::DeterministicRandom rng(seed);
    rm::Image im(size, size, 3);
    const bool ring = seed % 2 == 0;
    const double r0 = size * rng.uniform(0.15, 0.3);
    for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) {
            const double r = std::hypot(x - size / 2.0, y - size / 2.0);
            const double v = (ring ? std::exp(-std::pow((r - r0) / 2.0, 2)) : std::exp(-r / r0 * 2)) * 200;
            for (int c = 0; c < 3; ++c)
                im.at(x, y, c) = static_cast<std::uint8_t>(std::min(255.0, v + rng.uniform(0, 25)));
        }
    return im;
}

std::string makeCache(const Options& o, const fs::path& dir, std::size_t records, std::string& what)
{
    std::vector<rm::CacheItem> items;
    const auto jpegs = rmbench::realJpegs();
#ifdef RINGMINER_HAVE_OPENCV
    const bool real = !jpegs.empty();
#else
    const bool real = false;
#endif
    for (std::size_t i = 0; i < records; ++i) {
        rm::CacheItem item;
        item.key = "r" + std::to_string(i);
        if (real)
            item.path = jpegs[i % jpegs.size()];
        else
            item.load = [size = o.size, i] { return syntheticImage(size, i); };
        items.push_back(std::move(item));
    }
    rm::CacheBuildOptions b;
    b.prepare = rm::PrepareParams{o.size, o.size, 3, 1.0};
    b.threads = o.threads;
    const std::string path = (dir / "bench.rmcache").string();
    const auto report = rm::buildDecodedCache(path, items, b);
    what = std::to_string(records) + " records (" +
           (real ? std::to_string(jpegs.size()) + " real DECaLS JPEGs, repeated" : std::string("synthetic")) +
           "), " + std::to_string(o.size) + " px, built in " + std::to_string(report.seconds) + " s";
    return path;
}

rm::TrainConfig baseConfig(const Options& o, const std::string& arch, int channels)
{
    rm::TrainConfig c;
    c.model.arch = arch;
    c.model.inChannels = channels;
    c.view.width = c.view.height = o.size;
    c.view.channels = channels;
    c.view.augment = true;
    c.batchSize = o.batch;
    c.epochs = 1;
    c.patience = 0;
    c.device = o.device;
    c.mixedPrecision = c.channelsLast = o.precision == "bf16";
    c.loaderThreads = o.threads;
    c.torchThreads = o.threads;
    c.embeddingViews = 0;
    return c;
}

rm::TrainData dataFor(std::shared_ptr<rm::DecodedCache> cache, std::size_t train, std::size_t val)
{
    rm::TrainData d;
    d.source = cache;
    d.labels.resize(cache->size());
    for (std::size_t i = 0; i < cache->size(); ++i)
        d.labels[i] = static_cast<int>(i % 2);
    for (std::size_t i = 0; i < train + val && i < cache->size(); ++i)
        (i < train ? d.train : d.val).push_back(i);
    return d;
}

struct Measured
{
    double imagesPerSecond = 0;
    double gpuUtil = std::nan("");
    std::string note;
};

Measured ours(const Options& o, std::shared_ptr<rm::DecodedCache> cache, const std::string& arch,
              int channels, const fs::path& work, GpuSampler& gpu)
{
    rm::TrainConfig c = baseConfig(o, arch, channels);
    c.maxStepsPerEpoch = o.warmupSteps + o.steps;
    const std::size_t train = cache->size() - o.batch;
    double t0 = 0, t1 = 0;
    rm::TrainCallbacks cb;
    // A step event arrives once that step's loss is back on the host, i.e. the step is done.
    cb.onStep = [&](const rm::StepEvent& e) {
        if (e.step == o.warmupSteps - 1) t0 = epochSeconds();
        if (e.step == o.warmupSteps + o.steps - 1) t1 = epochSeconds();
    };
    const fs::path dir = work / (arch + "_c" + std::to_string(channels));
    fs::remove_all(dir);
    rm::Trainer trainer(c, dataFor(cache, train, o.batch), dir.string());
    if (o.warmupSteps == 0) t0 = epochSeconds();
    const rm::TrainResult r = trainer.run(cb);
    Measured m;
    m.imagesPerSecond = double(o.steps) * o.batch / (t1 - t0);
    m.gpuUtil = gpu.mean(t0, t1);
    m.note = r.device;
    return m;
}

Measured reference(const Options& o, const std::string& cachePath, const std::string& arch, int channels,
                   bool cuda, GpuSampler& gpu)
{
    const std::string script = std::string(RINGMINER_BENCH_DIR) + "/train_torch_reference.py";
    std::ostringstream cmd;
    cmd << "'" << o.python << "' '" << script << "' '" << cachePath << "' --model " << arch << " --in-chans "
        << channels << " --size " << o.size << " --batch " << o.batch << " --warmup-steps " << o.warmupSteps
        << " --steps " << o.steps << " --threads " << o.threads << " --device " << (cuda ? "cuda" : "cpu")
        << " --precision " << o.precision << " 2>&1";
    const std::string out = rmbench::runChecked(cmd.str(), "PyTorch reference");
    const auto j = nlohmann::json::parse(out.substr(out.rfind('{')));
    Measured m;
    m.imagesPerSecond = j["images_per_s"].get<double>();
    m.gpuUtil = gpu.mean(j["t0"].get<double>(), j["t1"].get<double>());
    m.note = j["source"].get<std::string>() + ", torch " + j["torch"].get<std::string>();
    return m;
}

std::string fixed(double v, int digits = 1)
{
    if (std::isnan(v)) return "-";
    std::ostringstream s;
    s.setf(std::ios::fixed);
    s.precision(digits);
    s << v;
    return s.str();
}

Options parse(int argc, char** argv)
{
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
            return argv[++i];
        };
        if (a == "--size")
            o.size = std::stoi(value());
        else if (a == "--batch")
            o.batch = std::stoi(value());
        else if (a == "--warmup-steps")
            o.warmupSteps = std::stoi(value());
        else if (a == "--steps")
            o.steps = std::stoi(value());
        else if (a == "--threads")
            o.threads = std::stoi(value());
        else if (a == "--device")
            o.device = value();
        else if (a == "--precision")
            o.precision = value();
        else if (a == "--cache")
            o.cache = value();
        else if (a == "--python")
            o.python = value();
        else if (a == "--head-model")
            o.headModel = value();
        else if (a == "--head-train")
            o.headTrain = std::stoi(value());
        else if (a == "--no-python")
            o.runPython = false;
        else if (a == "--json")
            o.json = true;
        else if (a == "--models") {
            o.models.clear();
            std::stringstream list(value());
            std::string item;
            while (std::getline(list, item, ',')) {
                const auto colon = item.find(':');
                o.models.emplace_back(item.substr(0, colon),
                                      colon == std::string::npos ? 3 : std::stoi(item.substr(colon + 1)));
            }
        } else
            throw std::runtime_error("unknown option " + a);
    }
    if (o.steps < 1 || o.warmupSteps < 1 || o.batch < 1 || o.threads < 1)
        throw std::runtime_error("steps, warm-up steps, batch and threads must be >= 1");
    if (o.precision != "bf16" && o.precision != "fp32")
        throw std::runtime_error("--precision must be bf16 or fp32, got " + o.precision);
    return o;
}

} // namespace

int main(int argc, char** argv)
{
    try {
        const Options o = parse(argc, argv);
        const fs::path work =
            fs::temp_directory_path() / ("ringminer-bench-training-" + std::to_string(getpid()));
        fs::create_directories(work);
        const std::string device = rm::describeDevice(o.device);
        const bool cuda = device.rfind("cuda", 0) == 0;

        std::string cachePath = o.cache, cacheWhat = "given";
        const std::size_t needed =
            std::max<std::size_t>(std::size_t(o.warmupSteps + o.steps + 2) * o.batch, o.headTrain + 64);
        if (cachePath.empty()) cachePath = makeCache(o, work, needed, cacheWhat);
        auto cache = rm::DecodedCache::open(cachePath);
        std::cout << "device: " << device << (cuda ? ", " + o.precision : std::string()) << ", threads "
                  << o.threads << ", image " << o.size << " px, batch " << o.batch << ", " << o.warmupSteps
                  << " warm-up + " << o.steps << " timed steps\ncache: " << cachePath << ": " << cacheWhat
                  << "\n\n";

        nlohmann::json report = {{"device", device},
                                 {"threads", o.threads},
                                 {"precision", cuda ? o.precision : std::string("fp32")},
                                 {"size", o.size},
                                 {"batch", o.batch},
                                 {"steps", o.steps},
                                 {"warmup_steps", o.warmupSteps},
                                 {"models", nlohmann::json::array()}};
        GpuSampler gpu(cuda);
        std::printf("%-18s %12s %12s %7s %9s %9s  %s\n", "model", "ours img/s", "torch img/s", "ratio",
                    "GPU% ours", "GPU% ref", "reference");
        for (const auto& [arch, channels] : o.models) {
            const std::string name = arch + " c" + std::to_string(channels);
            const Measured a = ours(o, cache, arch, channels, work, gpu);
            Measured b;
            if (o.runPython) b = reference(o, cachePath, arch, channels, cuda, gpu);
            const double ratio = o.runPython ? a.imagesPerSecond / b.imagesPerSecond : std::nan("");
            std::printf("%-18s %12s %12s %7s %9s %9s  %s\n", name.c_str(), fixed(a.imagesPerSecond).c_str(),
                        fixed(b.imagesPerSecond).c_str(), fixed(ratio, 2).c_str(),
                        fixed(a.gpuUtil, 0).c_str(), fixed(b.gpuUtil, 0).c_str(), b.note.c_str());
            std::fflush(stdout);
            report["models"].push_back(
                {{"model", arch},
                 {"in_chans", channels},
                 {"ours_images_per_s", a.imagesPerSecond},
                 {"torch_images_per_s", o.runPython ? b.imagesPerSecond : 0.0},
                 {"ratio", o.runPython ? ratio : 0.0},
                 {"ours_gpu_util", std::isnan(a.gpuUtil) ? nlohmann::json() : nlohmann::json(a.gpuUtil)},
                 {"torch_gpu_util", std::isnan(b.gpuUtil) ? nlohmann::json() : nlohmann::json(b.gpuUtil)},
                 {"reference", b.note}});
        }

        // Head-only: one epoch from cached embeddings against one epoch through the frozen encoder.
        if (o.headTrain > 0) {
            rm::TrainConfig c = baseConfig(o, o.headModel, 3);
            c.fineTune = rm::FineTuneMode::HeadOnly;
            c.epochs = 2;
            const rm::TrainData d =
                dataFor(cache, std::min<std::size_t>(o.headTrain, cache->size() - 64), 64);
            double seconds[2] = {0, 0};
            double prepare = 0;
            for (int cached = 0; cached < 2; ++cached) {
                c.embeddingViews = cached ? 4 : 0;
                const fs::path dir = work / (cached ? "head_cached" : "head_full");
                fs::remove_all(dir);
                const rm::TrainResult r = rm::Trainer(c, d, dir.string()).run();
                seconds[cached] = r.history.back().seconds; // the second epoch: nothing left to warm up
                if (cached) prepare = r.embeddingSeconds;
            }
            const double ratio = seconds[0] / seconds[1];
            std::printf("\nhead-only %s, %zu train + %zu val images, epoch (train + validation):\n"
                        "  through the frozen encoder  %9.4f s\n  from cached embeddings      %9.4f s   "
                        "(%.0fx faster; embedding 4 views once took %.2f s)\n",
                        o.headModel.c_str(), d.train.size(), d.val.size(), seconds[0], seconds[1], ratio,
                        prepare);
            report["head_only"] = {{"model", o.headModel},
                                   {"train_images", d.train.size()},
                                   {"epoch_seconds_encoder", seconds[0]},
                                   {"epoch_seconds_cached", seconds[1]},
                                   {"speedup", ratio},
                                   {"embedding_seconds", prepare}};
        }
        if (o.json) std::cout << report.dump() << "\n";
        fs::remove_all(work);
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "bench_training: " << e.what() << "\n";
        return 1;
    }
}
