// Resizing with OpenCV. Compiled only when OpenCV is found (RINGMINER_HAVE_OPENCV).
#include "imaging/Preprocess.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace rm {

Image resizeImageOpenCv(const Image& src, int width, int height)
{
    const int type = CV_8UC(src.channels);
    const cv::Mat in(src.height, src.width, type, const_cast<std::uint8_t*>(src.pixels.data()));
    Image dst(width, height, src.channels);
    cv::Mat out(height, width, type, dst.pixels.data());
    // INTER_AREA averages every source pixel under an output pixel when shrinking; it only makes sense for
    // shrinking, so enlarging uses bilinear.
    const bool shrinking = width <= src.width && height <= src.height;
    cv::resize(in, out, out.size(), 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
    return dst;
}

} // namespace rm
