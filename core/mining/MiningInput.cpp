#include "mining/MiningInput.h"

#include "catalog/ScoringCatalog.h"
#include "sources/FileNameTemplate.h"
#include "sources/ImageSource.h"
#include "store/ProjectStore.h"
#include "util/Error.h"
#include "util/Sha256.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace rm {

namespace {

std::string columnList(const Table& table)
{
    std::string s;
    for (const Column& c : table.columns)
        s += (s.empty() ? "" : ", ") + c.name;
    return s;
}

} // namespace

std::string MiningInput::id(std::size_t row) const
{
    return table.columns[static_cast<std::size_t>(idColumn)].text(row);
}

std::vector<GalaxyRef> MiningInput::galaxies() const
{
    std::vector<GalaxyRef> out;
    out.reserve(table.rowCount());
    for (std::size_t i = 0; i < table.rowCount(); ++i) {
        GalaxyRef g = GalaxyRef::fromTable(table, i);
        g.ra = ra[i];
        g.dec = dec[i];
        out.push_back(std::move(g));
    }
    return out;
}

int findIdColumn(const Table& table, const std::optional<std::string>& asked)
{
    if (asked) {
        const int c = table.columnIndex(*asked);
        if (c < 0)
            throw Error("the catalog has no column '" + *asked + "' (columns: " + columnList(table) + ")");
        return c;
    }
    for (const char* name : {"iauname", "id_str", "objid", "dr7objid", "GalaxyID", "JID", "id", "name",
                             "Names", "PGCName", "file"}) {
        const int c = table.columnIndex(name);
        if (c >= 0) return c;
    }
    return 0;
}

MiningInput readMiningInput(const std::string& path, const std::optional<std::string>& idColumn,
                            const std::function<bool(std::size_t, std::size_t)>& progress)
{
    ImportOptions io;
    io.onBadRow = BadRowPolicy::Skip;
    io.progress = progress;
    ScoringCatalog read = importCatalogForScoring(path, io);
    ImportedCatalog& catalog = read.catalog;
    MiningInput in;
    in.label = "file '" + path + "'";
    in.path = fs::absolute(path).lexically_normal().string();
    in.sha256 = sha256File(path);
    in.table = std::move(catalog.table);
    in.ra = std::move(catalog.ra);
    in.dec = std::move(catalog.dec);
    in.sourceRow = std::move(catalog.sourceRow);
    in.hasPositions = read.hasPositions;
    in.skipped = std::move(catalog.skipped);
    if (in.table.columns.empty()) throw InputError(path, 0, {}, "the catalog has no columns");
    in.idColumn = findIdColumn(in.table, idColumn);
    in.idName = in.table.columns[static_cast<std::size_t>(in.idColumn)].name;
    return in;
}

MiningInput readMiningInput(ProjectStore& store, const std::string& catalogName,
                            const std::optional<std::string>& idColumn)
{
    const CatalogInfo info = store.catalog(catalogName);
    MiningInput in;
    in.label = "catalog '" + info.name + "'";
    in.path = info.sourcePath;
    in.table = store.loadTable(info.id);
    const CatalogPositions p = store.positions(info.id);
    in.ra = p.ra;
    in.dec = p.dec;
    in.hasPositions = true;
    in.sourceRow.resize(in.table.rowCount());
    for (std::size_t i = 0; i < in.sourceRow.size(); ++i)
        in.sourceRow[i] = i + 1;
    std::error_code ec;
    if (fs::is_regular_file(info.sourcePath, ec)) {
        in.sha256 = sha256File(info.sourcePath);
    } else {
        // The imported file is gone: hash what the project holds instead.
        Sha256 h;
        for (std::size_t r = 0; r < in.table.rowCount(); ++r)
            for (const Column& c : in.table.columns) {
                const std::string t = c.text(r) + '\x1f';
                h.update(t.data(), t.size());
            }
        in.sha256 = h.hexDigest();
    }
    if (in.table.columns.empty()) throw Error("catalog '" + info.name + "' has no columns");
    in.idColumn = findIdColumn(in.table, idColumn);
    in.idName = in.table.columns[static_cast<std::size_t>(in.idColumn)].name;
    return in;
}

void checkImageSource(const ImageSource& source, const MiningInput& input, std::size_t sample)
{
    const nlohmann::json spec = source.spec();
    const std::string pattern = spec.value("template", std::string());
    const std::string where = source.kind() + " source" +
                              (spec.contains("dir") ? " in '" + spec.value("dir", std::string()) + "'" : "") +
                              (pattern.empty() ? "" : " with template '" + pattern + "'");
    if (!pattern.empty()) {
        const FileNameTemplate t(pattern);
        GalaxyRef probe;
        for (const Column& c : input.table.columns)
            probe.set(c.name, "");
        for (const std::string& column : t.columns())
            if (!probe.value(column))
                throw Error("the image template '" + pattern + "' names column '" + column + "', which " +
                            input.label + " does not have (columns: " + columnList(input.table) + ")");
    }
    const std::size_t n = std::min(sample, input.table.rowCount());
    if (n == 0) return;
    std::string first;
    for (std::size_t i = 0; i < n; ++i) {
        GalaxyRef g = GalaxyRef::fromTable(input.table, i);
        g.ra = input.ra[i];
        g.dec = input.dec[i];
        try {
            if (source.probe(g) != ImagePresence::Missing) return;
            if (first.empty())
                first = "row " + std::to_string(input.sourceRow[i]) + " (" + input.idName + " " +
                        input.id(i) + ") looks for '" + source.locate(g) + "', which does not exist";
        } catch (const std::exception& e) {
            if (first.empty()) first = "row " + std::to_string(input.sourceRow[i]) + ": " + e.what();
        }
    }
    throw Error("none of the first " + std::to_string(n) + " rows of " + input.label +
                " has an image in the " + where + ": " + first);
}

} // namespace rm
