#include "store/CatalogRecords.h"

#include "util/Error.h"

#include <cstdio>

namespace rm {

namespace {

std::string cellText(Statement& s, int i, ColumnType type)
{
    if (s.isNull(i)) return {};
    switch (type) {
    case ColumnType::Integer:
        return std::to_string(s.integer(i));
    case ColumnType::Real: {
        char buf[40];
        std::snprintf(buf, sizeof buf, "%.10g", s.real(i));
        return buf;
    }
    case ColumnType::Text:
        return s.text(i);
    }
    return s.text(i);
}

} // namespace

CatalogRecordReader::CatalogRecordReader(ProjectStore& store) : m_store(store) {}

CatalogRecordReader::~CatalogRecordReader() = default;

const CatalogInfo& CatalogRecordReader::catalog(std::int64_t id)
{
    auto it = m_catalogs.find(id);
    if (it == m_catalogs.end()) it = m_catalogs.emplace(id, m_store.catalog(id)).first;
    return it->second;
}

Statement& CatalogRecordReader::statement(std::int64_t catalogId)
{
    auto it = m_statements.find(catalogId);
    if (it != m_statements.end()) return *it->second;
    const CatalogInfo& info = catalog(catalogId);
    std::string sql = "SELECT _rm_ra, _rm_dec";
    for (const auto& [name, type] : info.columns)
        sql += ", " + quoteIdentifier(name);
    sql += " FROM " + quoteIdentifier(info.tableName) + " WHERE _rm_row = ?";
    auto s = std::make_unique<Statement>(m_store.db().prepare(sql));
    return *m_statements.emplace(catalogId, std::move(s)).first->second;
}

CatalogRecord CatalogRecordReader::read(std::int64_t catalogId, std::int64_t row)
{
    const CatalogInfo& info = catalog(catalogId);
    Statement& s = statement(catalogId);
    s.reset();
    s.bind(1, row);
    if (!s.step()) {
        s.reset();
        throw Error("catalog '" + info.name + "' has no row " + std::to_string(row));
    }
    CatalogRecord r;
    r.catalogId = catalogId;
    r.row = row;
    r.ra = s.real(0);
    r.dec = s.real(1);
    r.values.reserve(info.columns.size());
    for (std::size_t c = 0; c < info.columns.size(); ++c)
        r.values.emplace_back(info.columns[c].first, cellText(s, int(c) + 2, info.columns[c].second));
    s.reset();
    return r;
}

} // namespace rm
