// ringminer-cli catalog import / list / show / export
#include "Cli.h"

#include "catalog/CatalogReader.h"
#include "query/CatalogView.h"
#include "store/CatalogImport.h"
#include "store/ProjectStore.h"
#include "targets/ProjectExport.h"
#include "util/Error.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <map>

using namespace rm;
using namespace rm::cli;

static CatalogFormat parseFormat(const std::string& s)
{
    if (s == "auto") return CatalogFormat::Auto;
    if (s == "csv") return CatalogFormat::Csv;
    if (s == "fits") return CatalogFormat::Fits;
    if (s == "whitespace" || s == "txt") return CatalogFormat::Whitespace;
    if (s == "votable" || s == "vot") return CatalogFormat::VoTable;
    throw UsageError("--format must be auto, csv, fits, votable or whitespace");
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
    Progress readProgress("importing " + file);
    opt.progress = [&](std::size_t d, std::size_t t) { return readProgress(d, t); };
    // Parsed and stored a chunk of rows at a time in one transaction: nothing is kept if anything fails.
    ImportedCatalog cat;
    std::int64_t id = 0;
    try {
        id = importCatalogFile(*store, *name, file, opt, role, labelColumn, &cat);
    } catch (const InputError& e) {
        // Name the way out: the user chooses between fixing the file and skipping the bad rows (a label
        // cell the store refused already says that nothing was imported).
        if (e.reason().find("nothing was imported") != std::string::npos) throw;
        throw InputError(
            e.file(), e.row(), e.column(),
            e.reason() + (opt.onBadRow == BadRowPolicy::Abort && e.row() > 0
                              ? "\nnothing was imported; fix the row or re-run with --skip-bad to leave bad "
                                "rows out"
                              : "\nnothing was imported"));
    }
    for (const auto& issue : cat.skipped)
        std::fprintf(stderr, "skipped: %s\n", issue.message().c_str());
    for (const auto& note : cat.notes)
        std::fprintf(stderr, "note: %s\n", note.c_str());
    if (!cat.positionNote.empty()) std::fprintf(stderr, "%s\n", cat.positionNote.c_str());

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
                  {"position_note", cat.positionNote},
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

// The columns --columns names (every catalog column when not given; the position leads every row anyway).
static std::vector<int> shownColumns(const ViewSource& source, const std::optional<std::string>& names)
{
    std::vector<int> out;
    if (!names) {
        for (std::size_t c = 0; c < source.columns.size(); ++c)
            if (source.columns[c].sql != source.raSql && source.columns[c].sql != source.decSql)
                out.push_back(int(c));
        return out;
    }
    std::size_t b = 0;
    while (b <= names->size()) {
        std::size_t e = names->find(',', b);
        if (e == std::string::npos) e = names->size();
        std::string name = names->substr(b, e - b);
        name.erase(0, name.find_first_not_of(" \t"));
        name.erase(name.find_last_not_of(" \t") + 1);
        b = e + 1;
        if (name.empty()) continue;
        const int c = source.columnIndex(name);
        if (c < 0) {
            std::string known;
            for (const auto& col : source.columns)
                known += (known.empty() ? "" : ", ") + col.name;
            throw UsageError("--columns: no column '" + name + "' in catalog '" + source.name +
                             "' (columns: " + known + ")");
        }
        out.push_back(c);
    }
    if (out.empty()) throw UsageError("--columns needs at least one column name");
    return out;
}

static nlohmann::json cellJson(const ViewCell& cell)
{
    if (const auto* i = std::get_if<std::int64_t>(&cell)) return *i;
    if (const auto* d = std::get_if<double>(&cell)) return *d;
    if (const auto* t = std::get_if<std::string>(&cell)) return *t;
    return nullptr;
}

static int catalogShow(const Args& args)
{
    args.allowOnly({"limit", "where", "columns"}, {});
    auto store = ProjectStore::open(args.positional(0, "PROJECT"));
    const CatalogInfo c = store->catalog(args.positional(1, "CATALOG"));
    const long long limit = args.integer("limit", 10);
    if (limit < 0) throw UsageError("--limit must be 0 (every matching row) or more");
    const std::string where = args.option("where", "");
    const ViewSource source = catalogViewSource(c);
    const std::vector<int> shown = shownColumns(source, args.option("columns"));

    // The catalog browser's filter and queries: the same rows, in the same order.
    ViewOrder order;
    try {
        order.filter = compileFilter(where, source.filterColumns());
    } catch (const FilterError& e) {
        // Every message names the position (most say "at character N" already), and the caret shows it.
        const std::string at = "at character " + std::to_string(e.position());
        const std::string what = e.what();
        throw Error("bad --where filter" + (what.find(at) == std::string::npos ? " " + at : std::string()) +
                    ": " + what + "\n    " + where + "\n    " +
                    std::string(std::size_t(std::max(e.position(), 1) - 1), ' ') + "^");
    }
    CatalogQuery query(*store);
    const ViewKeys keys =
        order.filter.empty() ? ViewKeys::natural(source.rowCount) : query.keys(source, order);
    const std::int64_t count =
        limit == 0 ? keys.count : std::min<std::int64_t>(keys.count, static_cast<std::int64_t>(limit));
    std::vector<ViewRow> rows;
    rows.reserve(std::size_t(count));
    constexpr std::int64_t kBatch = 500;
    for (std::int64_t b = 0; b < count; b += kBatch) {
        const std::int64_t e = std::min(count, b + kBatch);
        std::vector<ViewRow> read;
        if (keys.keys.empty()) {
            read = query.rowsByKeyRange(source, b, e - 1, true);
        } else {
            read = query.rowsByKeys(source, {keys.keys.begin() + b, keys.keys.begin() + e}, true);
            // Back in view order (IN (...) returns rows in any order).
            std::map<std::int64_t, std::size_t> at;
            for (std::int64_t i = b; i < e; ++i)
                at[keys.keys[std::size_t(i)]] = std::size_t(i - b);
            std::sort(read.begin(), read.end(),
                      [&](const ViewRow& x, const ViewRow& y) { return at[x.key] < at[y.key]; });
        }
        std::move(read.begin(), read.end(), std::back_inserter(rows));
    }

    std::string text =
        c.name + ": " + std::to_string(c.rowCount) + " rows from " + c.sourcePath + "\ncolumns:";
    nlohmann::json cols = nlohmann::json::array();
    for (const auto& [n, t] : c.columns) {
        text += " " + n + "(" + columnTypeName(t) + ")";
        cols.push_back({{"name", n}, {"type", columnTypeName(t)}});
    }
    text += "\n";
    if (!order.filter.empty())
        text +=
            std::to_string(keys.count) + " of " + std::to_string(c.rowCount) + " rows match " + where + "\n";
    // Every printed row starts with the stored row number and position (degrees), then the chosen columns.
    const ViewColumn position{"", "", ColumnType::Real, 6};
    text += "row | ra_deg | dec_deg";
    for (int i : shown)
        text += " | " + source.columns[std::size_t(i)].name;
    text += "\n";
    nlohmann::json records = nlohmann::json::array();
    for (const ViewRow& r : rows) {
        text += std::to_string(r.row) + " | " + formatViewCell(r.ra, position) + " | " +
                formatViewCell(r.dec, position);
        nlohmann::json record = {{"row", r.row}, {"ra_deg", r.ra}, {"dec_deg", r.dec}};
        for (int i : shown) {
            const ViewCell& cell = r.cells[std::size_t(i)];
            text += " | " + formatViewCell(cell, source.columns[std::size_t(i)]);
            record[source.columns[std::size_t(i)].name] = cellJson(cell);
        }
        text += "\n";
        records.push_back(std::move(record));
    }
    if (std::int64_t(rows.size()) < keys.count)
        std::fprintf(stderr, "showing %zu of %lld%s rows (--limit N, 0 for all)\n", rows.size(),
                     static_cast<long long>(keys.count), order.filter.empty() ? "" : " matching");
    printSummary(args,
                 {{"ok", true},
                  {"catalog", c.name},
                  {"rows", c.rowCount},
                  {"columns", cols},
                  {"where", where},
                  {"matched", keys.count},
                  {"shown", rows.size()},
                  {"records", records}},
                 text);
    return 0;
}

static int catalogExport(const Args& args)
{
    args.allowOnly({"out"}, {});
    auto store = ProjectStore::open(args.positional(0, "PROJECT"));
    const std::string name = args.positional(1, "CATALOG");
    const auto out = args.option("out");
    if (!out) throw UsageError("missing --out FILE (.vot, .csv or .fits)");
    const ExportFormat format = exportFormatForPath(*out);
    const ExportTable table = catalogExportTable(*store, name);
    writeTable(*out, table, format);
    printSummary(args,
                 {{"ok", true},
                  {"catalog", name},
                  {"rows", table.table.rowCount()},
                  {"columns", table.table.columnCount()},
                  {"format", exportFormatName(format)},
                  {"out", *out}},
                 "wrote " + std::to_string(table.table.rowCount()) + " rows of catalog '" + name + "' to " +
                     *out + " (" + exportFormatName(format) + ")");
    return 0;
}

static VerbRegistrar importVerb(
    {"catalog import",
     "PROJECT FILE --name NAME [--role other|rings|images|parent|labelled] [--label-column COL] [--ra COL "
     "--dec COL | "
     "--iau-name COL] [--format auto|csv|fits|votable|whitespace] [--hdu N] [--skip-bad] [--json]",
     "import a CSV, FITS, VOTable or whitespace catalog (--hdu: FITS HDU or VOTable TABLE number); a bad "
     "row aborts (nothing imported) unless --skip-bad",
     {"skip-bad"},
     catalogImport});
static VerbRegistrar
    listVerb({"catalog list", "PROJECT [--json]", "list the project's catalogs", {}, catalogList});
static VerbRegistrar
    showVerb({"catalog show",
              "PROJECT CATALOG [--where EXPR] [--columns A,B,C] [--limit N] [--json]",
              "show a catalog's first N rows (10; 0 = all), or those matching a filter in the "
              "catalog browser's language: --where \"z < 0.05 and OV != ''\" (_ra, _dec: "
              "positions)",
              {},
              catalogShow});
static VerbRegistrar
    exportVerb({"catalog export",
                "PROJECT CATALOG --out FILE.vot|FILE.csv|FILE.fits [--json]",
                "write a catalog (with its positions as _RAJ2000/_DEJ2000) as a VOTable, CSV or "
                "FITS table",
                {},
                catalogExport});
