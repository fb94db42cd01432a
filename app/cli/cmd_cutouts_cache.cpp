// ringminer-cli cutouts cache: decode and resize every image of a target set once into a decoded-image cache
// file beside the project, and record it in image_caches, so training epochs read pixels from a memory map
// instead of decoding JPEGs.
#include "Cli.h"

#include "imaging/CutoutImageSource.h"
#include "imaging/DecodedCacheBuilder.h"
#include "imaging/ImageSource.h"
#include "store/ProjectStore.h"
#include "targets/TargetSetBuilder.h"
#include "util/Error.h"

#include <cctype>
#include <filesystem>
#include <map>
#include <memory>

using namespace rm;
using namespace rm::cli;
namespace fs = std::filesystem;

namespace {

// Characters safe in a file name; the rest of a target-set name becomes '_'.
std::string fileSafe(const std::string& s)
{
    std::string out;
    for (char c : s)
        out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.') ? c : '_';
    return out;
}

int cutoutsCache(const Args& args)
{
    args.allowOnly({"target-set", "size", "channels", "threads", "crop"}, {});
    const std::string path = args.positional(0, "PROJECT");
    const auto setName = args.option("target-set");
    if (!setName) throw UsageError("--target-set NAME is required");
    const long long size = args.integer("size", -1);
    if (size < 8 || size > 4096) throw UsageError("--size PX is required (8..4096)");
    const long long channels = args.integer("channels", 3);
    if (channels != 1 && channels != 3) throw UsageError("--channels must be 1 or 3");
    const long long threads = args.integer("threads", 0);
    if (threads < 0 || threads > 256) throw UsageError("--threads must be 0..256 (0 = all cores)");
    const double crop = args.number("crop", 1.0);
    if (!(crop > 0 && crop <= 1)) throw UsageError("--crop must be in (0, 1]");

    auto store = ProjectStore::open(path);
    const TargetSetReport report = targetSetReport(*store, *setName);
    const std::vector<Target> targets = loadTargets(*store, *setName);
    registerCutoutImageSources();
    ImageSourceContext ctx;
    ctx.baseDir = fs::absolute(path).parent_path().string();
    ctx.cacheDir = fs::absolute(path).string() + ".files/cutouts";

    // One image source and one table per catalog the targets come from.
    struct CatalogImages
    {
        std::unique_ptr<ImageSource> source;
        Table table;
    };
    std::map<std::int64_t, CatalogImages> catalogs;
    for (const auto& t : targets) {
        if (catalogs.count(t.catalogId)) continue;
        const CatalogInfo info = store->catalog(t.catalogId);
        Statement s = store->db().prepare("SELECT spec_json FROM image_sources WHERE catalog_id = ?");
        s.bind(1, t.catalogId);
        if (!s.step())
            throw Error("catalog '" + info.name + "' (targets of '" + *setName +
                        "') has no image source; set one with: ringminer-cli cutouts source " + path + " " +
                        info.name + " --folder DIR --template '{iauname}.jpg'");
        CatalogImages ci;
        ci.source = makeImageSource(s.text(0), ctx);
        ci.table = store->loadTable(t.catalogId);
        catalogs.emplace(t.catalogId, std::move(ci));
    }
    std::vector<GalaxyRef> galaxies;
    std::vector<std::string> keys;
    std::vector<const ImageSource*> sources;
    galaxies.reserve(targets.size());
    for (const auto& t : targets) {
        const CatalogImages& ci = catalogs.at(t.catalogId);
        if (t.row < 0 || static_cast<std::size_t>(t.row) >= ci.table.rowCount())
            throw Error("target set '" + *setName + "' names row " + std::to_string(t.row) + " of catalog " +
                        std::to_string(t.catalogId) + ", which has " + std::to_string(ci.table.rowCount()) +
                        " rows");
        GalaxyRef g = GalaxyRef::fromTable(ci.table, static_cast<std::size_t>(t.row), t.catalogId);
        g.ra = t.ra;
        g.dec = t.dec;
        galaxies.push_back(std::move(g));
        keys.push_back(std::to_string(t.catalogId) + ":" + std::to_string(t.row));
        sources.push_back(ci.source.get());
    }
    std::vector<CacheItem> items;
    items.reserve(galaxies.size());
    for (std::size_t i = 0; i < galaxies.size(); ++i)
        items.push_back({keys[i], {}, [src = sources[i], g = &galaxies[i]] { return src->load(*g); }});

    CacheBuildOptions o;
    o.prepare =
        PrepareParams{static_cast<int>(size), static_cast<int>(size), static_cast<int>(channels), crop};
    o.threads = static_cast<int>(threads);
    o.extra = {
        {"target_set", *setName}, {"target_set_id", report.id}, {"project", fs::absolute(path).string()}};
    Progress progress("cache");
    o.progress = progress;
    const fs::path dir = fs::absolute(fs::path(store->filesDir()) / "caches");
    fs::create_directories(dir);
    const std::string file = (dir / (fileSafe(*setName) + "_" + std::to_string(size) + "x" +
                                     std::to_string(size) + "x" + std::to_string(channels) + ".rmcache"))
                                 .lexically_normal()
                                 .string();
    const CacheBuildReport built = buildDecodedCache(file, items, o);
    progress.finish(std::to_string(built.ok) + " images, " + std::to_string(built.count - built.ok) +
                    " failed");

    nlohmann::json params = {{"crop_fraction", crop},
                             {"ok", built.ok},
                             {"missing", built.missing},
                             {"corrupt", built.corrupt},
                             {"failed", built.failed}};
    store->db()
        .prepare(
            "INSERT INTO image_caches(target_set_id, path, width, height, channels, record_count, "
            "params_json, "
            "created_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(target_set_id, width, height, channels) "
            "DO UPDATE SET path = excluded.path, record_count = excluded.record_count, "
            "params_json = excluded.params_json, created_at = excluded.created_at")
        .bind(1, report.id)
        .bind(2, file)
        .bind(3, static_cast<std::int64_t>(size))
        .bind(4, static_cast<std::int64_t>(size))
        .bind(5, static_cast<std::int64_t>(channels))
        .bind(6, built.count)
        .bind(7, params.dump())
        .bind(8, nowIso8601())
        .run();

    nlohmann::json errors = nlohmann::json::array();
    std::string text = "decoded-image cache " + file + "\n  " + std::to_string(built.ok) + " of " +
                       std::to_string(built.count) + " images (" + std::to_string(size) + "x" +
                       std::to_string(size) + "x" + std::to_string(channels) + ") in " +
                       std::to_string(built.seconds) + " s";
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
