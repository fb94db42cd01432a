// ringminer-cli cutouts source: show or set where a catalog's images come from (the image_sources table), so
// the browser, the decoded-image cache and training can find them. The spec is checked by building the source
// and looking for the first rows' images before it is stored.
#include "Cli.h"

#include "imaging/CutoutImageSource.h"
#include "imaging/GalaxyRef.h"
#include "imaging/ImageSource.h"
#include "store/ProjectStore.h"
#include "util/Error.h"

#include <filesystem>

using namespace rm;
using namespace rm::cli;
namespace fs = std::filesystem;

namespace {

std::optional<std::string> storedSpecText(ProjectStore& store, std::int64_t catalogId)
{
    Statement s = store.db().prepare("SELECT spec_json FROM image_sources WHERE catalog_id = ?");
    s.bind(1, catalogId);
    if (!s.step()) return std::nullopt;
    return s.text(0);
}

int cutoutsSource(const Args& args)
{
    args.allowOnly({"spec", "folder", "fits", "template", "check"}, {});
    const std::string path = args.positional(0, "PROJECT");
    const std::string catalogName = args.positional(1, "CATALOG");
    auto store = ProjectStore::open(path);
    const CatalogInfo cat = store->catalog(catalogName);
    registerCutoutImageSources();
    ImageSourceContext ctx;
    ctx.baseDir = fs::absolute(path).parent_path().string();
    ctx.cacheDir = fs::absolute(path).string() + ".files/cutouts";

    nlohmann::json spec;
    const auto folder = args.option("folder"), fitsDir = args.option("fits"), specText = args.option("spec");
    if (int(bool(folder)) + int(bool(fitsDir)) + int(bool(specText)) > 1)
        throw UsageError("give one of --spec, --folder or --fits");
    if (folder || fitsDir) {
        const auto pattern = args.option("template");
        if (!pattern) throw UsageError("--folder and --fits need --template, e.g. '{iauname}.jpg'");
        // A folder named on the command line is relative to where the command runs, so it is stored absolute.
        spec = {{"kind", folder ? "folder" : "fits"},
                {"dir", fs::absolute(folder ? *folder : *fitsDir).lexically_normal().string()},
                {"template", *pattern}};
    } else if (specText) {
        try {
            spec = nlohmann::json::parse(*specText);
        } catch (const nlohmann::json::exception& e) {
            throw UsageError(std::string("--spec is not valid JSON: ") + e.what());
        }
    } else {
        const auto stored = storedSpecText(*store, cat.id);
        if (!stored) {
            printSummary(args, {{"ok", true}, {"catalog", cat.name}, {"spec", nullptr}},
                         "catalog " + cat.name + " has no image source");
            return 0;
        }
        printSummary(args, {{"ok", true}, {"catalog", cat.name}, {"spec", nlohmann::json::parse(*stored)}},
                     "catalog " + cat.name + ": " + *stored);
        return 0;
    }

    auto source = makeImageSource(spec, ctx); // throws with the reason for a bad spec
    // Look for the images of the first rows: a wrong template shows up now rather than at training time.
    const long long check = args.integer("check", 20);
    const Table table = store->loadTable(cat.id);
    const CatalogPositions pos = store->positions(cat.id);
    std::size_t checked = 0, present = 0;
    std::string firstMissing;
    for (std::size_t row = 0;
         row < table.rowCount() && checked < static_cast<std::size_t>(std::max(0LL, check));
         ++row, ++checked) {
        GalaxyRef g = GalaxyRef::fromTable(table, row, cat.id);
        g.ra = pos.ra[row];
        g.dec = pos.dec[row];
        const ImagePresence p = source->probe(g);
        if (p == ImagePresence::Present)
            ++present;
        else if (p == ImagePresence::Missing && firstMissing.empty()) {
            try {
                firstMissing = source->locate(g);
            } catch (const Error& e) {
                firstMissing = e.what();
            }
        }
    }
    store->db()
        .prepare("INSERT INTO image_sources(catalog_id, spec_json) VALUES(?, ?) "
                 "ON CONFLICT(catalog_id) DO UPDATE SET spec_json = excluded.spec_json")
        .bind(1, cat.id)
        .bind(2, source->spec().dump())
        .run();
    std::string text = "catalog " + cat.name + ": image source " + source->spec().dump() + "\n  " +
                       std::to_string(present) + " of the first " + std::to_string(checked) +
                       " rows have an image";
    if (!firstMissing.empty()) text += " (first missing: " + firstMissing + ")";
    printSummary(args,
                 {{"ok", true},
                  {"catalog", cat.name},
                  {"spec", source->spec()},
                  {"checked", checked},
                  {"present", present},
                  {"first_missing", firstMissing}},
                 text);
    return 0;
}

} // namespace

static VerbRegistrar sourceVerb(
    {"cutouts source",
     "PROJECT CATALOG [--folder DIR --template T | --fits DIR --template T | --spec JSON] [--check N] "
     "[--json]",
     "show or set where a catalog's images come from (folder of JPEG/PNG, FITS cutouts, or a cutout service)",
     {},
     cutoutsSource});
