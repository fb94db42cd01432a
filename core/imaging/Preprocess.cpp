#include "imaging/Preprocess.h"

#include "util/Error.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace rm {

#ifdef RINGMINER_HAVE_OPENCV
Image resizeImageOpenCv(const Image& src, int width, int height); // Preprocess_cv.cpp
#endif

namespace {

// Plain C++ resize for builds without OpenCV. Shrinking: each output pixel is the area-weighted mean of the
// source pixels its footprint covers (what INTER_AREA does); enlarging: bilinear with pixel centres aligned.
struct Taps
{
    std::vector<int> start;     // first source index per output index
    std::vector<int> count;     // number of source taps
    std::vector<float> weights; // count weights per output index, packed
    std::vector<int> offset;    // where each output index's weights start
};

Taps makeTaps(int srcSize, int dstSize)
{
    Taps t;
    t.start.resize(dstSize);
    t.count.resize(dstSize);
    t.offset.resize(dstSize);
    const double scale = double(srcSize) / dstSize;
    for (int i = 0; i < dstSize; ++i) {
        t.offset[i] = static_cast<int>(t.weights.size());
        if (scale >= 1.0) {
            const double a = i * scale, b = (i + 1) * scale;
            int first = static_cast<int>(std::floor(a)),
                last = std::min(srcSize - 1, static_cast<int>(std::ceil(b)) - 1);
            t.start[i] = first;
            t.count[i] = last - first + 1;
            for (int s = first; s <= last; ++s) {
                double w = std::min<double>(b, s + 1) - std::max<double>(a, s);
                t.weights.push_back(static_cast<float>(std::max(0.0, w) / scale));
            }
        } else {
            double x = (i + 0.5) * scale - 0.5;
            int x0 = static_cast<int>(std::floor(x));
            double f = x - x0;
            int a = std::clamp(x0, 0, srcSize - 1), b = std::clamp(x0 + 1, 0, srcSize - 1);
            t.start[i] = a;
            t.count[i] = b == a ? 1 : 2;
            if (b == a)
                t.weights.push_back(1.0f);
            else {
                t.weights.push_back(static_cast<float>(1 - f));
                t.weights.push_back(static_cast<float>(f));
            }
        }
    }
    return t;
}

} // namespace

Image resizeImagePlain(const Image& src, int width, int height)
{
    const int c = src.channels;
    const Taps tx = makeTaps(src.width, width), ty = makeTaps(src.height, height);
    // Horizontal pass into floats, then vertical pass into bytes.
    std::vector<float> tmp(std::size_t(src.height) * width * c);
    for (int y = 0; y < src.height; ++y) {
        const std::uint8_t* row = src.row(y);
        float* out = tmp.data() + std::size_t(y) * width * c;
        for (int x = 0; x < width; ++x)
            for (int k = 0; k < c; ++k) {
                float acc = 0;
                for (int j = 0; j < tx.count[x]; ++j)
                    acc += tx.weights[tx.offset[x] + j] * row[(tx.start[x] + j) * c + k];
                out[x * c + k] = acc;
            }
    }
    Image dst(width, height, c);
    for (int y = 0; y < height; ++y) {
        std::uint8_t* out = dst.row(y);
        for (int i = 0; i < width * c; ++i) {
            float acc = 0;
            for (int j = 0; j < ty.count[y]; ++j)
                acc += ty.weights[ty.offset[y] + j] * tmp[std::size_t(ty.start[y] + j) * width * c + i];
            out[i] = static_cast<std::uint8_t>(std::clamp(std::lround(acc), 0L, 255L));
        }
    }
    return dst;
}

void validate(const PrepareParams& p)
{
    validate(p.shape());
    if (!(p.cropFraction > 0.0 && p.cropFraction <= 1.0))
        throw Error("crop fraction must be in (0, 1], got " + std::to_string(p.cropFraction));
}

Image centreCrop(const Image& src, double fraction)
{
    if (fraction >= 1.0) return src;
    const int w = std::max(1, static_cast<int>(std::lround(src.width * fraction)));
    const int h = std::max(1, static_cast<int>(std::lround(src.height * fraction)));
    const int x0 = (src.width - w) / 2, y0 = (src.height - h) / 2;
    Image out(w, h, src.channels);
    for (int y = 0; y < h; ++y)
        std::copy_n(src.row(y0 + y) + std::size_t(x0) * src.channels, std::size_t(w) * src.channels,
                    out.row(y));
    return out;
}

Image resizeImage(const Image& src, int width, int height)
{
    if (src.width == width && src.height == height) return src;
    if (src.empty()) throw Error("cannot resize an empty image");
#ifdef RINGMINER_HAVE_OPENCV
    return resizeImageOpenCv(src, width, height);
#else
    return resizeImagePlain(src, width, height);
#endif
}

Image greyMean(const Image& src)
{
    if (src.channels == 1) return src;
    Image out(src.width, src.height, 1);
    const int c = src.channels;
    const std::size_t n = std::size_t(src.width) * src.height;
    const std::uint8_t* p = src.pixels.data();
    for (std::size_t i = 0; i < n; ++i, p += c) {
        int sum = 0;
        for (int k = 0; k < c; ++k)
            sum += p[k];
        out.pixels[i] = static_cast<std::uint8_t>((2 * sum + c) / (2 * c)); // round half up
    }
    return out;
}

Image greyToRgb(const Image& src)
{
    if (src.channels != 1) throw Error("greyToRgb needs a 1-channel image");
    Image out(src.width, src.height, 3);
    for (std::size_t i = 0; i < src.pixels.size(); ++i)
        out.pixels[3 * i] = out.pixels[3 * i + 1] = out.pixels[3 * i + 2] = src.pixels[i];
    return out;
}

Image prepareImage(const Image& src, const PrepareParams& params)
{
    validate(params);
    if (src.empty() || (src.channels != 1 && src.channels != 3))
        throw Error("cannot prepare an image of " + std::to_string(src.width) + "x" +
                    std::to_string(src.height) + "x" + std::to_string(src.channels));
    Image out = resizeImage(centreCrop(src, params.cropFraction), params.width, params.height);
    // Grey after resizing: the mean is linear, so it commutes with resizing up to rounding, and it is
    // cheaper.
    if (params.channels == 1) return greyMean(out);
    if (out.channels == 1) return greyToRgb(out);
    return out;
}

} // namespace rm
