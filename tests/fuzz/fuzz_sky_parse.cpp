// Sexagesimal RA/Dec and IAU-name positions (catalog cells and the browser's "go to" box).
#include "FuzzSupport.h"

#include "sky/SkyCoords.h"

#include <cmath>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string text = rm::fuzz::asString(data, size);
    if (const auto ra = rm::parseSexagesimalRa(text))
        if (!(*ra >= 0 && *ra <= 360)) __builtin_trap();
    if (const auto dec = rm::parseSexagesimalDec(text))
        if (!(*dec >= -90 && *dec <= 90)) __builtin_trap();
    if (const auto pos = rm::parseIauName(text))
        if (!rm::validPosition(pos->first, pos->second)) __builtin_trap();
    return 0;
}
