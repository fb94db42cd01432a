#include "query/CatalogView.h"

#include "store/Database.h"
#include "store/ProjectStore.h"
#include "targets/TargetSetBuilder.h"
#include "util/Error.h"

#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace rm {

namespace {

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

struct SqlQuery
{
    std::string sql;
    std::vector<SqlParam> params;
};

Statement prepared(Database& db, const SqlQuery& q)
{
    Statement s = db.prepare(q.sql);
    int i = 1;
    for (const SqlParam& p : q.params) {
        std::visit([&](const auto& v) { s.bind(i, v); }, p);
        ++i;
    }
    return s;
}

std::string whereClause(const ViewSource& source, const std::string& condition)
{
    if (source.scope.empty() && condition.empty()) return {};
    if (source.scope.empty()) return " WHERE " + condition;
    if (condition.empty()) return " WHERE " + source.scope;
    return " WHERE " + source.scope + " AND " + condition;
}

// Result columns: key, catalog id, row, ra, dec, then (withColumns) every source column.
constexpr int kRowsFixedColumns = 5;

std::string rowsSelect(const ViewSource& source, bool withColumns)
{
    std::string sql = "SELECT " + source.keySql + ", " + source.catalogIdSql + ", " + source.rowSql + ", " +
                      source.raSql + ", " + source.decSql;
    if (withColumns)
        for (const auto& c : source.columns)
            sql += ", " + c.sql;
    return sql + " FROM " + source.from;
}

// A target set's keys come with their galaxies (they span catalogs); a catalog's key is its row.
bool keysHaveGalaxies(const ViewSource& source)
{
    return source.kind == ViewSource::Kind::TargetSet;
}

// SELECT key [, catalog id, row] ... WHERE scope AND filter ORDER BY column, key.
SqlQuery viewKeysQuery(const ViewSource& source, const ViewOrder& order)
{
    const CompiledFilter& filter = order.filter;
    SqlQuery q;
    q.sql = "SELECT " + source.keySql;
    if (keysHaveGalaxies(source)) q.sql += ", " + source.catalogIdSql + ", " + source.rowSql;
    q.sql += " FROM " + source.from +
             whereClause(source, filter.empty() ? std::string() : "(" + filter.where + ")");
    q.sql += " ORDER BY ";
    if (order.sortColumn >= 0 && order.sortColumn < int(source.columns.size()))
        q.sql +=
            source.columns[std::size_t(order.sortColumn)].sql + (order.descending ? " DESC, " : " ASC, ");
    q.sql += source.keySql + (order.descending && order.sortColumn < 0 ? " DESC" : "");
    q.params = source.scopeParams;
    q.params.insert(q.params.end(), filter.params.begin(), filter.params.end());
    return q;
}

SqlQuery rowsByKeysQuery(const ViewSource& source, const std::vector<std::int64_t>& keys, bool withColumns)
{
    SqlQuery q;
    std::string in = source.keySql + " IN (";
    for (std::size_t i = 0; i < keys.size(); ++i)
        in += i ? ",?" : "?";
    in += ")";
    q.sql = rowsSelect(source, withColumns) + whereClause(source, in);
    q.params = source.scopeParams;
    for (std::int64_t k : keys)
        q.params.emplace_back(k);
    return q;
}

SqlQuery rowsByKeyRangeQuery(const ViewSource& source, std::int64_t firstKey, std::int64_t lastKey,
                             bool withColumns)
{
    SqlQuery q;
    q.sql = rowsSelect(source, withColumns) + whereClause(source, source.keySql + " BETWEEN ? AND ?") +
            " ORDER BY " + source.keySql;
    q.params = source.scopeParams;
    q.params.emplace_back(firstKey);
    q.params.emplace_back(lastKey);
    return q;
}

std::vector<ViewRow> readRows(Statement& s, const ViewSource& source, bool withColumns)
{
    std::vector<ViewRow> out;
    const std::size_t columns = withColumns ? source.columns.size() : 0;
    while (s.step()) {
        ViewRow r;
        r.key = s.integer(0);
        r.catalogId = s.integer(1);
        r.row = s.integer(2);
        r.ra = s.real(3);
        r.dec = s.real(4);
        r.cells.resize(columns);
        for (std::size_t c = 0; c < columns; ++c) {
            const int i = int(c) + kRowsFixedColumns;
            if (s.isNull(i)) continue;
            switch (source.columns[c].type) {
            case ColumnType::Integer:
                r.cells[c] = s.integer(i);
                break;
            case ColumnType::Real:
                r.cells[c] = s.real(i);
                break;
            case ColumnType::Text:
                r.cells[c] = s.text(i);
                break;
            }
        }
        out.push_back(std::move(r));
    }
    return out;
}

// Installs the abandon hook as the connection's progress handler for one query.
class ProgressHook
{
public:
    ProgressHook(Database& db, const std::function<bool()>& abandon) : m_db(db), m_abandon(abandon)
    {
        if (m_abandon) sqlite3_progress_handler(m_db.handle(), 20000, &ProgressHook::poll, this);
    }
    ~ProgressHook()
    {
        if (m_abandon) sqlite3_progress_handler(m_db.handle(), 0, nullptr, nullptr);
    }
    ProgressHook(const ProgressHook&) = delete;
    ProgressHook& operator=(const ProgressHook&) = delete;

    bool abandoned() const { return m_abandoned; }

private:
    static int poll(void* self)
    {
        auto* h = static_cast<ProgressHook*>(self);
        if (h->m_abandon()) h->m_abandoned = true;
        return h->m_abandoned ? 1 : 0;
    }

    Database& m_db;
    const std::function<bool()>& m_abandon;
    bool m_abandoned = false;
};

} // namespace

std::vector<FilterColumn> ViewSource::filterColumns() const
{
    std::vector<FilterColumn> out;
    out.reserve(columns.size());
    for (const auto& c : columns)
        out.push_back({c.name, c.sql});
    return out;
}

int ViewSource::columnIndex(const std::string& wanted) const
{
    for (std::size_t i = 0; i < columns.size(); ++i)
        if (columns[i].name == wanted) return int(i);
    int found = -1;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        if (lower(columns[i].name) != lower(wanted)) continue;
        if (found >= 0) return -1; // ambiguous
        found = int(i);
    }
    return found;
}

ViewKeys ViewKeys::natural(std::int64_t count)
{
    ViewKeys k;
    k.count = count;
    return k;
}

ViewSource catalogViewSource(const CatalogInfo& catalog)
{
    ViewSource s;
    s.kind = ViewSource::Kind::Catalog;
    s.id = catalog.id;
    s.name = catalog.name;
    s.rowCount = std::int64_t(catalog.rowCount);
    s.from = quoteIdentifier(catalog.tableName);
    s.keySql = "_rm_row";
    s.catalogIdSql = std::to_string(catalog.id); // our own integer, not user text
    s.rowSql = "_rm_row";
    s.raSql = "_rm_ra";
    s.decSql = "_rm_dec";
    s.naturalKeys = true;
    // The store's positions (degrees, whatever the catalog's own columns were) lead, named so they cannot
    // clash with a catalog column.
    s.columns.push_back({"_ra", "_rm_ra", ColumnType::Real, 6});
    s.columns.push_back({"_dec", "_rm_dec", ColumnType::Real, 6});
    for (const auto& [name, type] : catalog.columns)
        s.columns.push_back({name, quoteIdentifier(name), type, -1});
    return s;
}

ViewSource targetSetViewSource(ProjectStore& store, const std::string& name)
{
    Statement q = store.db().prepare("SELECT s.id, (SELECT count(*) FROM targets t WHERE t.target_set_id "
                                     "= s.id) FROM target_sets s WHERE name = ?");
    q.bind(1, name);
    if (!q.step()) throw Error("no target set named '" + name + "' in the project");
    ViewSource s;
    s.kind = ViewSource::Kind::TargetSet;
    s.id = q.integer(0);
    s.name = name;
    s.rowCount = q.integer(1);
    s.from = "targets t JOIN catalogs c ON c.id = t.catalog_id";
    s.scope = "t.target_set_id = ?";
    s.scopeParams = {std::int64_t(s.id)};
    s.keySql = "t.idx";
    s.catalogIdSql = "t.catalog_id";
    s.rowSql = "t.row";
    s.raSql = "t.ra";
    s.decSql = "t.dec";
    s.columns = {{"idx", "t.idx", ColumnType::Integer, -1},  {"catalog", "c.name", ColumnType::Text, -1},
                 {"row", "t.row", ColumnType::Integer, -1},  {"ra", "t.ra", ColumnType::Real, 6},
                 {"dec", "t.dec", ColumnType::Real, 6},      {"label", "t.label", ColumnType::Integer, -1},
                 {"split", "t.split", ColumnType::Text, -1}, {"origin", "t.origin", ColumnType::Text, -1}};
    return s;
}

std::vector<ViewSource> projectViewSources(ProjectStore& store)
{
    std::vector<ViewSource> out;
    for (const auto& c : store.catalogs())
        out.push_back(catalogViewSource(c));
    for (const auto& name : targetSetNames(store))
        out.push_back(targetSetViewSource(store, name));
    return out;
}

std::string formatViewCell(const ViewCell& cell, const ViewColumn& column)
{
    if (const auto* i = std::get_if<std::int64_t>(&cell)) return std::to_string(*i);
    if (const auto* t = std::get_if<std::string>(&cell)) return *t;
    if (const auto* d = std::get_if<double>(&cell)) {
        char buf[64];
        if (column.decimals >= 0)
            std::snprintf(buf, sizeof buf, "%.*f", column.decimals, *d);
        else
            std::snprintf(buf, sizeof buf, "%.8g", *d);
        return buf;
    }
    return {};
}

CatalogQuery::CatalogQuery(ProjectStore& store) : m_db(store.db()) {}

CatalogQuery::CatalogQuery(std::unique_ptr<Database> owned, Database& db)
    : m_owned(std::move(owned)), m_db(db)
{
}

std::unique_ptr<CatalogQuery> CatalogQuery::open(const std::string& projectPath)
{
    auto db = std::make_unique<Database>(projectPath, false);
    Database& ref = *db;
    return std::unique_ptr<CatalogQuery>(new CatalogQuery(std::move(db), ref));
}

CatalogQuery::~CatalogQuery() = default;

ViewKeys CatalogQuery::keys(const ViewSource& source, const ViewOrder& order,
                            const std::function<bool()>& abandon)
{
    ProgressHook hook(m_db, abandon);
    const bool withGalaxies = keysHaveGalaxies(source);
    ViewKeys out;
    try {
        Statement s = prepared(m_db, viewKeysQuery(source, order));
        while (s.step()) {
            out.keys.push_back(s.integer(0));
            if (withGalaxies) {
                out.catalogIds.push_back(s.integer(1));
                out.rows.push_back(s.integer(2));
            }
        }
    } catch (const Error& e) {
        if (hook.abandoned()) throw QueryAbandoned("the view query of '" + source.name + "' was abandoned");
        throw;
    }
    out.count = std::int64_t(out.keys.size());
    return out;
}

std::vector<ViewRow> CatalogQuery::rowsByKeys(const ViewSource& source, const std::vector<std::int64_t>& keys,
                                              bool withColumns)
{
    Statement s = prepared(m_db, rowsByKeysQuery(source, keys, withColumns));
    return readRows(s, source, withColumns);
}

std::vector<ViewRow> CatalogQuery::rowsByKeyRange(const ViewSource& source, std::int64_t firstKey,
                                                  std::int64_t lastKey, bool withColumns)
{
    Statement s = prepared(m_db, rowsByKeyRangeQuery(source, firstKey, lastKey, withColumns));
    return readRows(s, source, withColumns);
}

} // namespace rm
