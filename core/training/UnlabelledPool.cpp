#include "training/UnlabelledPool.h"

#include "cache/DecodedCache.h"
#include "cache/DecodedCacheBuilder.h"
#include "cache/TargetSetCache.h"
#include "sources/CutoutImageSource.h"
#include "sources/ImageSource.h"
#include "store/ProjectStore.h"
#include "targets/TargetSetBuilder.h"
#include "training/TargetImages.h"
#include "util/Error.h"
#include "util/Random.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <map>

namespace fs = std::filesystem;

namespace rm {

namespace {

bool isImageFile(const fs::path& p)
{
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext == ".jpg" || ext == ".jpeg" || ext == ".png";
}

// The catalogs' tables and image sources the items load through; must outlive the cache build.
struct CatalogImages
{
    std::unique_ptr<ImageSource> source;
    std::vector<GalaxyRef> galaxies;
};

std::uint64_t hashText(const std::string& text)
{
    std::uint64_t h = 0x9e3779b97f4a7c15ull;
    for (unsigned char c : text) {
        std::uint64_t state = h ^ c;
        h = splitMix64(state);
    }
    return h;
}

} // namespace

UnlabelledPool loadUnlabelledPool(ProjectStore& store, const std::vector<std::string>& specs,
                                  const UnlabelledPoolOptions& options)
{
    if (specs.empty()) throw Error("unlabelled pool: no image source given");
    const fs::path projectDir = fs::absolute(store.path()).parent_path();
    registerCutoutImageSources();
    ImageSourceContext ctx;
    ctx.baseDir = projectDir.string();
    ctx.cacheDir = fs::absolute(store.path()).string() + ".files/cutouts";

    std::vector<CacheItem> items;
    std::vector<std::unique_ptr<CatalogImages>> catalogs;
    std::map<std::string, std::size_t> seen; // key -> item, so a galaxy named twice is one record
    auto add = [&](CacheItem item) {
        if (seen.count(item.key)) return;
        seen.emplace(item.key, items.size());
        items.push_back(std::move(item));
    };
    for (const std::string& spec : specs) {
        if (spec.rfind("catalog:", 0) == 0) {
            const std::string name = spec.substr(8);
            CatalogInfo info;
            try {
                info = store.catalog(name);
            } catch (const Error& e) {
                throw Error("unlabelled source '" + spec + "': " + e.what());
            }
            const auto sourceSpec = store.imageSourceSpec(info.id);
            if (!sourceSpec)
                throw Error("unlabelled source '" + spec + "': catalog '" + name +
                            "' has no image source; set one with: ringminer-cli cutouts source " +
                            store.path() + " " + name + " --folder DIR --template '{file}'");
            auto ci = std::make_unique<CatalogImages>();
            ci->source = makeImageSource(*sourceSpec, ctx);
            const Table table = store.loadTable(info.id);
            ci->galaxies.reserve(table.rowCount());
            for (std::size_t row = 0; row < table.rowCount(); ++row)
                ci->galaxies.push_back(GalaxyRef::fromTable(table, row, info.id));
            for (const GalaxyRef& g : ci->galaxies)
                add({std::to_string(info.id) + ":" + std::to_string(g.row),
                     {},
                     [src = ci->source.get(), ref = &g] { return src->load(*ref); }});
            catalogs.push_back(std::move(ci));
        } else if (spec.rfind("folder:", 0) == 0) {
            fs::path dir = spec.substr(7);
            if (dir.is_relative()) dir = projectDir / dir;
            dir = dir.lexically_normal();
            std::error_code ec;
            if (!fs::is_directory(dir, ec))
                throw Error("unlabelled source '" + spec + "': '" + dir.string() + "' is not a folder");
            std::vector<std::string> files;
            for (const auto& entry : fs::directory_iterator(dir, ec))
                if (entry.is_regular_file() && isImageFile(entry.path()))
                    files.push_back(entry.path().string());
            if (ec)
                throw Error("unlabelled source '" + spec + "': cannot list '" + dir.string() +
                            "': " + ec.message());
            if (files.empty())
                throw Error("unlabelled source '" + spec + "': '" + dir.string() +
                            "' holds no .jpg, .jpeg or .png");
            std::sort(files.begin(), files.end());
            for (const auto& f : files)
                add({"folder:" + f, f, {}});
        } else {
            throw Error("unlabelled source '" + spec + "' is neither \"catalog:NAME\" nor \"folder:PATH\"");
        }
    }

    std::string all = options.shape.text();
    for (const auto& item : items)
        all += "\n" + item.key;
    char hash[17];
    std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(hashText(all)));
    const fs::path dir = fs::absolute(fs::path(store.filesDir()) / "caches");
    fs::create_directories(dir);
    const std::string path =
        (dir /
         ("unlabelled_" + std::string(hash) + "_" + std::to_string(options.shape.width) + "x" +
          std::to_string(options.shape.height) + "x" + std::to_string(options.shape.channels) + ".rmcache"))
            .string();

    UnlabelledPool pool;
    std::shared_ptr<DecodedCache> cache;
    if (fs::exists(path)) {
        try {
            cache = DecodedCache::open(path);
            bool same = cache->size() == items.size() && cache->width() == options.shape.width &&
                        cache->height() == options.shape.height &&
                        cache->channels() == options.shape.channels;
            for (std::size_t i = 0; same && i < items.size(); ++i)
                same = cache->key(i) == items[i].key;
            if (!same) cache.reset();
        } catch (const Error&) {
            cache.reset(); // broken or stale: build it again
        }
    }
    if (!cache) {
        if (options.log)
            options.log("building the decoded-image cache of the unlabelled pool (" +
                        std::to_string(items.size()) + " images, " + options.shape.text() + ")");
        CacheBuildOptions o;
        o.prepare = PrepareParams{options.shape, 1.0};
        o.threads = options.threads;
        o.progress = options.progress;
        o.extra = {{"unlabelled", specs}};
        buildDecodedCache(path, items, o);
        cache = DecodedCache::open(path);
        pool.built = true;
    }
    pool.cache = cache;
    for (std::size_t i = 0; i < cache->size(); ++i)
        (cache->available(i) ? pool.records.push_back(i) : void(++pool.unavailable));
    if (pool.records.empty())
        throw Error(
            "unlabelled pool: none of its " + std::to_string(cache->size()) + " images could be decoded" +
            (cache->size() > 0 ? " (e.g. " + cache->key(0) + ": " + cache->error(0) + ")" : std::string()));
    if (options.log) {
        std::string text = "unlabelled pool: " + std::to_string(pool.records.size()) + " images";
        if (pool.unavailable > 0) text += " (" + std::to_string(pool.unavailable) + " could not be decoded)";
        options.log(text);
    }
    return pool;
}

std::vector<std::size_t> withoutKeys(const UnlabelledPool& pool, const std::set<std::string>& keys)
{
    std::vector<std::size_t> out;
    out.reserve(pool.records.size());
    for (std::size_t i : pool.records)
        if (!keys.count(pool.cache->key(i))) out.push_back(i);
    return out;
}

void addUnlabelled(TrainData& data, const UnlabelledPool& pool, const TargetImages& images,
                   const std::vector<std::size_t>& evaluated, bool includeEvaluated,
                   const std::function<void(const std::string&)>& log)
{
    data.unlabelled = pool.cache;
    if (includeEvaluated) {
        data.unlabelledRecords = pool.records;
        return;
    }
    std::set<std::string> keys;
    for (std::size_t r : evaluated)
        keys.insert(targetCacheKey(images.targets.at(r)));
    data.unlabelledRecords = withoutKeys(pool, keys);
    if (log)
        log("unlabelled pool: " + std::to_string(pool.records.size() - data.unlabelledRecords.size()) +
            " of the " + std::to_string(evaluated.size()) +
            " evaluation galaxies were in it and are left out (include_eval_folds false); " +
            std::to_string(data.unlabelledRecords.size()) + " images remain");
    if (data.unlabelledRecords.empty())
        throw Error("unlabelled pool: nothing is left once the evaluation galaxies are left out");
}

} // namespace rm
