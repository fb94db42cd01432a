#include "cache/TargetSetCache.h"

#include "cache/DecodedCache.h"
#include "sources/CutoutImageSource.h"
#include "sources/ImageSource.h"
#include "store/ProjectStore.h"
#include "targets/TargetSetBuilder.h"
#include "util/Error.h"

#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>

namespace fs = std::filesystem;

namespace rm {

namespace {

// Characters safe in a file name; the rest of a target-set name becomes '_'.
std::string fileSafe(const std::string& s)
{
    std::string out;
    for (char c : s)
        out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.') ? c : '_';
    return out;
}

} // namespace

std::string targetCacheKey(const Target& target)
{
    return std::to_string(target.catalogId) + ":" + std::to_string(target.row);
}

TargetSetImageCheck checkTargetSetImages(ProjectStore& store, const std::string& targetSet)
{
    std::map<std::int64_t, std::size_t> perCatalog;
    for (const auto& t : loadTargets(store, targetSet))
        ++perCatalog[t.catalogId];
    TargetSetImageCheck check;
    for (const auto& [catalogId, count] : perCatalog) {
        const CatalogInfo info = store.catalog(catalogId);
        const std::string who =
            "catalog '" + info.name + "' (" + std::to_string(count) + " targets of '" + targetSet + "')";
        const auto spec = store.imageSourceSpec(catalogId);
        if (!spec) {
            check.missing.push_back(
                who + " has no image source; set one with: ringminer-cli cutouts source " + store.path() +
                " " + info.name +
                " --folder DIR --template '{iauname}.jpg' (or --spec '{\"kind\": \"legacysurvey\"}' to "
                "download)");
            continue;
        }
        std::string kind;
        try {
            kind = nlohmann::json::parse(*spec).value("kind", "");
        } catch (const nlohmann::json::exception&) {
            kind = "unreadable spec";
        }
        if (kind != "folder" && kind != "fits")
            check.needsNetwork.push_back(who + " downloads its cutouts (" + kind +
                                         "): needs network unless they are cached (ringminer-cli cutouts "
                                         "fetch)");
    }
    return check;
}

TargetSetImageCheck addImageWarnings(ProjectStore& store, TargetSetReport& report)
{
    TargetSetImageCheck check = checkTargetSetImages(store, report.name);
    for (const auto& m : check.missing)
        report.warnings.push_back("cannot train yet: " + m);
    for (const auto& n : check.needsNetwork)
        report.warnings.push_back(n);
    return check;
}

TargetSetCacheResult buildTargetSetCache(ProjectStore& store, const std::string& targetSet,
                                         const TargetSetCacheOptions& options)
{
    const std::string path = store.path();
    const TargetSetReport report = targetSetReport(store, targetSet);
    const std::vector<Target> targets = loadTargets(store, targetSet);
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
        const CatalogInfo info = store.catalog(t.catalogId);
        const auto spec = store.imageSourceSpec(t.catalogId);
        if (!spec)
            throw Error("catalog '" + info.name + "' (targets of '" + targetSet +
                        "') has no image source; set one with: ringminer-cli cutouts source " + path + " " +
                        info.name + " --folder DIR --template '{iauname}.jpg'");
        CatalogImages ci;
        ci.source = makeImageSource(*spec, ctx);
        ci.table = store.loadTable(t.catalogId);
        catalogs.emplace(t.catalogId, std::move(ci));
    }
    std::vector<GalaxyRef> galaxies;
    std::vector<const ImageSource*> sources;
    TargetSetCacheResult result;
    galaxies.reserve(targets.size());
    for (const auto& t : targets) {
        const CatalogImages& ci = catalogs.at(t.catalogId);
        if (t.row < 0 || static_cast<std::size_t>(t.row) >= ci.table.rowCount())
            throw Error("target set '" + targetSet + "' names row " + std::to_string(t.row) + " of catalog " +
                        std::to_string(t.catalogId) + ", which has " + std::to_string(ci.table.rowCount()) +
                        " rows");
        GalaxyRef g = GalaxyRef::fromTable(ci.table, static_cast<std::size_t>(t.row), t.catalogId);
        g.ra = t.ra;
        g.dec = t.dec;
        galaxies.push_back(std::move(g));
        result.keys.push_back(targetCacheKey(t));
        sources.push_back(ci.source.get());
    }
    std::vector<CacheItem> items;
    items.reserve(galaxies.size());
    for (std::size_t i = 0; i < galaxies.size(); ++i)
        items.push_back({result.keys[i], {}, [src = sources[i], g = &galaxies[i]] { return src->load(*g); }});

    CacheBuildOptions o;
    o.prepare = options.prepare;
    o.threads = options.threads;
    o.extra = {
        {"target_set", targetSet}, {"target_set_id", report.id}, {"project", fs::absolute(path).string()}};
    o.progress = options.progress;
    const fs::path dir = fs::absolute(fs::path(store.filesDir()) / "caches");
    fs::create_directories(dir);
    const std::string shape = std::to_string(options.prepare.width) + "x" +
                              std::to_string(options.prepare.height) + "x" +
                              std::to_string(options.prepare.channels);
    // A cropped cache is a different file, so it never replaces the uncropped one training uses.
    std::string name = fileSafe(targetSet) + "_" + shape;
    if (options.prepare.cropFraction != 1.0) {
        char crop[32];
        std::snprintf(crop, sizeof crop, "_crop%.3g", options.prepare.cropFraction);
        name += crop;
    }
    result.path = (dir / (name + ".rmcache")).lexically_normal().string();
    result.report = buildDecodedCache(result.path, items, o);
    const CacheBuildReport& built = result.report;

    const nlohmann::json params = {{"crop_fraction", options.prepare.cropFraction},
                                   {"ok", built.ok},
                                   {"missing", built.missing},
                                   {"corrupt", built.corrupt},
                                   {"failed", built.failed}};
    store.db()
        .prepare("INSERT INTO image_caches(target_set_id, path, width, height, channels, record_count, "
                 "params_json, created_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?) "
                 "ON CONFLICT(target_set_id, width, height, channels) "
                 "DO UPDATE SET path = excluded.path, record_count = excluded.record_count, "
                 "params_json = excluded.params_json, created_at = excluded.created_at")
        .bind(1, report.id)
        .bind(2, result.path)
        .bind(3, options.prepare.width)
        .bind(4, options.prepare.height)
        .bind(5, options.prepare.channels)
        .bind(6, built.count)
        .bind(7, params.dump())
        .bind(8, nowIso8601())
        .run();
    return result;
}

std::shared_ptr<DecodedCache> findTargetSetCache(ProjectStore& store, const std::string& targetSet,
                                                 const PrepareParams& prepare)
{
    const int width = prepare.width, height = prepare.height, channels = prepare.channels;
    const double cropFraction = prepare.cropFraction;
    const TargetSetReport report = targetSetReport(store, targetSet);
    Statement s = store.db().prepare("SELECT path FROM image_caches WHERE target_set_id = ? AND width = ? "
                                     "AND height = ? AND channels = ?");
    s.bind(1, report.id).bind(2, width).bind(3, height).bind(4, channels);
    if (!s.step()) return nullptr;
    std::string path = s.text(0);
    if (!fs::exists(path)) {
        // A project moved to another folder or machine (a GPU node, say) brings its caches along in its files
        // folder, where the recorded absolute path no longer leads: look there by file name.
        const fs::path moved =
            fs::absolute(fs::path(store.filesDir()) / "caches") / fs::path(path).filename();
        if (!fs::exists(moved)) return nullptr;
        path = moved.string();
    }
    std::shared_ptr<DecodedCache> cache;
    try {
        cache = DecodedCache::open(path);
    } catch (const Error&) {
        return nullptr;
    }
    const double crop = cache->params().value("crop_fraction", 1.0);
    if (std::fabs(crop - cropFraction) > 1e-9) return nullptr;
    const std::vector<Target> targets = loadTargets(store, targetSet);
    if (cache->size() != targets.size()) return nullptr;
    for (std::size_t i = 0; i < targets.size(); ++i)
        if (cache->key(i) != targetCacheKey(targets[i])) return nullptr;
    return cache;
}

} // namespace rm
