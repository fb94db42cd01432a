#pragma once
// One galaxy as an image source sees it: a catalog row with its column values as text, so file-name templates
// ({iauname}.jpg) and cutout services (ra, dec) can be filled in without knowing the catalog's schema.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rm {

class Table;

struct GalaxyRef
{
    std::int64_t catalogId = 0;
    std::size_t row = 0; // 0-based row of the catalog
    double ra = NAN;     // degrees J2000, NaN when unknown
    double dec = NAN;
    std::vector<std::pair<std::string, std::string>> values; // column name -> value as text ("" = blank)

    // The value of a column: an exact name match first, then a case-insensitive one; nullopt if no such
    // column.
    std::optional<std::string> value(const std::string& column) const;
    void set(std::string column, std::string text)
    {
        values.emplace_back(std::move(column), std::move(text));
    }
    // "catalog 3, row 17" plus the first column's value, for error messages.
    std::string describe() const;

    // Every column of one row of a table (positions are left NaN; set them if known).
    static GalaxyRef fromTable(const Table& table, std::size_t row, std::int64_t catalogId = 0);
};

} // namespace rm
