#include "imaging/LuptonStretch.h"

#include "util/Error.h"

#include <algorithm>
#include <cmath>

namespace rm {

void luptonRgb(const float* r, const float* g, const float* b, std::size_t n, const LuptonParams& params,
               std::uint8_t* rgbOut)
{
    if (!(params.Q > 0) || !(params.stretch > 0))
        throw Error("Lupton stretch needs Q > 0 and stretch > 0 (got Q=" + std::to_string(params.Q) +
                    ", stretch=" + std::to_string(params.stretch) + ")");
    // astropy's AsinhMapping: slope chosen so that I = frac*stretch maps to a fixed fraction of 255.
    const double kMax = 255.0;
    const double frac = 0.1;
    const double slope = kMax / std::asinh(frac * params.Q);
    const double soften = params.Q / params.stretch;
    const float* planes[3] = {r, g, b};
    for (std::size_t i = 0; i < n; ++i) {
        double c[3];
        for (int k = 0; k < 3; ++k) {
            double v = planes[k][i];
            c[k] = std::isfinite(v) ? v - params.minimum[k] : 0.0;
        }
        const double intensity = (c[0] + c[1] + c[2]) / 3.0;
        const double fac = intensity <= 0 ? 0.0 : std::asinh(intensity * soften) * slope / intensity;
        double peak = 0;
        for (int k = 0; k < 3; ++k) {
            c[k] = std::max(0.0, c[k] * fac); // one band can be negative even when the intensity is not
            peak = std::max(peak, c[k]);
        }
        const double norm = peak >= kMax ? kMax / peak : 1.0;
        // Rounded where astropy truncates: truncation turns float noise (50.99999 vs 51.0) into steps of 1.
        for (int k = 0; k < 3; ++k)
            rgbOut[3 * i + k] = static_cast<std::uint8_t>(std::min(kMax, c[k] * norm + 0.5));
    }
}

} // namespace rm
