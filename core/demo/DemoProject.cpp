#include "demo/DemoProject.h"

#include "catalog/CatalogReader.h"
#include "store/ProjectStore.h"
#include "util/Error.h"

#include <filesystem>

namespace rm {

std::string demoProjectPath(const std::string& dir)
{
    return (std::filesystem::path(dir) / "demo.rmproj").string();
}

DemoProjectResult makeDemoProject(const DemoSurveyOptions& options,
                                  const std::function<void(const std::string&)>& log)
{
    if (options.rings == 0) throw Error("the demo needs at least one ring: its target set needs positives");
    DemoProjectResult out;
    out.project = demoProjectPath(options.outDir);
    // Fail before spending time on images when the project is already there.
    if (std::filesystem::exists(out.project))
        throw Error(out.project + " already exists: remove it (and its folder) or choose another folder");

    out.survey = makeDemoSurvey(options);

    auto store = ProjectStore::create(out.project);
    struct Entry
    {
        const char* name;
        const std::string* path;
        CatalogRole role;
        const char* labelColumn;
    };
    // Every demo catalog's images are in the same folder: "dir" is relative to the project's folder (so the
    // demo folder can be moved) and the `file` column names each image.
    out.imageSource = {{"kind", "folder"}, {"dir", "images"}, {"template", "{file}"}};
    for (const Entry& e : {Entry{"rings", &out.survey.ringsCatalog, CatalogRole::Rings, ""},
                           Entry{"parent", &out.survey.parentCatalog, CatalogRole::Parent, ""},
                           Entry{"labelled", &out.survey.labelledCatalog, CatalogRole::Labelled, "ring"}}) {
        ImportOptions io;
        io.raColumn = "ra";
        io.decColumn = "dec";
        const ImportedCatalog cat = importCatalog(*e.path, io);
        const std::int64_t id = store->addCatalog(e.name, cat, e.role, e.labelColumn);
        store->setImageSourceSpec(id, out.imageSource.dump());
        out.rows[e.name] = static_cast<std::int64_t>(cat.table.rowCount());
    }
    store->setMeta("demo.image_source", out.imageSource.dump());
    store->setMeta("demo.seed", std::to_string(options.seed));
    store->setMeta("demo.image_size", std::to_string(options.imageSize));

    // The demo target set: the ring catalog against negatives from the parent catalog, matched in magnitude
    // (ring hosts are a little brighter by construction, so the matching has work to do).
    if (options.nonRings > 0) {
        TargetSetSpec spec;
        spec.name = "demo";
        spec.rings = "rings";
        spec.negatives = "parent";
        spec.matchColumn = "mag";
        spec.seed = options.seed;
        out.targetSet = buildTargetSet(*store, spec, [&](const std::string& line) {
            if (log) log(line);
        });
        out.hasTargetSet = true;
    }
    return out;
}

} // namespace rm
