#pragma once
// One CSV field as RFC 4180 writes it: quoted (with doubled quotes) when it holds a comma, a quote or a line
// break, else as it is. Shared by every CSV the project writes (reports, predictions, mined catalogs).
#include <string>

namespace rm {

inline std::string csvField(const std::string& s)
{
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s)
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

} // namespace rm
