#pragma once
// The asinh colour stretch of Lupton et al. (2004, PASP 116, 133), as astropy.visualization.make_lupton_rgb
// implements it: the intensity I = (r+g+b)/3 is mapped through asinh(Q I / stretch), and every channel is
// multiplied by the same factor so colours are kept; a pixel whose brightest channel would saturate is scaled
// down as a whole instead of being clipped per channel (bright cores stay their colour, not white). Output
// bytes are rounded (astropy truncates).
#include <array>
#include <cstddef>
#include <cstdint>

namespace rm {

struct LuptonParams
{
    double Q = 8.0;       // asinh softening: larger Q = more of the faint end is lifted
    double stretch = 0.5; // linear range: the intensity at which the stretch turns logarithmic
    std::array<double, 3> minimum{0.0, 0.0, 0.0}; // black level of r, g, b (after scaling)
};

// Writes n interleaved RGB bytes from three planes (already multiplied by their band scales). Non-finite
// input (FITS blanks, no coverage) counts as the minimum, i.e. black. The same pointer for r, g and b gives
// grey.
void luptonRgb(const float* r, const float* g, const float* b, std::size_t n, const LuptonParams& params,
               std::uint8_t* rgbOut);

} // namespace rm
