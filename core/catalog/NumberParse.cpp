#include "catalog/NumberParse.h"

#include <charconv>
#include <system_error>

namespace rm::detail {

std::string_view trimBlanks(std::string_view s)
{
    auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
    while (!s.empty() && blank(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && blank(s.back()))
        s.remove_suffix(1);
    return s;
}

namespace {

// from_chars rejects a leading '+', which catalogs use freely (VizieR writes "+42.15"); drop one.
std::string_view dropPlus(std::string_view s)
{
    if (s.size() > 1 && s[0] == '+' && s[1] != '-' && s[1] != '+') s.remove_prefix(1);
    return s;
}

bool allDigits(std::string_view s)
{
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

} // namespace

bool parseInt64(std::string_view s, std::int64_t& out)
{
    s = dropPlus(s);
    if (s.empty()) return false;
    const char* end = s.data() + s.size();
    auto [p, ec] = std::from_chars(s.data(), end, out);
    return ec == std::errc() && p == end;
}

bool parseDouble(std::string_view s, double& out)
{
    s = dropPlus(s);
    if (s.empty()) return false;
    const char* end = s.data() + s.size();
    auto [p, ec] = std::from_chars(s.data(), end, out, std::chars_format::general);
    // result_out_of_range (1e999, 1e-999) still leaves a usable value in spirit, but from_chars leaves out
    // untouched then; treat as not a number rather than guessing.
    return ec == std::errc() && p == end;
}

CellShape classifyCell(std::string_view s, std::int64_t& i, double& d)
{
    std::string_view digits = s;
    if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) digits.remove_prefix(1);
    if (allDigits(digits)) {
        const bool leadingZero = digits.size() > 1 && digits[0] == '0';
        if (!leadingZero && parseInt64(s, i)) {
            d = static_cast<double>(i);
            return CellShape::Integer;
        }
        parseDouble(s, d);
        return CellShape::IdentifierLike;
    }
    if (parseDouble(s, d)) return CellShape::Real;
    return CellShape::Text;
}

} // namespace rm::detail
