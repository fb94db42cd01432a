#include "catalog/RawTable.h"

#include "catalog/NumberParse.h"

#include <set>

namespace rm::detail {

std::vector<std::string> RawTable::sample(std::size_t col, std::size_t max) const
{
    std::vector<std::string> out;
    const RawColumn& c = columns[col];
    for (std::size_t r = 0; r < c.size() && out.size() < max; ++r) {
        const std::string_view v = trimBlanks(c.cell(r));
        if (!v.empty()) out.emplace_back(v);
    }
    return out;
}

std::vector<std::string> cleanColumnNames(std::vector<std::string> names)
{
    std::set<std::string> seen;
    for (std::size_t i = 0; i < names.size(); ++i) {
        std::string n(trimBlanks(names[i]));
        if (n.empty()) n = i == 0 ? "index" : "col" + std::to_string(i + 1);
        std::string unique = n;
        for (int k = 2; seen.count(unique); ++k)
            unique = n + "_" + std::to_string(k);
        seen.insert(unique);
        names[i] = unique;
    }
    return names;
}

std::vector<std::string> defaultColumnNames(std::size_t count)
{
    if (count == 2) return {"ra", "dec"};
    std::vector<std::string> names;
    for (std::size_t i = 0; i < count; ++i)
        names.push_back("col" + std::to_string(i + 1));
    return names;
}

namespace {

// One pass over the kept cells decides the type: Integer while every cell is an int64, Real once a cell is
// only a double, Text once a cell is neither. Integer-shaped identifiers (leading zeros, beyond int64) keep a
// column of them text so "007" and 20-digit ids survive exactly.
ColumnType inferType(const RawColumn& col, const std::vector<std::uint8_t>& keep)
{
    bool anyReal = false, anyIdentifier = false;
    std::int64_t i;
    double d;
    for (std::size_t r = 0; r < col.size(); ++r) {
        if (!keep[r]) continue;
        const std::string_view v = trimBlanks(col.cell(r));
        if (v.empty()) continue;
        switch (classifyCell(v, i, d)) {
        case CellShape::Integer:
            break;
        case CellShape::IdentifierLike:
            anyIdentifier = true;
            break;
        case CellShape::Real:
            anyReal = true;
            break;
        case CellShape::Text:
            return ColumnType::Text;
        }
    }
    if (anyReal) return ColumnType::Real; // an identifier-looking cell among reals is just a number
    if (anyIdentifier) return ColumnType::Text;
    return ColumnType::Integer;
}

} // namespace

Table buildTypedTable(RawTable& raw, const std::vector<std::uint8_t>& keep)
{
    std::size_t kept = 0;
    for (std::size_t r = 0; r < raw.rowCount(); ++r)
        kept += keep[r] != 0;
    Table table;
    table.columns.reserve(raw.columns.size());
    for (std::size_t c = 0; c < raw.columns.size(); ++c) {
        RawColumn& col = raw.columns[c];
        Column& out = table.addColumn(raw.names[c], inferType(col, keep));
        out.null.reserve(kept);
        switch (out.type) {
        case ColumnType::Integer:
            out.integers.reserve(kept);
            break;
        case ColumnType::Real:
            out.reals.reserve(kept);
            break;
        case ColumnType::Text:
            out.texts.reserve(kept);
            break;
        }
        std::int64_t i;
        double d;
        for (std::size_t r = 0; r < col.size(); ++r) {
            if (!keep[r]) continue;
            const std::string_view v = trimBlanks(col.cell(r));
            if (v.empty()) {
                out.appendNull();
                continue;
            }
            switch (out.type) {
            case ColumnType::Integer:
                parseInt64(v, i);
                out.appendInteger(i);
                break;
            case ColumnType::Real:
                classifyCell(v, i, d);
                out.appendReal(d);
                break;
            case ColumnType::Text:
                out.appendText(std::string(v));
                break;
            }
        }
        col.release();
    }
    return table;
}

} // namespace rm::detail
