#include "catalog/ViewQuery.h"

namespace rm::ui {

namespace {

std::string whereClause(const TableSource& source, const std::string& condition)
{
    if (source.scope.empty() && condition.empty()) return {};
    if (source.scope.empty()) return " WHERE " + condition;
    if (condition.empty()) return " WHERE " + source.scope;
    return " WHERE " + source.scope + " AND " + condition;
}

std::string rowsSelect(const TableSource& source, bool withColumns)
{
    std::string sql = "SELECT " + source.keySql + ", " + source.catalogIdSql + ", " + source.rowSql + ", " +
                      source.raSql + ", " + source.decSql;
    if (withColumns)
        for (const auto& c : source.columns)
            sql += ", " + c.sql;
    return sql + " FROM " + source.from;
}

} // namespace

bool viewKeysQueryHasGalaxies(const TableSource& source)
{
    return source.kind == TableSource::Kind::TargetSet;
}

SqlQuery viewKeysQuery(const TableSource& source, const CompiledFilter& filter, int sortColumn,
                       bool descending)
{
    SqlQuery q;
    q.sql = "SELECT " + source.keySql;
    if (viewKeysQueryHasGalaxies(source)) q.sql += ", " + source.catalogIdSql + ", " + source.rowSql;
    q.sql += " FROM " + source.from +
             whereClause(source, filter.empty() ? std::string() : "(" + filter.where + ")");
    q.sql += " ORDER BY ";
    if (sortColumn >= 0 && sortColumn < int(source.columns.size()))
        q.sql += source.columns[std::size_t(sortColumn)].sql + (descending ? " DESC, " : " ASC, ");
    q.sql += source.keySql + (descending && sortColumn < 0 ? " DESC" : "");
    q.params = source.scopeParams;
    q.params.insert(q.params.end(), filter.params.begin(), filter.params.end());
    return q;
}

SqlQuery rowsByKeysQuery(const TableSource& source, const std::vector<qint64>& keys, bool withColumns)
{
    SqlQuery q;
    std::string in = source.keySql + " IN (";
    for (std::size_t i = 0; i < keys.size(); ++i)
        in += i ? ",?" : "?";
    in += ")";
    q.sql = rowsSelect(source, withColumns) + whereClause(source, in);
    q.params = source.scopeParams;
    for (qint64 k : keys)
        q.params.emplace_back(std::int64_t(k));
    return q;
}

SqlQuery rowsByKeyRangeQuery(const TableSource& source, qint64 firstKey, qint64 lastKey, bool withColumns)
{
    SqlQuery q;
    q.sql = rowsSelect(source, withColumns) + whereClause(source, source.keySql + " BETWEEN ? AND ?") +
            " ORDER BY " + source.keySql;
    q.params = source.scopeParams;
    q.params.emplace_back(std::int64_t(firstKey));
    q.params.emplace_back(std::int64_t(lastKey));
    return q;
}

} // namespace rm::ui
