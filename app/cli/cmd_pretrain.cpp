// ringminer-cli pretrain: self-supervised (SimCLR) pretraining of an encoder on unlabelled images from
// project catalogs and plain folders; writes the encoder in timm names (usable as a matrix model's
// "pretrained") and records it in the project. Rerunning the same command after a kill or Ctrl-C carries on
// after the last finished epoch. `pretrain list` shows the recorded encoders.
#include "Cli.h"

#include "store/ProjectStore.h"
#include "training/Pretrain.h"
#include "util/Error.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>

using namespace rm;
using namespace rm::cli;

namespace fs = std::filesystem;

namespace {

std::atomic<bool> g_interrupted{false};

void onInterrupt(int)
{
    g_interrupted.store(true);
}

int pretrain(const Args& args)
{
    args.allowOnly({"catalog", "folder", "arch", "in-chans", "image-size", "epochs", "batch", "lr",
                    "temperature", "seed", "device", "out", "name", "threads", "max-steps", "augment"},
                   {});
    const std::string path = args.positional(0, "PROJECT");
    std::vector<PretrainSource> sources;
    for (const auto& c : args.options("catalog"))
        sources.push_back({PretrainSource::Catalog, c});
    for (const auto& f : args.options("folder"))
        sources.push_back({PretrainSource::Folder, f});
    if (sources.empty()) throw UsageError("give at least one --catalog NAME or --folder DIR");

    PretrainConfig config;
    config.arch = args.option("arch", config.arch);
    config.inChannels = static_cast<int>(args.integer("in-chans", config.inChannels));
    config.imageSize = static_cast<int>(args.integer("image-size", config.imageSize));
    config.epochs = static_cast<int>(args.integer("epochs", config.epochs));
    config.batchSize = static_cast<int>(args.integer("batch", config.batchSize));
    config.learningRate = args.number("lr", config.learningRate);
    config.temperature = args.number("temperature", config.temperature);
    const long long seed = args.integer("seed", static_cast<long long>(config.seed));
    if (seed < 0) throw UsageError("--seed must not be negative");
    config.seed = static_cast<std::uint64_t>(seed);
    config.device = args.option("device", config.device);
    const long long threads = args.integer("threads", 0);
    if (threads < 0 || threads > 256) throw UsageError("--threads must be 0..256 (0 = all cores)");
    config.torchThreads = static_cast<int>(threads);
    config.loaderThreads = threads > 0 ? 1 : 0;
    config.maxStepsPerEpoch = static_cast<int>(args.integer("max-steps", 0));
    const std::string augment = args.option("augment", "strong");
    if (augment != "strong" && augment != "geometric")
        throw UsageError("--augment must be strong (geometry, colour jitter, blur) or geometric");
    config.augmentation = pretrainAugmentation(augment == "strong");
    try {
        validate(config);
    } catch (const Error& e) {
        throw UsageError(e.what());
    }

    auto store = ProjectStore::open(path);
    store->requireWritable("pretraining");
    PretrainRequest request;
    request.sources = sources;
    request.config = config;
    request.name = args.option("name", "");
    request.out = args.option("out", "");

    PretrainImagesOptions io;
    io.threads = static_cast<int>(threads);
    io.log = [](const std::string& m) { std::fprintf(stderr, "%s\n", m.c_str()); };
    Progress decode("decode");
    io.progress = decode;

    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    PretrainCallbacks cb;
    cb.log = [&](const std::string& m) { std::fprintf(stderr, "%s\n", m.c_str()); };
    cb.cancelled = [] { return g_interrupted.load(); };
    const auto start = std::chrono::steady_clock::now();
    double lastLine = -1;
    int firstEpoch = -1;
    cb.onStep = [&](const PretrainStep& s) {
        const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (firstEpoch < 0) firstEpoch = s.epoch;
        const bool last = s.step + 1 == s.stepsPerEpoch;
        if (!last && t - lastLine < 2.0) return;
        lastLine = t;
        const double doneSteps = double(s.epoch - firstEpoch) * s.stepsPerEpoch + s.step + 1;
        const double leftSteps = double(config.epochs - s.epoch) * s.stepsPerEpoch - (s.step + 1);
        std::fprintf(stderr, "epoch %d/%d step %d/%d loss %.4f %.0f img/s ETA %s\n", s.epoch + 1,
                     config.epochs, s.step + 1, s.stepsPerEpoch, s.loss, s.imagesPerSecond,
                     formatDuration(t / doneSteps * leftSteps).c_str());
    };
    cb.onEpoch = [&](const PretrainEpoch& e) {
        std::fprintf(stderr, "epoch %d/%d done: loss %.4f, lr %.2g, %s\n", e.epoch + 1, config.epochs, e.loss,
                     e.learningRate, formatDuration(e.seconds).c_str());
    };
    const PretrainOutcome outcome = pretrainForProject(*store, request, io, cb);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    const PretrainImages& images = outcome.images;
    const PretrainResult& r = outcome.result;
    if (r.cancelled) {
        std::fprintf(stderr, "interrupted after epoch %d of %d; run the same command again to carry on\n",
                     r.epochsDone, config.epochs);
        printSummary(args, {{"ok", false}, {"interrupted", true}, {"epochs_done", r.epochsDone}},
                     "pretraining interrupted");
        return 130;
    }
    for (const auto& s : images.sources)
        std::fprintf(stderr, "%s %s: %zu of %zu images usable\n", s.kind.c_str(), s.name.c_str(), s.usable,
                     s.images);
    const nlohmann::json& record = outcome.record;
    const std::string absOut = record.at("path").get<std::string>();

    nlohmann::json history = nlohmann::json::array();
    for (const auto& e : r.history)
        history.push_back({{"epoch", e.epoch}, {"loss", e.loss}, {"seconds", e.seconds}});
    nlohmann::json summary = record;
    summary["ok"] = true;
    summary["resumed_after"] = r.resumedAfter;
    summary["already_finished"] = r.alreadyFinished;
    summary["history"] = history;
    summary["checkpoint"] = r.checkpointPath;
    summary["cache"] = images.cachePath;
    summary["seconds_this_call"] = r.seconds;
    std::string text = "encoder " + absOut + "\n  " + config.arch + ", " +
                       std::to_string(images.records.size()) + " images, " + std::to_string(config.epochs) +
                       " epochs, final NT-Xent loss " + std::to_string(r.finalLoss) + ", " +
                       formatDuration(r.totalSeconds) + "\n  use it as \"pretrained\": \"" + absOut +
                       "\" in a matrix model";
    if (r.resumedAfter > 0 && !r.alreadyFinished)
        text += "\n  (resumed after epoch " + std::to_string(r.resumedAfter) + ")";
    printSummary(args, summary, text);
    return 0;
}

int pretrainList(const Args& args)
{
    args.allowOnly({}, {});
    auto store = ProjectStore::open(args.positional(0, "PROJECT"));
    nlohmann::json list = nlohmann::json::array();
    std::string text;
    for (const auto& r : pretrainedEncoders(*store)) {
        list.push_back(r.json);
        char line[512];
        std::snprintf(line, sizeof line, "%s  %s c%d %dpx  %zu images  %d epochs  loss %.4f  %s\n",
                      r.name.c_str(), r.arch.c_str(), r.inChannels, r.imageSize, r.images, r.epochs, r.loss,
                      r.path.c_str());
        text += line;
    }
    if (text.empty()) text = "no pretrained encoders (ringminer-cli pretrain)\n";
    printSummary(args, {{"ok", true}, {"encoders", list}}, text.substr(0, text.size() - 1));
    return 0;
}

} // namespace

static VerbRegistrar pretrainVerb(
    {"pretrain",
     "PROJECT (--catalog NAME | --folder DIR)... [--arch A] [--in-chans 1|3] [--image-size PX] [--epochs N] "
     "[--batch N] [--lr X] [--temperature T] [--seed N] [--device D] [--threads N] [--out FILE.safetensors] "
     "[--name NAME] [--augment strong|geometric] [--json]",
     "self-supervised (SimCLR) pretraining of an encoder on unlabelled images; resumable; the encoder is "
     "usable "
     "as \"pretrained\"",
     {},
     pretrain});

static VerbRegistrar pretrainListVerb({"pretrain list",
                                       "PROJECT [--json]",
                                       "the encoders pretrain made for this project and how",
                                       {},
                                       pretrainList});
