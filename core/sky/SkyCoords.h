#pragma once
// Parsing and geometry of sky positions (degrees, J2000).
#include <optional>
#include <string>
#include <utility>

namespace rm {

// "07 24 20.75", "07:24:20.75", "07h24m20.75s" -> degrees; nullopt if malformed or out of range.
std::optional<double> parseSexagesimalRa(const std::string& s);
// "+42 09 00.6", "-00:27:39.1", "+42d09m00.6s" -> degrees (sign kept for -00); nullopt if malformed/out of
// range.
std::optional<double> parseSexagesimalDec(const std::string& s);
// IAU designations "J001655.18-002739.1" (optionally with a prefix such as "SDSS J" or "2MASX J") -> (ra,
// dec).
std::optional<std::pair<double, double>> parseIauName(const std::string& s);

bool validPosition(double raDeg, double decDeg); // finite, 0 <= ra < 360 (360 accepted), -90 <= dec <= 90

// Angular separation in arcsec, accurate at all separations (Vincenty formula).
double angularSeparationArcsec(double ra1, double dec1, double ra2, double dec2);

} // namespace rm
