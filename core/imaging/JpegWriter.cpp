// The fallback for builds without OpenCV; the real encoder is JpegWriter_cv.cpp.
#include "imaging/JpegWriter.h"

#ifndef RINGMINER_HAVE_OPENCV
#include "util/Error.h"

namespace rm {

bool canWriteImages()
{
    return false;
}

void writeRgbImage(const std::string& path, const std::uint8_t*, int, int, int)
{
    throw Error("cannot write " + path +
                ": this build of RingMiner has no OpenCV to encode images "
                "(install the OpenCV core, imgproc and imgcodecs development packages and re-run cmake)");
}

} // namespace rm
#endif
