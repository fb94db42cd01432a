// ringminer-cli cutouts cache: decode and resize every image of a target set once into a decoded-image cache
// file beside the project, and record it in image_caches, so training epochs read pixels from a memory map
// instead of decoding JPEGs.
#include "Cli.h"

#include "cache/TargetSetCache.h"
#include "store/ProjectStore.h"
#include "util/Error.h"

using namespace rm;
using namespace rm::cli;

namespace {

int cutoutsCache(const Args& args)
{
    args.allowOnly({"target-set", "size", "channels", "threads", "crop"}, {});
    const std::string path = args.positional(0, "PROJECT");
    const auto setName = args.option("target-set");
    if (!setName) throw UsageError("--target-set NAME is required");
    const long long size = args.integer("size", -1);
    if (size < kMinImageSide || size > kMaxImageSide)
        throw UsageError("--size PX is required (" + std::to_string(kMinImageSide) + ".." +
                         std::to_string(kMaxImageSide) + ")");
    const long long channels = args.integer("channels", 3);
    if (channels != 1 && channels != 3) throw UsageError("--channels must be 1 or 3");
    const long long threads = args.integer("threads", 0);
    if (threads < 0 || threads > 256) throw UsageError("--threads must be 0..256 (0 = all cores)");
    const double crop = args.number("crop", 1.0);
    if (!(crop > 0 && crop <= 1)) throw UsageError("--crop must be in (0, 1]");

    auto store = ProjectStore::open(path);
    store->requireWritable("a decoded-image cache");
    TargetSetCacheOptions o;
    o.prepare.width = o.prepare.height = static_cast<int>(size);
    o.prepare.channels = static_cast<int>(channels);
    o.prepare.cropFraction = crop;
    o.threads = static_cast<int>(threads);
    Progress progress("cache");
    o.progress = progress;
    const TargetSetCacheResult result = buildTargetSetCache(*store, *setName, o);
    const CacheBuildReport& built = result.report;
    const std::string& file = result.path;
    const std::vector<std::string>& keys = result.keys;
    progress.finish(std::to_string(built.ok) + " images, " + std::to_string(built.count - built.ok) +
                    " failed");

    nlohmann::json errors = nlohmann::json::array();
    std::string text = "decoded-image cache " + file + "\n  " + std::to_string(built.ok) + " of " +
                       std::to_string(built.count) + " images (" + std::to_string(size) + "x" +
                       std::to_string(size) + "x" + std::to_string(channels) + ") in " +
                       formatDuration(built.seconds);
    if (built.missing + built.corrupt + built.failed > 0)
        text += "; missing " + std::to_string(built.missing) + ", corrupt " + std::to_string(built.corrupt) +
                ", failed " + std::to_string(built.failed);
    for (const auto& [index, message] : built.errors) {
        if (errors.size() < 20) {
            errors.push_back({{"key", keys[index]}, {"error", message}});
            text += "\n  " + keys[index] + ": " + message;
        }
    }
    printSummary(args,
                 {{"ok", true},
                  {"path", file},
                  {"target_set", *setName},
                  {"records", built.count},
                  {"images", built.ok},
                  {"missing", built.missing},
                  {"corrupt", built.corrupt},
                  {"failed", built.failed},
                  {"width", size},
                  {"height", size},
                  {"channels", channels},
                  {"seconds", built.seconds},
                  {"errors", errors}},
                 text);
    return 0;
}

} // namespace

static VerbRegistrar cacheVerb(
    {"cutouts cache",
     "PROJECT --target-set NAME --size PX [--channels 1|3] [--crop F] [--threads N] [--json]",
     "decode and resize a target set's images once into a memory-mapped cache file for fast training epochs",
     {},
     cutoutsCache});
