#include "catalog/LabelValue.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace rm {

std::optional<bool> parseRingLabel(const std::string& cell)
{
    std::string s;
    for (char c : cell)
        if (!std::isspace(static_cast<unsigned char>(c)))
            s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (s.empty()) return std::nullopt;
    static const char* yes[] = {"1", "true", "t", "yes", "y", "ring", "rings"};
    static const char* no[] = {"0",       "false",    "f",        "no",       "n",
                               "nonring", "nonrings", "non_ring", "not_ring", "notring"};
    for (const char* y : yes)
        if (s == y) return true;
    for (const char* n : no)
        if (s == n) return false;
    // "1.0" and "0.0" are labels; any other number (a vote fraction, a score) is not one.
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (end && *end == '\0' && (v == 0.0 || v == 1.0)) return v == 1.0;
    return std::nullopt;
}

} // namespace rm
