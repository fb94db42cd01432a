// Decoding benchmark: how fast the real Galaxy Zoo DECaLS cutouts (377 JPEGs of 424x424) become 224x224 model
// input, three ways, in one run:
//   1. decode + resize from the JPEG files (rm::decodeImageFile + rm::prepareImage: OpenCV imdecode,
//   INTER_AREA),
//      on 1 thread and on all threads;
//   2. the same with Pillow (bench/decode_pillow.py under Debian's /usr/bin/python3), 1 process and N
//   processes;
//   3. batches served from the decoded-image cache by rm::BatchLoader (batch 64, 3 x 224 x 224 float32 NCHW),
//      without and with augmentation (rotation, random resized crop, flips), all threads, prefetch 4; and
//      once more with a consumer that is busy for a while per batch (a training step), to see prefetching
//      hide the loading.
// The files are read from disk every time (the page cache is warm after the first pass, as in training).
// Every figure is given per wall-clock second and per CPU second (user + system time of all threads): the
// second does not depend on how busy the machine is.
//
//   bench_decode [--passes P] [--epochs E] [--threads N] [--size PX] [--python PATH] [--json]
#include "BenchSupport.h"
#include "cache/DecodedCache.h"
#include "cache/DecodedCacheBuilder.h"
#include "imaging/ImageDecode.h"
#include "imaging/Preprocess.h"
#include "training/BatchLoader.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

namespace {

double wallNow()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double cpuNow()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec * 1e-6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec * 1e-6;
}

struct Rate
{
    double wall = 0; // images per wall-clock second
    double cpu = 0;  // images per CPU second
    double waitFraction = 0;
    nlohmann::json json() const { return {{"images_per_s", wall}, {"images_per_cpu_s", cpu}}; }
};

struct Clock
{
    double wall0 = wallNow(), cpu0 = cpuNow();
    Rate rate(double images) const { return {images / (wallNow() - wall0), images / (cpuNow() - cpu0), 0}; }
};

// The real cutouts; a benchmark of decoding needs them.
std::vector<std::string> realJpegs()
{
    std::vector<std::string> files = rmbench::realJpegs();
    if (files.empty())
        throw std::runtime_error("missing real data: " + std::string(RINGMINER_SHARED_DATA) +
                                 "/images/gzdecals_ring470/labels.csv");
    return files;
}

// Decode + resize of every file `passes` times on `threads` threads.
Rate decodeRate(const std::vector<std::string>& files, int passes, int threads, const rm::PrepareParams& prep)
{
    const std::size_t total = files.size() * passes;
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> checksum{0};
    auto work = [&] {
        std::size_t local = 0;
        for (std::size_t i; (i = next.fetch_add(1)) < total;)
            local += rm::prepareImage(rm::decodeImageFile(files[i % files.size()]), prep).pixels[0];
        checksum += local;
    };
    Clock clock;
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t)
        pool.emplace_back(work);
    work();
    for (auto& t : pool)
        t.join();
    return clock.rate(total);
}

Rate runPillow(const std::string& python, const std::string& list, int size, int passes, int processes,
               std::string& version)
{
    const std::string script = std::string(RINGMINER_BENCH_DIR) + "/decode_pillow.py";
    const std::string cmd = "'" + python + "' '" + script + "' '" + list + "' --size " +
                            std::to_string(size) + " --passes " + std::to_string(passes) + " --processes " +
                            std::to_string(processes);
    const std::string out = rmbench::runChecked(cmd, "Pillow reference");
    const auto j = nlohmann::json::parse(out.substr(out.rfind('{')));
    version = j["version"].get<std::string>();
    return {j["images_per_s"].get<double>(), j["images"].get<double>() / j["cpu_seconds"].get<double>(), 0};
}

// Batches from the cache. stepSeconds > 0 simulates a training step per batch (the consumer is busy that
// long); waitFraction is the share of the time the consumer waited for a batch, leaving out the first batch
// (filling the pipeline) when it has a step.
Rate loaderRate(std::shared_ptr<const rm::RecordSource> source, int epochs, int threads, bool augment,
                int size, double stepSeconds = 0)
{
    rm::BatchLoaderOptions o;
    o.batchSize = 64;
    o.view.width = o.view.height = size;
    o.view.channels = 3;
    o.view.augment = augment;
    o.threads = threads;
    o.prefetch = 4;
    o.seed = 1;
    std::vector<std::size_t> indices(source->size());
    for (std::size_t i = 0; i < indices.size(); ++i)
        indices[i] = i;
    rm::BatchLoader loader(source, indices, o);
    std::size_t images = 0;
    double checksum = 0, firstWait = -1;
    Clock clock;
    for (int e = 0; e < epochs; ++e) {
        loader.startEpoch(e);
        while (auto b = loader.next()) {
            if (firstWait < 0) firstWait = loader.waitSeconds();
            images += b->size;
            checksum += b->data[b->data.size() / 2];
            loader.recycle(std::move(*b));
            if (stepSeconds > 0) std::this_thread::sleep_for(std::chrono::duration<double>(stepSeconds));
        }
    }
    const double seconds = wallNow() - clock.wall0;
    Rate r = clock.rate(images);
    if (checksum < 0) std::printf("impossible\n");
    r.waitFraction = (stepSeconds > 0 ? loader.waitSeconds() - firstWait : loader.waitSeconds()) / seconds;
    return r;
}

} // namespace

int main(int argc, char** argv)
{
    int passes = 3, epochs = 10, size = 224;
    int threads = static_cast<int>(std::thread::hardware_concurrency());
    std::string python = "/usr/bin/python3"; // Debian's, which has python3-pil; not the first on PATH
    bool json = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
            return argv[++i];
        };
        if (a == "--passes")
            passes = std::stoi(value());
        else if (a == "--epochs")
            epochs = std::stoi(value());
        else if (a == "--threads")
            threads = std::stoi(value());
        else if (a == "--size")
            size = std::stoi(value());
        else if (a == "--python")
            python = value();
        else if (a == "--json")
            json = true;
        else {
            std::cerr
                << "usage: bench_decode [--passes P] [--epochs E] [--threads N] [--size PX] [--python PATH] "
                   "[--json]\n";
            return 2;
        }
    }
    try {
        const auto files = realJpegs();
        const fs::path dir = fs::temp_directory_path() / ("bench_decode." + std::to_string(::getpid()));
        fs::create_directories(dir);
        const std::string list = (dir / "files.txt").string();
        {
            std::ofstream out(list);
            for (const auto& f : files)
                out << f << "\n";
        }
        const rm::PrepareParams prep{size, size, 3, 1.0};
        std::fprintf(stderr, "%zu JPEGs, %d passes, %d epochs, %d threads, %d px\n", files.size(), passes,
                     epochs, threads, size);

        decodeRate(files, 1, threads, prep); // warm the page cache
        const Rate decode1 = decodeRate(files, passes, 1, prep);
        const Rate decodeN = decodeRate(files, passes, threads, prep);
        std::string pillowVersion;
        const Rate pillow1 = runPillow(python, list, size, passes, 1, pillowVersion);
        const Rate pillowN = runPillow(python, list, size, passes, threads, pillowVersion);

        std::vector<rm::CacheItem> items;
        for (const auto& f : files)
            items.push_back({fs::path(f).stem().string(), f, {}});
        rm::CacheBuildOptions co;
        co.prepare = prep;
        co.threads = threads;
        const std::string cachePath = (dir / "decoded.rmcache").string();
        const auto report = rm::buildDecodedCache(cachePath, items, co);
        const auto cache = rm::DecodedCache::open(cachePath);
        const Rate plain = loaderRate(cache, epochs, threads, false, size);
        const Rate augmented = loaderRate(cache, epochs, threads, true, size);
        // A consumer busy for 1.5x the time the workers need per batch: prefetching should hide the loading.
        const double step = 1.5 * 64 / augmented.wall;
        const Rate stepped = loaderRate(cache, 2, threads, true, size, step);
        fs::remove_all(dir);

        const nlohmann::json summary = {
            {"images", files.size()},
            {"passes", passes},
            {"epochs", epochs},
            {"threads", threads},
            {"size", size},
            {"pillow_version", pillowVersion},
            {"decode_resize_1_thread", decode1.json()},
            {"decode_resize_all_threads", decodeN.json()},
            {"pillow_1_process", pillow1.json()},
            {"pillow_all_processes", pillowN.json()},
            {"cache_build_seconds", report.seconds},
            {"cache_batches", plain.json()},
            {"cache_batches_augmented", augmented.json()},
            {"stepped_consumer_step_seconds", step},
            {"stepped_consumer_wait_fraction", stepped.waitFraction},
            {"ratio_cache_vs_decode_wall", plain.wall / decodeN.wall},
            {"ratio_cache_vs_decode_cpu", plain.cpu / decodeN.cpu},
            {"ratio_cache_augmented_vs_decode_wall", augmented.wall / decodeN.wall},
            {"ratio_cache_augmented_vs_decode_cpu", augmented.cpu / decodeN.cpu},
            {"ratio_decode_vs_pillow_1_wall", decode1.wall / pillow1.wall},
            {"ratio_decode_vs_pillow_1_cpu", decode1.cpu / pillow1.cpu},
            {"ratio_decode_vs_pillow_all_wall", decodeN.wall / pillowN.wall},
            {"ratio_decode_vs_pillow_all_cpu", decodeN.cpu / pillowN.cpu},
        };
        auto row = [](const char* what, const Rate& r) {
            std::printf("  %-44s %9.1f %11.1f\n", what, r.wall, r.cpu);
        };
        std::printf("%zu real 424 px JPEGs -> %d px, %d threads   images/s   images/CPU-s\n", files.size(),
                    size, threads);
        row("decode+resize, 1 thread", decode1);
        row("decode+resize, all threads", decodeN);
        row(("Pillow " + pillowVersion + ", 1 process").c_str(), pillow1);
        row("Pillow, all processes", pillowN);
        row("cache batches (64 x 3x224x224), no augmentation", plain);
        row("cache batches, augmentation", augmented);
        std::printf("  cache build: %.2f s (%.1f images/s)\n", report.seconds, files.size() / report.seconds);
        std::printf(
            "  ratios (wall / CPU): cache vs decode %.1fx / %.1fx; augmented cache vs decode %.1fx / %.1fx\n",
            plain.wall / decodeN.wall, plain.cpu / decodeN.cpu, augmented.wall / decodeN.wall,
            augmented.cpu / decodeN.cpu);
        std::printf(
            "                       decode vs Pillow, 1 thread %.2fx / %.2fx; all threads %.2fx / %.2fx\n",
            decode1.wall / pillow1.wall, decode1.cpu / pillow1.cpu, decodeN.wall / pillowN.wall,
            decodeN.cpu / pillowN.cpu);
        std::printf(
            "  consumer busy %.0f ms per batch (1.5x the workers' time): waited %.1f%% of the time after the "
            "first batch\n",
            1000 * step, 100 * stepped.waitFraction);
        if (json) std::printf("%s\n", summary.dump().c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_decode: %s\n", e.what());
        return 1;
    }
    return 0;
}
