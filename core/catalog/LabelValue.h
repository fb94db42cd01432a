#pragma once
#include <optional>
#include <string>

namespace rm {

// Reads a catalog label cell as ring (true) / not ring (false): 1/0 (also 1.0/0.0), true/false, yes/no,
// ring/rings vs nonrings/not_ring... nullopt when the cell says neither (blank, unknown text, or a number
// other than 0 and 1, such as a vote fraction).
inline constexpr const char* kRingLabelWords =
    "1/0, true/false, t/f, yes/no, y/n, ring/not_ring (also rings, nonring, non_ring, notring)";
std::optional<bool> parseRingLabel(const std::string& cell);

} // namespace rm
