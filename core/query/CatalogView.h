#pragma once
// A catalog or target set seen as a table that can be filtered and sorted: the catalog browser's view and
// `ringminer-cli catalog show`. All of their SQL is here. A view is the ordered list of keys that pass the
// filter (one query, which a GUI runs in the background and may abandon); rows are then read a page at a time
// by key, so scrolling anywhere in a million rows reads about a hundred.
#include "catalog/FilterExpression.h"
#include "catalog/Table.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace rm {

class Database;
class ProjectStore;
struct CatalogInfo;

struct ViewColumn
{
    std::string name; // header, and what the filter language accepts
    std::string sql;  // its SQL expression
    ColumnType type = ColumnType::Text;
    int decimals = -1; // fixed decimals for display (positions); -1 = general format
};

// What can be shown: a catalog's SQL table, or a target set (rows of the targets table joined with their
// catalogs). A source says in SQL how to find its rows, their galaxies and their columns, so one query
// builder and one filter language serve both.
struct ViewSource
{
    enum class Kind
    {
        Catalog,
        TargetSet
    };
    Kind kind = Kind::Catalog;
    std::int64_t id = 0; // catalog id or target set id
    std::string name;
    std::int64_t rowCount = 0;

    std::string from;  // FROM clause
    std::string scope; // always-applied condition ("" for none), with ?-parameters
    std::vector<SqlParam> scopeParams;
    std::string keySql; // an integer unique within the source; views are windowed over it
    std::string catalogIdSql, rowSql, raSql, decSql;
    std::vector<ViewColumn> columns;
    // Keys are exactly 0..rowCount-1 (a catalog's _rm_row): the unfiltered, unsorted view needs no query.
    bool naturalKeys = false;

    std::vector<FilterColumn> filterColumns() const;
    // The column a user named: exactly, else case-insensitively when that is unambiguous; -1 when none.
    int columnIndex(const std::string& name) const;
    bool valid() const { return !from.empty(); }
};

ViewSource catalogViewSource(const CatalogInfo& catalog);
// Throws rm::Error when there is no such target set.
ViewSource targetSetViewSource(ProjectStore& store, const std::string& name);
// Every catalog, then every target set.
std::vector<ViewSource> projectViewSources(ProjectStore& store);

// Which rows a view shows, in which order.
struct ViewOrder
{
    CompiledFilter filter;   // compileFilter(text, source.filterColumns())
    int sortColumn = -1;     // index into the source's columns; -1 = key order
    bool descending = false; // ties in a sorted column are always in ascending key order
};

// The rows of a view, in display order.
struct ViewKeys
{
    std::int64_t count = 0;
    std::vector<std::int64_t> keys;       // empty: the natural view, key = index
    std::vector<std::int64_t> catalogIds; // empty: the source's own catalog (catalog sources)
    std::vector<std::int64_t> rows;       // empty: row = key

    std::int64_t keyAt(std::int64_t i) const { return keys.empty() ? i : keys[std::size_t(i)]; }
    // The whole source in its natural order (a source with naturalKeys), without a query.
    static ViewKeys natural(std::int64_t count);
};

// One cell as stored: NULL (a blank, or NaN), or a value of its column's type.
using ViewCell = std::variant<std::monostate, std::int64_t, double, std::string>;

struct ViewRow
{
    std::int64_t key = 0, catalogId = 0, row = 0;
    double ra = 0, dec = 0;
    std::vector<ViewCell> cells; // one per source column (empty when read without columns)
};

// A cell as the catalog browser shows it: positions with their fixed decimals, other reals with 8
// significant digits, NULL as "".
std::string formatViewCell(const ViewCell& cell, const ViewColumn& column);

// The query thrown out by CatalogQuery::keys when its abandon hook said so.
class QueryAbandoned : public Error
{
public:
    using Error::Error;
};

// Runs view queries on one connection to a project: the GUI thread's store, or a connection of its own for
// a worker thread (SQLite's WAL mode lets it read while the GUI writes labels).
class CatalogQuery
{
public:
    explicit CatalogQuery(ProjectStore& store);
    // Opens a connection of its own to the project file; throws rm::Error when it cannot.
    static std::unique_ptr<CatalogQuery> open(const std::string& projectPath);
    ~CatalogQuery();
    CatalogQuery(const CatalogQuery&) = delete;
    CatalogQuery& operator=(const CatalogQuery&) = delete;

    // The view's keys (and galaxies, for a target set). abandon, when given, is polled every few thousand
    // SQLite steps while the query runs; when it returns true the query stops and QueryAbandoned is thrown.
    // Other failures throw rm::Error.
    ViewKeys keys(const ViewSource& source, const ViewOrder& order,
                  const std::function<bool()>& abandon = {});
    // Rows by key, in no particular order; keys that are gone are left out. withColumns reads every source
    // column too (else cells stays empty).
    std::vector<ViewRow> rowsByKeys(const ViewSource& source, const std::vector<std::int64_t>& keys,
                                    bool withColumns);
    // Rows with firstKey <= key <= lastKey, in key order.
    std::vector<ViewRow> rowsByKeyRange(const ViewSource& source, std::int64_t firstKey, std::int64_t lastKey,
                                        bool withColumns);

private:
    CatalogQuery(std::unique_ptr<Database> owned, Database& db);

    std::unique_ptr<Database> m_owned;
    Database& m_db;
};

} // namespace rm
