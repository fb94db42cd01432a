// ringminer-cli catalog import / list / show
#include "Cli.h"

#include "catalog/CatalogReader.h"
#include "store/ProjectStore.h"
#include "util/Error.h"

#include <cstdio>
#include <iostream>

using namespace rm;
using namespace rm::cli;

static CatalogFormat parseFormat(const std::string& s)
{
    if (s == "auto") return CatalogFormat::Auto;
    if (s == "csv") return CatalogFormat::Csv;
    if (s == "fits") return CatalogFormat::Fits;
    if (s == "whitespace" || s == "txt") return CatalogFormat::Whitespace;
    throw UsageError("--format must be auto, csv, fits or whitespace");
}

static int catalogImport(const Args& args)
{
    args.allowOnly({"name", "ra", "dec", "iau-name", "format", "role", "label-column", "hdu"}, {"skip-bad"});
    const std::string path = args.positional(0, "PROJECT");
    const std::string file = args.positional(1, "FILE");
    const auto name = args.option("name");
    if (!name) throw UsageError("missing --name NAME");
    const CatalogRole role = parseCatalogRole(args.option("role", "other"));
    const std::string labelColumn = args.option("label-column", "");
    if (role == CatalogRole::Labelled && labelColumn.empty())
        throw UsageError("--role labelled needs --label-column COLUMN");

    auto store = ProjectStore::open(path);
    store->requireWritable("an imported catalog"); // before reading a million rows for nothing
    if (store->hasCatalog(*name)) throw Error("the project already has a catalog named '" + *name + "'");

    ImportOptions opt;
    opt.format = parseFormat(args.option("format", "auto"));
    opt.raColumn = args.option("ra", "");
    opt.decColumn = args.option("dec", "");
    opt.iauNameColumn = args.option("iau-name", "");
    opt.onBadRow = args.flag("skip-bad") ? BadRowPolicy::Skip : BadRowPolicy::Abort;
    opt.fitsHdu = static_cast<int>(args.integer("hdu", 0));
    Progress readProgress("reading " + file);
    opt.progress = [&](std::size_t d, std::size_t t) { return readProgress(d, t); };
    ImportedCatalog cat;
    try {
        cat = importCatalog(file, opt);
    } catch (const InputError& e) {
        // Name the way out: the user chooses between fixing the file and skipping the bad rows.
        throw Error(
            std::string(e.what()) +
            (opt.onBadRow == BadRowPolicy::Abort && e.row() > 0
                 ? "\nnothing was imported; fix the row or re-run with --skip-bad to leave bad rows out"
                 : ""));
    }
    for (const auto& issue : cat.skipped)
        std::fprintf(stderr, "skipped: %s\n", issue.message().c_str());

    Progress storeProgress("storing " + *name);
    const std::int64_t id = store->addCatalog(
        *name, cat, role, labelColumn, [&](std::size_t d, std::size_t t) { return storeProgress(d, t); });
    const CatalogInfo info = store->catalog(id);
    std::string text = "imported " + std::to_string(info.rowCount) + " rows into catalog '" + info.name +
                       "' (" + std::to_string(cat.skipped.size()) + " skipped); positions from " +
                       info.position.raColumn +
                       (info.position.decColumn.empty() ? "" : "/" + info.position.decColumn);
    printSummary(args,
                 {{"ok", true},
                  {"catalog", info.name},
                  {"id", id},
                  {"rows", info.rowCount},
                  {"skipped", cat.skipped.size()},
                  {"notes", cat.notes},
                  {"columns", info.columns.size()},
                  {"format", info.format},
                  {"role", catalogRoleName(info.role)},
                  {"ra_column", info.position.raColumn},
                  {"dec_column", info.position.decColumn}},
                 text);
    return 0;
}

static int catalogList(const Args& args)
{
    args.allowOnly({}, {});
    auto store = ProjectStore::open(args.positional(0, "PROJECT"));
    nlohmann::json list = nlohmann::json::array();
    std::string text;
    char line[512];
    std::snprintf(line, sizeof line, "%-24s %10s %8s %9s  %s\n", "name", "rows", "columns", "role", "source");
    text += line;
    for (const auto& c : store->catalogs()) {
        list.push_back({{"name", c.name},
                        {"id", c.id},
                        {"rows", c.rowCount},
                        {"skipped", c.skippedRows},
                        {"columns", c.columns.size()},
                        {"role", catalogRoleName(c.role)},
                        {"label_column", c.labelColumn},
                        {"source", c.sourcePath},
                        {"imported_at", c.importedAt}});
        std::snprintf(line, sizeof line, "%-24s %10zu %8zu %9s  %s\n", c.name.c_str(), c.rowCount,
                      c.columns.size(), catalogRoleName(c.role), c.sourcePath.c_str());
        text += line;
    }
    printSummary(args, {{"ok", true}, {"catalogs", list}}, text);
    return 0;
}

static int catalogShow(const Args& args)
{
    args.allowOnly({"limit"}, {});
    auto store = ProjectStore::open(args.positional(0, "PROJECT"));
    const CatalogInfo c = store->catalog(args.positional(1, "CATALOG"));
    const long long limit = args.integer("limit", 10);
    std::string text =
        c.name + ": " + std::to_string(c.rowCount) + " rows from " + c.sourcePath + "\ncolumns:";
    nlohmann::json cols = nlohmann::json::array();
    for (const auto& [n, t] : c.columns) {
        text += " " + n + "(" + columnTypeName(t) + ")";
        cols.push_back({{"name", n}, {"type", columnTypeName(t)}});
    }
    text += "\n";
    Statement s = store->db().prepare("SELECT * FROM " + c.tableName + " ORDER BY _rm_row LIMIT ?");
    s.bind(1, static_cast<std::int64_t>(limit));
    // A header over every printed value: the stored row number, position and source row come first.
    auto header = [](const std::string& stored) -> std::string {
        if (stored == "_rm_row") return "row";
        if (stored == "_rm_ra") return "ra_deg";
        if (stored == "_rm_dec") return "dec_deg";
        if (stored == "_rm_src") return "file_row";
        return stored;
    };
    for (int i = 0; i < s.columnCount(); ++i)
        text += (i ? " | " : "") + header(s.columnName(i));
    text += "\n";
    while (s.step()) {
        for (int i = 0; i < s.columnCount(); ++i)
            text += (i ? " | " : "") + s.text(i);
        text += "\n";
    }
    printSummary(args, {{"ok", true}, {"catalog", c.name}, {"rows", c.rowCount}, {"columns", cols}}, text);
    return 0;
}

static VerbRegistrar importVerb(
    {"catalog import",
     "PROJECT FILE --name NAME [--role other|rings|images|parent|labelled] [--label-column COL] [--ra COL "
     "--dec COL | "
     "--iau-name COL] [--format auto|csv|fits|whitespace] [--hdu N] [--skip-bad] [--json]",
     "import a CSV, FITS or whitespace catalog; a bad row aborts (nothing imported) unless --skip-bad",
     {"skip-bad"},
     catalogImport});
static VerbRegistrar
    listVerb({"catalog list", "PROJECT [--json]", "list the project's catalogs", {}, catalogList});
static VerbRegistrar showVerb({"catalog show",
                               "PROJECT CATALOG [--limit N] [--json]",
                               "show a catalog's columns and first rows",
                               {},
                               catalogShow});
