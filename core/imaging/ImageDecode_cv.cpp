// JPEG/PNG decoding with OpenCV. Compiled only when OpenCV is found (RINGMINER_HAVE_OPENCV).
#include "imaging/ImageDecode.h"

#include "imaging/ImageErrors.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace rm {

Image decodeImage(const std::uint8_t* data, std::size_t size, const std::string& file)
{
    // imdecode returns an empty Mat for garbage and libjpeg fills a truncated image with grey without
    // failing, so the bytes are checked first.
    checkEncodedImage(data, size, file);
    cv::Mat decoded;
    try {
        const cv::Mat encoded(1, static_cast<int>(size), CV_8UC1, const_cast<std::uint8_t*>(data));
        // IMREAD_COLOR gives 8-bit BGR whatever the file holds (grey, palette, 16-bit, alpha).
        decoded = cv::imdecode(encoded, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
    } catch (const cv::Exception& e) {
        throw ImageCorruptError(file, std::string("cannot be decoded: ") + e.what());
    }
    if (decoded.empty() || decoded.type() != CV_8UC3)
        throw ImageCorruptError(file, "cannot be decoded as an image (damaged or unsupported file)");
    Image out(decoded.cols, decoded.rows, 3);
    cv::Mat rgb(decoded.rows, decoded.cols, CV_8UC3, out.pixels.data());
    cv::cvtColor(decoded, rgb, cv::COLOR_BGR2RGB); // OpenCV decodes to BGR; everything else here is RGB
    return out;
}

bool imageDecodingAvailable()
{
    return true;
}

} // namespace rm
