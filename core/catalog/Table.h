#pragma once
// A typed, column-major table: what every catalog reader produces and what the project store persists.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rm {

enum class ColumnType
{
    Integer,
    Real,
    Text
};

const char* columnTypeName(ColumnType t);

struct Column
{
    std::string name;
    ColumnType type = ColumnType::Text;
    std::string unit;
    // Exactly one of these holds the values, chosen by type; null marks blank cells (NaN is not blank).
    std::vector<std::int64_t> integers;
    std::vector<double> reals;
    std::vector<std::string> texts;
    std::vector<std::uint8_t> null;

    std::size_t size() const { return null.size(); }
    bool isNull(std::size_t row) const { return null[row] != 0; }
    // The value as a double (Integer and Real); nullopt when blank or a Text column.
    std::optional<double> number(std::size_t row) const;
    // The value as text, formatted the way it was read for Text; "" when blank.
    std::string text(std::size_t row) const;

    void appendNull();
    void appendInteger(std::int64_t v);
    void appendReal(double v);
    void appendText(std::string v);
};

class Table
{
public:
    std::vector<Column> columns;

    std::size_t rowCount() const { return columns.empty() ? 0 : columns.front().size(); }
    std::size_t columnCount() const { return columns.size(); }
    // Index of the column named exactly name, or of a case-insensitive match; -1 if none.
    int columnIndex(const std::string& name) const;
    const Column& column(const std::string& name) const; // throws rm::Error when missing
    Column& addColumn(std::string name, ColumnType type, std::string unit = {});
};

} // namespace rm
