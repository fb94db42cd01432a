#pragma once
#include <optional>
#include <string>

namespace rm {

// Reads a catalog label cell as ring (true) / not ring (false): 1/0, true/false, yes/no, ring/rings vs
// nonrings/not_ring... nullopt when the cell says neither (blank or unknown text).
std::optional<bool> parseRingLabel(const std::string& cell);

} // namespace rm
