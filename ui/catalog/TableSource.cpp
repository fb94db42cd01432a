#include "catalog/TableSource.h"

#include "targets/TargetSetBuilder.h"
#include "util/Error.h"

#include <QObject>

namespace rm::ui {

QString TableSource::label() const
{
    if (kind == Kind::TargetSet) return QObject::tr("%1 (target set) — %L2 targets").arg(name).arg(rowCount);
    return QObject::tr("%1 — %L2 rows").arg(name).arg(rowCount);
}

std::vector<FilterColumn> TableSource::filterColumns() const
{
    std::vector<FilterColumn> out;
    out.reserve(columns.size());
    for (const auto& c : columns)
        out.push_back({c.name.toStdString(), c.sql});
    return out;
}

TableSource catalogTableSource(const rm::CatalogInfo& catalog)
{
    TableSource s;
    s.kind = TableSource::Kind::Catalog;
    s.id = catalog.id;
    s.name = QString::fromStdString(catalog.name);
    s.rowCount = qint64(catalog.rowCount);
    s.from = rm::quoteIdentifier(catalog.tableName);
    s.keySql = "_rm_row";
    s.catalogIdSql = std::to_string(catalog.id); // our own integer, not user text
    s.rowSql = "_rm_row";
    s.raSql = "_rm_ra";
    s.decSql = "_rm_dec";
    s.naturalKeys = true;
    // The store's positions (degrees, whatever the catalog's own columns were) lead, named so they cannot
    // clash with a catalog column.
    s.columns.push_back({QStringLiteral("_ra"), "_rm_ra", rm::ColumnType::Real, 6});
    s.columns.push_back({QStringLiteral("_dec"), "_rm_dec", rm::ColumnType::Real, 6});
    for (const auto& [name, type] : catalog.columns)
        s.columns.push_back({QString::fromStdString(name), rm::quoteIdentifier(name), type, -1});
    return s;
}

TableSource targetSetTableSource(rm::ProjectStore& store, const std::string& name)
{
    rm::Statement q = store.db().prepare("SELECT s.id, (SELECT count(*) FROM targets t WHERE t.target_set_id "
                                         "= s.id) FROM target_sets s WHERE name = ?");
    q.bind(1, name);
    if (!q.step()) throw rm::Error("no target set named '" + name + "' in the project");
    TableSource s;
    s.kind = TableSource::Kind::TargetSet;
    s.id = q.integer(0);
    s.name = QString::fromStdString(name);
    s.rowCount = q.integer(1);
    s.from = "targets t JOIN catalogs c ON c.id = t.catalog_id";
    s.scope = "t.target_set_id = ?";
    s.scopeParams = {std::int64_t(s.id)};
    s.keySql = "t.idx";
    s.catalogIdSql = "t.catalog_id";
    s.rowSql = "t.row";
    s.raSql = "t.ra";
    s.decSql = "t.dec";
    s.columns = {{QStringLiteral("idx"), "t.idx", rm::ColumnType::Integer, -1},
                 {QStringLiteral("catalog"), "c.name", rm::ColumnType::Text, -1},
                 {QStringLiteral("row"), "t.row", rm::ColumnType::Integer, -1},
                 {QStringLiteral("ra"), "t.ra", rm::ColumnType::Real, 6},
                 {QStringLiteral("dec"), "t.dec", rm::ColumnType::Real, 6},
                 {QStringLiteral("label"), "t.label", rm::ColumnType::Integer, -1},
                 {QStringLiteral("split"), "t.split", rm::ColumnType::Text, -1},
                 {QStringLiteral("origin"), "t.origin", rm::ColumnType::Text, -1}};
    return s;
}

std::vector<TableSource> projectTableSources(rm::ProjectStore& store)
{
    std::vector<TableSource> out;
    for (const auto& c : store.catalogs())
        out.push_back(catalogTableSource(c));
    for (const auto& name : rm::targetSetNames(store))
        out.push_back(targetSetTableSource(store, name));
    return out;
}

} // namespace rm::ui
