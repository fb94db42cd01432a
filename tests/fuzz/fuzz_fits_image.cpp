// FITS cutouts (2-D images and g,r,z cubes) through the reader the "fits" image source uses.
#include "FuzzSupport.h"

#include "sources/FitsImageSource.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string path = rm::fuzz::scratchFile("cutout.fits", data, size);
    RM_FUZZ_EXPECT_ERRORS({
        const auto image = rm::readFitsImage(path, rm::FitsStretchOptions{});
        if (image.pixels.size() != static_cast<std::size_t>(image.width) * image.height * image.channels)
            __builtin_trap();
    });
    return 0;
}
