#include "catalog/Table.h"

#include "util/Error.h"

#include <cmath>
#include <cstdio>
#include <strings.h>

namespace rm {

const char* columnTypeName(ColumnType t)
{
    switch (t) {
    case ColumnType::Integer:
        return "integer";
    case ColumnType::Real:
        return "real";
    case ColumnType::Text:
        return "text";
    }
    return "text";
}

std::optional<double> Column::number(std::size_t row) const
{
    if (null[row]) return std::nullopt;
    switch (type) {
    case ColumnType::Integer:
        return static_cast<double>(integers[row]);
    case ColumnType::Real:
        return reals[row];
    case ColumnType::Text:
        return std::nullopt;
    }
    return std::nullopt;
}

std::string Column::text(std::size_t row) const
{
    if (null[row]) return {};
    switch (type) {
    case ColumnType::Integer:
        return std::to_string(integers[row]);
    case ColumnType::Real: {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.17g", reals[row]);
        return buf;
    }
    case ColumnType::Text:
        return texts[row];
    }
    return {};
}

void Column::appendNull()
{
    null.push_back(1);
    switch (type) {
    case ColumnType::Integer:
        integers.push_back(0);
        break;
    case ColumnType::Real:
        reals.push_back(NAN);
        break;
    case ColumnType::Text:
        texts.emplace_back();
        break;
    }
}

void Column::appendInteger(std::int64_t v)
{
    if (type == ColumnType::Real) return appendReal(static_cast<double>(v));
    if (type == ColumnType::Text) return appendText(std::to_string(v));
    null.push_back(0);
    integers.push_back(v);
}

void Column::appendReal(double v)
{
    if (type != ColumnType::Real) throw Error("column '" + name + "' is not real");
    null.push_back(0);
    reals.push_back(v);
}

void Column::appendText(std::string v)
{
    if (type != ColumnType::Text) throw Error("column '" + name + "' is not text");
    null.push_back(0);
    texts.push_back(std::move(v));
}

int Table::columnIndex(const std::string& name) const
{
    for (std::size_t i = 0; i < columns.size(); ++i)
        if (columns[i].name == name) return static_cast<int>(i);
    for (std::size_t i = 0; i < columns.size(); ++i)
        if (strcasecmp(columns[i].name.c_str(), name.c_str()) == 0) return static_cast<int>(i);
    return -1;
}

const Column& Table::column(const std::string& name) const
{
    int i = columnIndex(name);
    if (i < 0) throw Error("no column named '" + name + "'");
    return columns[static_cast<std::size_t>(i)];
}

Column& Table::addColumn(std::string name, ColumnType type, std::string unit)
{
    Column c;
    c.name = std::move(name);
    c.type = type;
    c.unit = std::move(unit);
    columns.push_back(std::move(c));
    return columns.back();
}

} // namespace rm
