#include "imaging/ImageShape.h"

#include "util/Error.h"

namespace rm {

std::string ImageShape::text() const
{
    return std::to_string(width) + "x" + std::to_string(height) + "x" + std::to_string(channels);
}

void validate(const ImageShape& s)
{
    if (s.width < kMinImageSide || s.width > kMaxImageSide || s.height < kMinImageSide ||
        s.height > kMaxImageSide)
        throw Error("image size must be from " + std::to_string(kMinImageSide) + " to " +
                    std::to_string(kMaxImageSide) + " pixels, got " + std::to_string(s.width) + "x" +
                    std::to_string(s.height));
    if (s.channels != 1 && s.channels != 3)
        throw Error("image channels must be 1 (grey) or 3 (RGB), got " + std::to_string(s.channels));
}

} // namespace rm
