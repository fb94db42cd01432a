#include "sky/SkyCoords.h"

#include <cmath>

namespace rm {

bool validPosition(double ra, double dec)
{
    return std::isfinite(ra) && std::isfinite(dec) && ra >= 0.0 && ra <= 360.0 && dec >= -90.0 && dec <= 90.0;
}

double angularSeparationArcsec(double ra1, double dec1, double ra2, double dec2)
{
    // Vincenty's formula: well conditioned at tiny separations (unlike the cosine rule) and near 180 degrees
    // (unlike haversine).
    constexpr double d2r = M_PI / 180.0;
    const double l1 = ra1 * d2r, b1 = dec1 * d2r, l2 = ra2 * d2r, b2 = dec2 * d2r;
    const double dl = l2 - l1;
    const double sdl = std::sin(dl), cdl = std::cos(dl);
    const double sb1 = std::sin(b1), cb1 = std::cos(b1), sb2 = std::sin(b2), cb2 = std::cos(b2);
    const double num1 = cb2 * sdl;
    const double num2 = cb1 * sb2 - sb1 * cb2 * cdl;
    const double den = sb1 * sb2 + cb1 * cb2 * cdl;
    return std::atan2(std::hypot(num1, num2), den) / d2r * 3600.0;
}

} // namespace rm
