#pragma once
// Encodes 8-bit RGB pixels to an image file (JPEG, or PNG etc. by the file's extension). Encoding needs
// OpenCV; a build without it still links (canWriteImages() says false and writeRgbImage throws rm::Error).
#include <cstdint>
#include <string>

namespace rm {

bool canWriteImages();

// rgb: width*height*3 bytes, interleaved, R first. jpegQuality is used for .jpg/.jpeg only. Throws rm::Error.
void writeRgbImage(const std::string& path, const std::uint8_t* rgb, int width, int height,
                   int jpegQuality = 90);

} // namespace rm
