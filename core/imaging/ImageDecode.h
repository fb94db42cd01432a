#pragma once
// Turning JPEG/PNG bytes into an Image (RGB order), refusing anything that is not a whole image. A cutout
// service that fails often answers with an HTML page saved under a .jpg name, and an interrupted download
// leaves a truncated JPEG that libjpeg would happily "decode" into a half-grey picture; both must be errors
// naming the file, never a crash or a silently wrong image.
//
// The byte checks are plain C++; the decoding itself needs OpenCV (ImageDecode_cv.cpp). In a build without
// OpenCV, decoding throws rm::Error saying so (the headless GPU build reads the decoded-image cache instead).
#include "imaging/Image.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rm {

enum class EncodedFormat
{
    Jpeg,
    Png
};

// Throws ImageCorruptError (naming file) unless the bytes are a JPEG that ends with its end-of-image marker
// or a PNG that ends with its IEND chunk; says "HTML" when the bytes are a web page.
EncodedFormat checkEncodedImage(const std::uint8_t* data, std::size_t size, const std::string& file);

// Decodes to 8-bit RGB (3 channels; grey and paletted files are expanded, alpha dropped).
Image decodeImage(const std::uint8_t* data, std::size_t size, const std::string& file);

// Reads and decodes a file. Throws ImageMissingError when the file does not exist, ImageCorruptError when it
// is not a whole JPEG/PNG.
Image decodeImageFile(const std::string& path);

// The whole file; throws ImageMissingError if it does not exist, rm::InputError if it cannot be read.
std::vector<std::uint8_t> readFileBytes(const std::string& path);

// True when this build can decode JPEG/PNG (it was built with OpenCV).
bool imageDecodingAvailable();

} // namespace rm
