#include "sources/GalaxyRef.h"

#include "catalog/Table.h"

#include <strings.h>

namespace rm {

std::optional<std::string> GalaxyRef::value(const std::string& column) const
{
    for (const auto& [name, text] : values)
        if (name == column) return text;
    for (const auto& [name, text] : values)
        if (strcasecmp(name.c_str(), column.c_str()) == 0) return text;
    return std::nullopt;
}

std::string GalaxyRef::describe() const
{
    std::string s = "catalog " + std::to_string(catalogId) + ", row " + std::to_string(row);
    if (!values.empty()) s += " (" + values.front().first + "=" + values.front().second + ")";
    return s;
}

GalaxyRef GalaxyRef::fromTable(const Table& table, std::size_t row, std::int64_t catalogId)
{
    GalaxyRef g;
    g.catalogId = catalogId;
    g.row = row;
    g.values.reserve(table.columnCount());
    for (const auto& c : table.columns)
        g.values.emplace_back(c.name, c.text(row));
    return g;
}

} // namespace rm
