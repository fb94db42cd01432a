// ringminer-cli cutouts source: show or set where a catalog's images come from (the image_sources table), so
// the browser, the decoded-image cache and training can find them. The spec is checked by building the source
// and looking for the first rows' images before it is stored.
#include "Cli.h"

#include "sources/CutoutImageSource.h"
#include "sources/FileNameTemplate.h"
#include "sources/GalaxyRef.h"
#include "sources/ImageSource.h"
#include "store/ProjectStore.h"
#include "util/Error.h"

#include <cctype>
#include <filesystem>

using namespace rm;
using namespace rm::cli;
namespace fs = std::filesystem;

namespace {

// Template columns match the way GalaxyRef::value finds them: exactly, else ignoring case.
bool hasColumn(const Table& table, const std::string& name)
{
    auto lower = [](std::string s) {
        for (char& c : s)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return s;
    };
    for (const auto& c : table.columns)
        if (lower(c.name) == lower(name)) return true;
    return false;
}

int cutoutsSource(const Args& args)
{
    args.allowOnly({"spec", "folder", "fits", "template", "check"}, {"allow-missing"});
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
        const auto stored = store->imageSourceSpec(cat.id);
        if (!stored) {
            printSummary(args, {{"ok", true}, {"catalog", cat.name}, {"spec", nullptr}},
                         "catalog " + cat.name + " has no image source");
            return 0;
        }
        printSummary(args, {{"ok", true}, {"catalog", cat.name}, {"spec", nlohmann::json::parse(*stored)}},
                     "catalog " + cat.name + ": " + *stored);
        return 0;
    }

    store->requireWritable("an image source");
    auto source = makeImageSource(spec, ctx); // throws with the reason for a bad spec
    const Table table = store->loadTable(cat.id);
    // A template column the catalog does not have can never find an image.
    if (spec.contains("template") && spec["template"].is_string()) {
        std::string known;
        for (const auto& c : table.columns)
            known += (known.empty() ? "" : ", ") + c.name;
        for (const std::string& column : FileNameTemplate(spec["template"].get<std::string>()).columns())
            if (!hasColumn(table, column))
                throw Error("the template '" + spec["template"].get<std::string>() + "' names column '" +
                            column + "', which catalog " + cat.name + " does not have (it has: " + known +
                            "); nothing was stored");
    }
    // Look for the images of the first rows: a wrong template shows up now rather than at training time.
    const long long check = args.integer("check", 20);
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
    // A source that finds none of the rows it could look for is a mistake (wrong folder or template), not
    // something to store and discover at training time; --allow-missing stores it anyway (images to come).
    if (checked > 0 && present == 0 && !firstMissing.empty() && !args.flag("allow-missing"))
        throw Error(
            "none of the first " + std::to_string(checked) + " rows of catalog " + cat.name +
            " has an image there (first looked for: " + firstMissing +
            "); check --folder and --template, or add --allow-missing to store it anyway; nothing was "
            "stored");
    store->setImageSourceSpec(cat.id, source->spec().dump());
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
     "[--allow-missing] [--json]",
     "show or set where a catalog's images come from (folder of JPEG/PNG, FITS cutouts, or a cutout "
     "service); "
     "refuses a source that finds none of the first rows' images unless --allow-missing",
     {"allow-missing"},
     cutoutsSource});
