// JPEG/PNG cutouts as downloaded or found in a folder: HTML saved as .jpg, truncated files, lying
// dimensions. The byte checks are ours; the decoding is OpenCV's (when the build has it).
#include "FuzzSupport.h"

#include "imaging/ImageDecode.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    RM_FUZZ_EXPECT_ERRORS(rm::checkEncodedImage(data, size, "cutout.jpg"));
    if (!rm::imageDecodingAvailable()) return 0;
    RM_FUZZ_EXPECT_ERRORS({
        const auto image = rm::decodeImage(data, size, "cutout.jpg");
        if (image.channels != 3 || image.width <= 0 || image.height <= 0) __builtin_trap();
        if (image.pixels.size() != static_cast<std::size_t>(image.width) * image.height * 3) __builtin_trap();
    });
    return 0;
}
