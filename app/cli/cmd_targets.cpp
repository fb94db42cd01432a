// ringminer-cli targets build / show / list
#include "Cli.h"

#include "cache/TargetSetCache.h"
#include "store/LabelStore.h"
#include "store/ProjectStore.h"
#include "targets/LabelConflicts.h"
#include "targets/ProjectExport.h"
#include "targets/TargetSetBuilder.h"

#include <cstdio>
#include <iostream>

using namespace rm;
using namespace rm::cli;

static std::string reportText(const TargetSetReport& r)
{
    std::string text = "target set " + r.name + "\n";
    char buf[512];
    for (const auto& s : r.steps) {
        std::snprintf(buf, sizeof buf, "  %-72s %8zu\n", s.what.c_str(), s.count);
        text += buf;
    }
    std::snprintf(buf, sizeof buf, "  %-6s %8s %10s %8s\n", "split", "ring", "not ring", "total");
    text += buf;
    std::size_t ring = 0, not_ring = 0;
    for (int sp = 0; sp < 3; ++sp) {
        std::snprintf(buf, sizeof buf, "  %-6s %8zu %10zu %8zu\n", splitName(sp), r.counts[sp][1],
                      r.counts[sp][0], r.counts[sp][0] + r.counts[sp][1]);
        text += buf;
        ring += r.counts[sp][1];
        not_ring += r.counts[sp][0];
    }
    std::snprintf(buf, sizeof buf, "  %-6s %8zu %10zu %8zu\n", "all", ring, not_ring, ring + not_ring);
    text += buf;
    for (const auto& w : r.warnings)
        text += "  warning: " + w + "\n";
    return text;
}

static int targetsBuild(const Args& args)
{
    args.allowOnly({"name", "rings", "images", "labelled", "radius", "negatives", "ratio", "exclusion-radius",
                    "match-column", "match-bins", "train", "val", "seed", "duplicate-radius"},
                   {"ignore-hand-labels"});
    auto store = ProjectStore::open(args.positional(0, "PROJECT"));
    store->requireWritable("a target set");
    TargetSetSpec spec;
    spec.name = args.option("name", "");
    if (spec.name.empty()) throw UsageError("missing --name NAME");
    spec.rings = args.option("rings", "");
    spec.images = args.option("images", "");
    spec.labelled = args.option("labelled", "");
    spec.radiusArcsec = args.number("radius", spec.radiusArcsec);
    spec.duplicateRadiusArcsec = args.number("duplicate-radius", spec.duplicateRadiusArcsec);
    spec.negatives = args.option("negatives", "");
    spec.negativesPerPositive = args.number("ratio", spec.negativesPerPositive);
    spec.exclusionRadiusArcsec = args.number("exclusion-radius", spec.exclusionRadiusArcsec);
    spec.matchColumn = args.option("match-column", "");
    spec.matchBins = static_cast<int>(args.integer("match-bins", spec.matchBins));
    spec.trainFraction = args.number("train", spec.trainFraction);
    spec.valFraction = args.number("val", spec.valFraction);
    spec.seed = static_cast<std::uint64_t>(args.integer("seed", static_cast<long long>(spec.seed)));
    spec.useHandLabels = !args.flag("ignore-hand-labels");
    TargetSetReport r = buildTargetSet(
        *store, spec, [](const std::string& line) { std::fprintf(stderr, "targets: %s\n", line.c_str()); });
    // Whether the set can be trained from here is known now: say so before a train finds out.
    const TargetSetImageCheck images = addImageWarnings(*store, r);
    nlohmann::json j = r.toJson();
    j["ok"] = true;
    j["id"] = r.id;
    j["trainable_offline"] = images.missing.empty() && images.needsNetwork.empty();
    j["images_missing"] = images.missing;
    j["images_need_network"] = images.needsNetwork;
    printSummary(args, j, reportText(r));
    return 0;
}

static int targetsShow(const Args& args)
{
    args.allowOnly({}, {});
    auto store = ProjectStore::open(args.positional(0, "PROJECT"));
    TargetSetReport r = targetSetReport(*store, args.positional(1, "NAME"));
    nlohmann::json j = r.toJson();
    j["ok"] = true;
    j["spec"] = targetSetSpec(*store, r.name).toJson();
    printSummary(args, j, reportText(r));
    return 0;
}

static int targetsList(const Args& args)
{
    args.allowOnly({}, {});
    auto store = ProjectStore::open(args.positional(0, "PROJECT"));
    nlohmann::json list = nlohmann::json::array();
    std::string text;
    for (const auto& name : targetSetNames(*store)) {
        TargetSetReport r = targetSetReport(*store, name);
        list.push_back({{"name", name}, {"total", r.total()}});
        text += name + ": " + std::to_string(r.total()) + " galaxies\n";
    }
    printSummary(args, {{"ok", true}, {"target_sets", list}}, text);
    return 0;
}

static int targetsExport(const Args& args)
{
    args.allowOnly({"out"}, {});
    auto store = ProjectStore::open(args.positional(0, "PROJECT"));
    const std::string name = args.positional(1, "TARGET_SET");
    const auto out = args.option("out");
    if (!out) throw UsageError("missing --out FILE (.vot, .csv or .fits)");
    const ExportFormat format = exportFormatForPath(*out);
    const ExportTable table = targetSetExportTable(*store, name);
    writeTable(*out, table, format);
    printSummary(args,
                 {{"ok", true},
                  {"target_set", name},
                  {"rows", table.table.rowCount()},
                  {"format", exportFormatName(format)},
                  {"out", *out}},
                 "wrote " + std::to_string(table.table.rowCount()) + " galaxies of target set '" + name +
                     "' to " + *out + " (" + exportFormatName(format) + ")");
    return 0;
}

static VerbRegistrar
    exportVerb({"targets export",
                "PROJECT TARGET_SET --out FILE.vot|FILE.csv|FILE.fits [--json]",
                "write a target set (catalog, row, position, label, split) as a VOTable, CSV "
                "or FITS table",
                {},
                targetsExport});

static int targetsConflicts(const Args& args)
{
    args.allowOnly({"target-set", "radius", "author"}, {"accept-catalogs"});
    const std::string path = args.positional(0, "PROJECT");
    auto store = ProjectStore::open(path);
    const std::string set = args.option("target-set", "");
    if (set.empty()) throw UsageError("missing --target-set NAME");
    const double radius = args.number("radius", 5.0);
    const bool accept = args.flag("accept-catalogs");
    if (accept) store->requireWritable("hand labels");
    const std::vector<TargetLabelConflict> conflicts = targetLabelConflicts(*store, set, radius);
    const std::vector<CatalogInfo> catalogs = store->catalogs();
    const auto catalogName = [&](std::int64_t id) {
        for (const CatalogInfo& info : catalogs)
            if (info.id == id) return info.name;
        return "catalog " + std::to_string(id);
    };
    nlohmann::json list = nlohmann::json::array();
    char within[32];
    std::snprintf(within, sizeof within, "%g\"", radius);
    std::string text = std::to_string(conflicts.size()) + " label conflict(s) in target set " + set +
                       " within " + within + ":";
    std::size_t labelled = 0;
    LabelStore labels(store->db());
    const std::string author = args.option("author", "ringminer-cli");
    for (const TargetLabelConflict& c : conflicts) {
        list.push_back({{"target_idx", c.targetIdx},
                        {"catalog_id", c.catalogId},
                        {"row", c.row},
                        {"ra", c.ra},
                        {"dec", c.dec},
                        {"label", c.label},
                        {"other_catalog", c.otherCatalog},
                        {"other_row", c.otherRow},
                        {"other_label", c.otherLabel},
                        {"separation_arcsec", c.separationArcsec},
                        {"description", c.description}});
        char pos[64];
        std::snprintf(pos, sizeof pos, "%10.5f %+9.5f", c.ra, c.dec);
        text += "\n  target " + std::to_string(c.targetIdx) + " (" + catalogName(c.catalogId) + " row " +
                std::to_string(c.row) + ")  " + pos + "  " + c.description;
        if (accept) {
            // The other catalog's word becomes a hand label: history keeps who decided, and the target set
            // takes it when built again.
            labels.set({c.catalogId, c.row}, c.ra, c.dec, c.otherLabel ? HandLabel::Ring : HandLabel::NotRing,
                       "", author);
            ++labelled;
        }
    }
    if (accept)
        text += "\n" + std::to_string(labelled) +
                " galaxies hand-labelled as the other catalog says (author '" + author +
                "'); rebuild the target set to train on them: ringminer-cli targets build " + path +
                " --name NEW_NAME ...";
    else if (!conflicts.empty())
        text += "\nreview them in the workbench (Review queue: Catalogs disagree), or take the other "
                "catalogs' word with --accept-catalogs";
    printSummary(args,
                 {{"ok", true},
                  {"target_set", set},
                  {"radius_arcsec", radius},
                  {"count", conflicts.size()},
                  {"hand_labelled", labelled},
                  {"conflicts", list}},
                 text);
    return 0;
}

static VerbRegistrar conflictsVerb(
    {"targets conflicts",
     "PROJECT --target-set NAME [--radius ARCSEC] [--accept-catalogs [--author NAME]] [--json]",
     "galaxies whose label in the target set disagrees with another catalog of the project (a rings catalog, "
     "or a labelled one) within the radius (default 5\"); --accept-catalogs hand-labels each as the other "
     "catalog says",
     {"accept-catalogs"},
     targetsConflicts});

static VerbRegistrar buildVerb(
    {"targets build",
     "PROJECT --name NAME (--rings CAT [--images CAT] [--radius ARCSEC] | --labelled CAT) [--negatives CAT] "
     "[--ratio N] [--exclusion-radius ARCSEC] [--match-column COL] [--match-bins N] [--train F] [--val F] "
     "[--seed S] [--ignore-hand-labels] [--json]",
     "build a labelled target set with stratified train/val/test splits, reporting the counts at every step",
     {"ignore-hand-labels"},
     targetsBuild});
static VerbRegistrar showVerb({"targets show",
                               "PROJECT NAME [--json]",
                               "counts per class and split of a target set, and how it was built",
                               {},
                               targetsShow});
static VerbRegistrar
    listVerb({"targets list", "PROJECT [--json]", "list the project's target sets", {}, targetsList});
