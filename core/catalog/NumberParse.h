#pragma once
// Strict number parsing for catalog cells: the whole cell must be the number (no trailing garbage), so that
// "12abc" is text, not 12. Locale independent (std::from_chars), unlike strtod.
#include <cstdint>
#include <string_view>

namespace rm::detail {

// Strips spaces, tabs and carriage returns at both ends.
std::string_view trimBlanks(std::string_view s);

// A decimal integer with an optional sign; false on anything else or on 64-bit overflow.
bool parseInt64(std::string_view s, std::int64_t& out);
// A decimal floating-point number with an optional sign, or nan / inf; false on anything else.
bool parseDouble(std::string_view s, double& out);

// What a non-blank, trimmed cell looks like to column type inference.
enum class CellShape
{
    Integer,        // fits int64
    IdentifierLike, // integer digits that must stay text to survive: leading zeros or beyond int64
    Real,           // any other double, nan and inf included
    Text
};
// Classifies s and stores the value for Integer (in i) and for Integer, IdentifierLike and Real (in d).
CellShape classifyCell(std::string_view s, std::int64_t& i, double& d);

} // namespace rm::detail
