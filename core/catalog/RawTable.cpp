#include "catalog/RawTable.h"

#include "catalog/NumberParse.h"

#include <cmath>
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

void RawTable::clearRows()
{
    for (RawColumn& c : columns)
        c.clear();
    sourceRow.clear();
    issues.clear();
}

// Integer-shaped identifiers (leading zeros, beyond int64) keep a column of them text so "007" and 20-digit
// ids survive exactly, unless real numbers show it is a numeric column after all.
ColumnType ColumnShapes::type() const
{
    if (anyText) return ColumnType::Text;
    if (anyReal) return ColumnType::Real; // an identifier-looking cell among reals is just a number
    if (anyIdentifier) return ColumnType::Text;
    return ColumnType::Integer;
}

namespace {

void addShape(ColumnShapes& s, CellShape shape)
{
    switch (shape) {
    case CellShape::Integer:
        break;
    case CellShape::IdentifierLike:
        s.anyIdentifier = true;
        break;
    case CellShape::Real:
        s.anyReal = true;
        break;
    case CellShape::Text:
        s.anyText = true;
        break;
    }
}

void classifyColumn(const RawColumn& col, const std::vector<std::uint8_t>& keep, ColumnShapes& shapes)
{
    std::int64_t i;
    double d;
    for (std::size_t r = 0; r < col.size() && !shapes.anyText; ++r) {
        if (!keep[r]) continue;
        const std::string_view v = trimBlanks(col.cell(r));
        if (v.empty()) continue;
        addShape(shapes, classifyCell(v, i, d));
    }
}

// One pass over the kept cells decides the type (see ColumnShapes).
ColumnType inferType(const RawColumn& col, const std::vector<std::uint8_t>& keep)
{
    ColumnShapes shapes;
    classifyColumn(col, keep, shapes);
    return shapes.type();
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

namespace rm::detail {

void classifyColumns(const RawTable& raw, const std::vector<std::uint8_t>& keep,
                     std::vector<ColumnShapes>& shapes)
{
    shapes.resize(raw.columns.size());
    for (std::size_t c = 0; c < raw.columns.size(); ++c)
        classifyColumn(raw.columns[c], keep, shapes[c]);
}

bool typedChunk(const RawTable& raw, const std::vector<std::uint8_t>& keep,
                const std::vector<ColumnType>& types, std::vector<ColumnShapes>& shapes, Table& out)
{
    std::size_t kept = 0;
    for (std::size_t r = 0; r < raw.rowCount(); ++r)
        kept += keep[r] != 0;
    shapes.resize(raw.columns.size());
    out.columns.clear();
    out.columns.reserve(raw.columns.size());
    for (std::size_t c = 0; c < raw.columns.size(); ++c) {
        const RawColumn& col = raw.columns[c];
        Column& dst = out.addColumn(raw.names[c], types[c]);
        ColumnShapes& shape = shapes[c];
        dst.null.resize(kept);
        std::uint8_t* null = dst.null.data();
        std::int64_t* ints = nullptr;
        double* reals = nullptr;
        switch (dst.type) {
        case ColumnType::Integer:
            dst.integers.resize(kept);
            ints = dst.integers.data();
            break;
        case ColumnType::Real:
            dst.reals.resize(kept);
            reals = dst.reals.data();
            break;
        case ColumnType::Text:
            dst.texts.resize(kept);
            break;
        }
        std::size_t w = 0;
        std::int64_t i;
        double d;
        for (std::size_t r = 0; r < col.size(); ++r) {
            if (!keep[r]) continue;
            const std::string_view v = trimBlanks(col.cell(r));
            if (v.empty()) {
                null[w] = 1;
                if (ints) ints[w] = 0;
                if (reals) reals[w] = NAN;
                ++w;
                continue;
            }
            null[w] = 0;
            switch (dst.type) {
            case ColumnType::Integer: {
                const CellShape s = classifyCell(v, i, d);
                if (s != CellShape::Integer) {
                    addShape(shape, s);
                    return false;
                }
                ints[w] = i;
                break;
            }
            case ColumnType::Real: {
                const CellShape s = classifyCell(v, i, d);
                if (s == CellShape::Text) {
                    addShape(shape, s);
                    return false;
                }
                addShape(shape, s);
                reals[w] = d;
                break;
            }
            case ColumnType::Text:
                if (!shape.anyText) addShape(shape, classifyCell(v, i, d));
                dst.texts[w].assign(v.data(), v.size());
                break;
            }
            ++w;
        }
        if (shape.type() != types[c]) return false;
    }
    return true;
}

} // namespace rm::detail
