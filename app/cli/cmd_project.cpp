// ringminer-cli project new / project info
#include "Cli.h"

#include "store/ProjectStore.h"
#include "targets/TargetSetBuilder.h"

using namespace rm;
using namespace rm::cli;

static int projectNew(const Args& args)
{
    args.allowOnly({}, {});
    const std::string path = args.positional(0, "PROJECT");
    auto store = ProjectStore::create(path);
    printSummary(args, {{"ok", true}, {"project", path}, {"schema_version", store->schemaVersion()}},
                 "created project " + path);
    return 0;
}

static int projectInfo(const Args& args)
{
    args.allowOnly({}, {});
    const std::string path = args.positional(0, "PROJECT");
    auto store = ProjectStore::open(path);
    nlohmann::json cats = nlohmann::json::array();
    std::string text = "project " + path + " (schema " + std::to_string(store->schemaVersion()) + ")\n";
    for (const auto& c : store->catalogs()) {
        cats.push_back({{"name", c.name}, {"rows", c.rowCount}, {"role", catalogRoleName(c.role)}});
        text += "  catalog " + c.name + ": " + std::to_string(c.rowCount) + " rows (" +
                catalogRoleName(c.role) + ")\n";
    }
    auto sets = targetSetNames(*store);
    for (const auto& s : sets)
        text += "  target set " + s + "\n";
    printSummary(args, {{"ok", true}, {"project", path}, {"catalogs", cats}, {"target_sets", sets}}, text);
    return 0;
}

static VerbRegistrar
    newVerb({"project new", "PROJECT [--json]", "create an empty project file", {}, projectNew});
static VerbRegistrar infoVerb(
    {"project info", "PROJECT [--json]", "summarise a project's catalogs and target sets", {}, projectInfo});
