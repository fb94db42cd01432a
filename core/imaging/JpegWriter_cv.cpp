#include "imaging/JpegWriter.h"
#include "util/Error.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cctype>

namespace rm {

bool canWriteImages()
{
    return true;
}

void writeRgbImage(const std::string& path, const std::uint8_t* rgb, int width, int height, int jpegQuality)
{
    if (width <= 0 || height <= 0 || !rgb) throw Error("cannot write " + path + ": empty image");
    cv::Mat bgr(height, width, CV_8UC3);
    // OpenCV stores colour as BGR.
    for (int y = 0; y < height; ++y) {
        const std::uint8_t* src = rgb + static_cast<std::size_t>(y) * width * 3;
        std::uint8_t* dst = bgr.ptr<std::uint8_t>(y);
        for (int x = 0; x < width; ++x) {
            dst[3 * x + 0] = src[3 * x + 2];
            dst[3 * x + 1] = src[3 * x + 1];
            dst[3 * x + 2] = src[3 * x + 0];
        }
    }
    std::string ext =
        path.substr(path.find_last_of('.') == std::string::npos ? path.size() : path.find_last_of('.'));
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    std::vector<int> params;
    if (ext == ".jpg" || ext == ".jpeg") params = {cv::IMWRITE_JPEG_QUALITY, std::clamp(jpegQuality, 1, 100)};
    bool ok = false;
    try {
        ok = cv::imwrite(path, bgr, params);
    } catch (const cv::Exception& e) {
        throw Error("cannot write " + path + ": " + e.what());
    }
    if (!ok) throw Error("cannot write " + path + " (unknown image extension or unwritable folder)");
}

} // namespace rm
