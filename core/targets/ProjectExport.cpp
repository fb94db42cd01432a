#include "targets/ProjectExport.h"

#include "store/ProjectStore.h"
#include "targets/TargetSetBuilder.h"
#include "util/Error.h"

#include <map>

namespace rm {

namespace {

constexpr const char* kRaUcd = "pos.eq.ra;meta.main";
constexpr const char* kDecUcd = "pos.eq.dec;meta.main";

// The galaxy columns every per-target table starts with: catalog, row, _RAJ2000, _DEJ2000.
class TargetRows
{
public:
    TargetRows(ProjectStore& store, ExportTable& out) : m_store(store), m_out(out)
    {
        Table& t = out.table;
        t.addColumn("catalog", ColumnType::Text);
        t.addColumn("row", ColumnType::Integer);
        t.addColumn("_RAJ2000", ColumnType::Real, "deg");
        t.addColumn("_DEJ2000", ColumnType::Real, "deg");
        out.ucds = {"", "", kRaUcd, kDecUcd};
    }
    void addColumn(const std::string& name, ColumnType type, const std::string& ucd = {})
    {
        m_out.table.addColumn(name, type);
        m_out.ucds.push_back(ucd);
    }
    // Appends the galaxy's four columns; the caller appends the rest of the row.
    void append(const Target& g)
    {
        auto it = m_names.find(g.catalogId);
        if (it == m_names.end()) it = m_names.emplace(g.catalogId, m_store.catalog(g.catalogId).name).first;
        Table& t = m_out.table;
        t.columns[0].appendText(it->second);
        t.columns[1].appendInteger(g.row);
        t.columns[2].appendReal(g.ra);
        t.columns[3].appendReal(g.dec);
    }

private:
    ProjectStore& m_store;
    ExportTable& m_out;
    std::map<std::int64_t, std::string> m_names;
};

} // namespace

ExportTable catalogExportTable(ProjectStore& store, const std::string& catalog)
{
    const CatalogInfo info = store.catalog(catalog);
    Table stored = store.loadTable(info.id);
    const CatalogPositions positions = store.positions(info.id);
    ExportTable out;
    out.name = info.name;
    out.description = "RingMiner catalog '" + info.name + "' imported from " + info.sourcePath +
                      "; _RAJ2000/_DEJ2000 are the positions the project uses (degrees, J2000)";
    const bool ownNames = info.position.kind == PositionKind::Degrees &&
                          info.position.raColumn == "_RAJ2000" && info.position.decColumn == "_DEJ2000";
    if (!ownNames) {
        // Another column with one of these names would make the file ambiguous: ours get a suffix.
        const bool clash = stored.columnIndex("_RAJ2000") >= 0 || stored.columnIndex("_DEJ2000") >= 0;
        Column& ra = out.table.addColumn(clash ? "_RAJ2000_rm" : "_RAJ2000", ColumnType::Real, "deg");
        ra.reals = positions.ra;
        ra.null.assign(positions.ra.size(), 0);
        Column& dec = out.table.addColumn(clash ? "_DEJ2000_rm" : "_DEJ2000", ColumnType::Real, "deg");
        dec.reals = positions.dec;
        dec.null.assign(positions.dec.size(), 0);
        out.ucds = {kRaUcd, kDecUcd};
    }
    for (Column& c : stored.columns) {
        std::string ucd;
        if (ownNames && c.name == "_RAJ2000") ucd = kRaUcd, c.unit = "deg";
        if (ownNames && c.name == "_DEJ2000") ucd = kDecUcd, c.unit = "deg";
        out.ucds.push_back(ucd);
        out.table.columns.push_back(std::move(c));
    }
    return out;
}

ExportTable targetSetExportTable(ProjectStore& store, const std::string& targetSet)
{
    const std::vector<Target> targets = loadTargets(store, targetSet);
    ExportTable out;
    out.name = targetSet;
    out.description = "RingMiner target set '" + targetSet + "': label 1 = ring, 0 = not ring";
    TargetRows rows(store, out);
    rows.addColumn("label", ColumnType::Integer);
    rows.addColumn("split", ColumnType::Text);
    rows.addColumn("origin", ColumnType::Text);
    Table& t = out.table;
    for (const Target& g : targets) {
        rows.append(g);
        t.columns[4].appendInteger(g.label);
        t.columns[5].appendText(splitName(g.split));
        g.origin.empty() ? t.columns[6].appendNull() : t.columns[6].appendText(g.origin);
    }
    return out;
}

ExportTable predictionsExportTable(ProjectStore& store, const std::string& targetSet,
                                   const std::vector<ScoredTarget>& scored)
{
    const std::vector<Target> targets = loadTargets(store, targetSet);
    ExportTable out;
    TargetRows rows(store, out);
    rows.addColumn("split", ColumnType::Text);
    rows.addColumn("label", ColumnType::Integer);
    rows.addColumn("p_ring", ColumnType::Real, "stat.probability");
    Table& t = out.table;
    for (const ScoredTarget& s : scored) {
        if (s.targetIdx < 0 || s.targetIdx >= static_cast<std::int64_t>(targets.size()))
            throw Error("a prediction for target " + std::to_string(s.targetIdx) + ", but target set '" +
                        targetSet + "' has " + std::to_string(targets.size()) +
                        " (was it built again since?)");
        rows.append(targets[static_cast<std::size_t>(s.targetIdx)]);
        t.columns[4].appendText(s.split);
        t.columns[5].appendInteger(s.label);
        t.columns[6].appendReal(s.score);
    }
    return out;
}

} // namespace rm
