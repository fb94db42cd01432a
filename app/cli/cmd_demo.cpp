// ringminer-cli demo make: the built-in demo project. A synthetic survey with known truth (JPEG cutouts and
// three catalogs) plus DIR/demo.rmproj holding those catalogs and a ready target set, so the workbench can be
// tried with no network and no shared data.
#include "Cli.h"

#include "catalog/CatalogReader.h"
#include "imaging/DemoSurvey.h"
#include "store/ProjectStore.h"
#include "targets/TargetSetBuilder.h"
#include "util/Error.h"

#include <cstdio>
#include <filesystem>

using namespace rm;
using namespace rm::cli;

namespace {

std::size_t count(const Args& args, const char* name, long long fallback)
{
    const long long v = args.integer(name, fallback);
    if (v < 0 || v > 1000000) throw UsageError(std::string("--") + name + " must be 0..1000000");
    return static_cast<std::size_t>(v);
}

int demoMake(const Args& args)
{
    args.allowOnly({"rings", "non-rings", "size", "seed", "threads"}, {});
    const std::string dir = args.positional(0, "DIR");
    DemoSurveyOptions o;
    o.outDir = dir;
    o.rings = count(args, "rings", 200);
    o.nonRings = count(args, "non-rings", 200);
    o.imageSize = static_cast<int>(args.integer("size", 256));
    o.seed = static_cast<std::uint64_t>(args.integer("seed", 42));
    o.threads = static_cast<unsigned>(args.integer("threads", 0));
    if (o.rings == 0) throw UsageError("--rings must be at least 1: the demo target set needs positives");

    // Fail before spending time on images when the project is already there.
    const std::string project = (std::filesystem::path(dir) / "demo.rmproj").string();
    if (std::filesystem::exists(project))
        throw Error(project + " already exists: remove it (and its folder) or choose another DIR");

    Progress progress("rendering demo survey");
    o.progress = [&](std::size_t d, std::size_t t) { return progress(d, t); };
    const DemoSurveyResult survey = makeDemoSurvey(o);
    progress.finish(std::to_string(survey.images) + " images");

    auto store = ProjectStore::create(project);
    struct Entry
    {
        const char* name;
        const std::string* path;
        CatalogRole role;
        const char* labelColumn;
    };
    nlohmann::json catalogs = nlohmann::json::object();
    const nlohmann::json imageSource = {{"kind", "folder"}, {"dir", "images"}, {"template", "{file}"}};
    for (const Entry& e : {Entry{"rings", &survey.ringsCatalog, CatalogRole::Rings, ""},
                           Entry{"parent", &survey.parentCatalog, CatalogRole::Parent, ""},
                           Entry{"labelled", &survey.labelledCatalog, CatalogRole::Labelled, "ring"}}) {
        ImportOptions io;
        io.raColumn = "ra";
        io.decColumn = "dec";
        const ImportedCatalog cat = importCatalog(*e.path, io);
        const std::int64_t id = store->addCatalog(e.name, cat, e.role, e.labelColumn);
        // Every demo catalog's images are in the same folder: "dir" is relative to the project's folder (so
        // the demo folder can be moved) and the `file` column names each image.
        store->setImageSourceSpec(id, imageSource.dump());
        catalogs[e.name] = cat.table.rowCount();
    }
    store->setMeta("demo.image_source", imageSource.dump());
    store->setMeta("demo.seed", std::to_string(o.seed));
    store->setMeta("demo.image_size", std::to_string(o.imageSize));

    // The demo target set: the ring catalog against negatives from the parent catalog, matched in magnitude
    // (ring hosts are a little brighter by construction, so the matching has work to do).
    nlohmann::json targets;
    if (o.nonRings > 0) {
        TargetSetSpec spec;
        spec.name = "demo";
        spec.rings = "rings";
        spec.negatives = "parent";
        spec.matchColumn = "mag";
        spec.seed = o.seed;
        const TargetSetReport report = buildTargetSet(*store, spec, [](const std::string& line) {
            std::fprintf(stderr, "targets: %s\n", line.c_str());
        });
        targets = report.toJson();
    }

    const double rate = survey.seconds > 0 ? survey.images / survey.seconds : 0;
    char text[512];
    std::snprintf(
        text, sizeof text,
        "demo survey in %s: %zu rings and %zu non-rings, %zu images of %d px in %.1f s (%.0f images/s)\n"
        "project %s with catalogs rings, parent, labelled%s",
        dir.c_str(), o.rings, o.nonRings, survey.images, o.imageSize, survey.seconds, rate, project.c_str(),
        o.nonRings > 0 ? " and target set demo" : "");
    printSummary(args,
                 {{"ok", true},
                  {"dir", dir},
                  {"project", project},
                  {"images", survey.images},
                  {"image_dir", std::filesystem::absolute(survey.imageDir).string()},
                  {"image_source", imageSource},
                  {"image_size", o.imageSize},
                  {"seed", o.seed},
                  {"catalogs", catalogs},
                  {"catalog_files",
                   {{"rings", survey.ringsCatalog},
                    {"parent", survey.parentCatalog},
                    {"labelled", survey.labelledCatalog}}},
                  {"target_set", targets},
                  {"seconds", survey.seconds},
                  {"images_per_second", rate}},
                 text);
    return 0;
}

} // namespace

static VerbRegistrar
    demoVerb({"demo make",
              "DIR [--rings N] [--non-rings N] [--size PX] [--seed S] [--threads N] [--json]",
              "make the built-in demo project: a synthetic survey with known truth (JPEG cutouts, "
              "ring/parent/labelled catalogs) and DIR/demo.rmproj with a target set",
              {},
              demoMake});
