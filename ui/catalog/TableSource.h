#pragma once
// What the catalog browser can show: a catalog's SQL table, or a target set (rows of the targets table joined
// with their catalogs). A source says in SQL how to find its rows, their galaxies and their columns, so one
// model and one filter language serve both.
#include "catalog/FilterExpression.h"
#include "store/ProjectStore.h"

#include <QString>

#include <string>
#include <vector>

namespace rm::ui {

struct SourceColumn
{
    QString name;    // header, and what the filter bar accepts
    std::string sql; // its SQL expression
    rm::ColumnType type = rm::ColumnType::Text;
    int decimals = -1; // fixed decimals for display (positions); -1 = general format
};

struct TableSource
{
    enum class Kind
    {
        Catalog,
        TargetSet
    };
    Kind kind = Kind::Catalog;
    qint64 id = 0; // catalog id or target set id
    QString name;
    qint64 rowCount = 0;

    std::string from;  // FROM clause
    std::string scope; // always-applied condition ("" for none), with ?-parameters
    std::vector<SqlParam> scopeParams;
    std::string keySql; // an integer unique within the source; the view is windowed over it
    std::string catalogIdSql, rowSql, raSql, decSql;
    std::vector<SourceColumn> columns;
    // Keys are exactly 0..rowCount-1 (a catalog's _rm_row): the unfiltered, unsorted view needs no query.
    bool naturalKeys = false;

    QString label() const; // "gzd — 377 rows" / "gzd5 (target set) — 754 targets"
    std::vector<FilterColumn> filterColumns() const;
    bool valid() const { return !from.empty(); }
};

TableSource catalogTableSource(const rm::CatalogInfo& catalog);
// Throws rm::Error when there is no such target set.
TableSource targetSetTableSource(rm::ProjectStore& store, const std::string& name);
// Every catalog, then every target set.
std::vector<TableSource> projectTableSources(rm::ProjectStore& store);

} // namespace rm::ui
