#include "imaging/Augment.h"

#include "imaging/PhotometricAugment.h"

#include "util/Error.h"
#include "util/Random.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace rm {

namespace {

constexpr double kPi = 3.14159265358979323846;

// A ∘ B: apply B, then A.
AffineMap compose(const AffineMap& A, const AffineMap& B)
{
    AffineMap r;
    r.a = A.a * B.a + A.b * B.d;
    r.b = A.a * B.b + A.b * B.e;
    r.c = A.a * B.c + A.b * B.f + A.c;
    r.d = A.d * B.a + A.e * B.d;
    r.e = A.d * B.b + A.e * B.e;
    r.f = A.d * B.c + A.e * B.f + A.f;
    return r;
}

AffineMap translate(double dx, double dy)
{
    return AffineMap{1, 0, dx, 0, 1, dy};
}
AffineMap scale(double sx, double sy)
{
    return AffineMap{sx, 0, 0, 0, sy, 0};
}

// Output pixel index -> source pixel index for a box (x0, y0, w, h) of the source, in continuous coordinates
// where pixel i covers [i, i+1): centres line up the way OpenCV's and PIL's resizers line them up.
AffineMap boxMap(double x0, double y0, double w, double h, int outWidth, int outHeight)
{
    return compose(translate(x0 - 0.5, y0 - 0.5),
                   compose(scale(w / outWidth, h / outHeight), translate(0.5, 0.5)));
}

int reflect101(int i, int n)
{
    if (n == 1) return 0;
    const int period = 2 * (n - 1);
    i %= period;
    if (i < 0) i += period;
    return i < n ? i : period - i;
}

} // namespace

void validate(const ViewParams& p)
{
    validate(p.shape());
    if (!(p.evalCropFraction > 0 && p.evalCropFraction <= 1))
        throw Error("evaluation crop fraction must be in (0, 1], got " + std::to_string(p.evalCropFraction));
    const auto& a = p.augmentation;
    if (!(a.cropScaleMin > 0 && a.cropScaleMin <= a.cropScaleMax && a.cropScaleMax <= 1))
        throw Error("augmentation crop scale range must satisfy 0 < min <= max <= 1");
    if (!(a.cropRatioMin > 0 && a.cropRatioMin <= a.cropRatioMax))
        throw Error("augmentation crop ratio range must satisfy 0 < min <= max");
    for (double strength : {a.brightness, a.contrast, a.saturation})
        if (!(strength >= 0 && strength <= 1))
            throw Error("augmentation colour jitter strengths must be in [0, 1], got " +
                        std::to_string(strength));
    for (double p : {a.jitterProbability, a.grayscaleProbability, a.blurProbability})
        if (!(p >= 0 && p <= 1))
            throw Error("augmentation probabilities must be in [0, 1], got " + std::to_string(p));
    if (!(a.blurSigmaMin > 0 && a.blurSigmaMin <= a.blurSigmaMax && a.blurSigmaMax <= 20))
        throw Error("augmentation blur sigma range must satisfy 0 < min <= max <= 20");
    const auto& n = p.normalisation;
    if (n.mean.size() != n.std.size() || (!n.mean.empty() && n.mean.size() != std::size_t(p.channels)))
        throw Error("normalisation needs one mean and one std per output channel (" +
                    std::to_string(p.channels) + "), got " + std::to_string(n.mean.size()) + " and " +
                    std::to_string(n.std.size()));
    for (float s : n.std)
        if (!(s > 0)) throw Error("normalisation std must be positive");
}

bool hasPhotometric(const AugmentParams& a)
{
    const bool jitter = a.jitterProbability > 0 && (a.brightness > 0 || a.contrast > 0 || a.saturation > 0);
    return jitter || a.grayscaleProbability > 0 || a.blurProbability > 0;
}

AugmentParams strongAugmentation(const AugmentParams& base)
{
    AugmentParams a = base;
    a.brightness = a.contrast = a.saturation = 0.4;
    a.jitterProbability = 0.8;
    a.grayscaleProbability = 0;
    a.blurProbability = 0.5;
    a.blurSigmaMin = 0.1;
    a.blurSigmaMax = 2.0;
    return a;
}

AffineMap evalMap(int srcWidth, int srcHeight, int outWidth, int outHeight, double fraction)
{
    const double w = srcWidth * fraction, h = srcHeight * fraction;
    return boxMap((srcWidth - w) / 2, (srcHeight - h) / 2, w, h, outWidth, outHeight);
}

AffineMap augmentMap(int srcWidth, int srcHeight, int outWidth, int outHeight, const AugmentParams& params,
                     std::uint64_t seed)
{
    DeterministicRandom rng(seed);
    // Every draw happens whatever the options, so turning one option off does not change the others' draws.
    const double angle = rng.uniform(0.0, 2 * kPi);
    const bool flipH = rng.coin(), flipV = rng.coin();

    // Random resized crop as torchvision/albumentations draw it: area fraction uniform, aspect log-uniform,
    // position uniform; up to 10 tries, then the largest centred crop of a clamped aspect.
    const double area = double(srcWidth) * srcHeight;
    double cw = srcWidth, ch = srcHeight, x0 = 0, y0 = 0;
    bool placed = false;
    for (int attempt = 0; attempt < 10; ++attempt) {
        const double target = area * rng.uniform(params.cropScaleMin, params.cropScaleMax);
        const double ratio =
            std::exp(rng.uniform(std::log(params.cropRatioMin), std::log(params.cropRatioMax)));
        const double w = std::sqrt(target * ratio), h = std::sqrt(target / ratio);
        const double ux = rng.uniform(), uy = rng.uniform();
        if (!placed && w <= srcWidth && h <= srcHeight) {
            cw = w;
            ch = h;
            x0 = ux * (srcWidth - w);
            y0 = uy * (srcHeight - h);
            placed = true;
        }
    }
    if (!placed) {
        const double inRatio = double(srcWidth) / srcHeight;
        if (inRatio < params.cropRatioMin)
            ch = srcWidth / params.cropRatioMin;
        else if (inRatio > params.cropRatioMax)
            cw = srcHeight * params.cropRatioMax;
        x0 = (srcWidth - cw) / 2;
        y0 = (srcHeight - ch) / 2;
    }

    // Output -> flipped output -> crop box of the rotated image -> source (inverse rotation about the
    // centre).
    AffineMap m = translate(0.5, 0.5);
    if (params.flipHorizontal && flipH) m = compose(AffineMap{-1, 0, double(outWidth), 0, 1, 0}, m);
    if (params.flipVertical && flipV) m = compose(AffineMap{1, 0, 0, 0, -1, double(outHeight)}, m);
    m = compose(translate(x0, y0), compose(scale(cw / outWidth, ch / outHeight), m));
    if (params.rotate) {
        const double cx = srcWidth / 2.0, cy = srcHeight / 2.0, co = std::cos(angle), si = std::sin(angle);
        m = compose(AffineMap{co, si, cx - co * cx - si * cy, -si, co, cy + si * cx - co * cy}, m);
    }
    return compose(translate(-0.5, -0.5), m);
}

namespace {

struct Scaling
{
    float mul[3], add[3]; // out = byte * mul + add: (byte/255 - mean) / std folded into one multiply-add
};

// Writes one output pixel from the interpolated source channels s.
template <int C, int OC>
inline void store(const float* s, const Scaling& k, float* dst, std::size_t plane, std::size_t o)
{
    if constexpr (OC == C) {
        for (int c = 0; c < C; ++c)
            dst[c * plane + o] = s[c] * k.mul[c] + k.add[c];
    } else if constexpr (OC == 1) {
        dst[o] = (s[0] + s[1] + s[2]) * (1.0f / 3.0f) * k.mul[0] + k.add[0]; // Zoobot's unweighted grey
    } else {
        for (int c = 0; c < 3; ++c)
            dst[c * plane + o] = s[0] * k.mul[c] + k.add[c];
    }
}

// The general path: bilinear at arbitrary positions. Templated on the channel counts so the inner loops
// unroll.
constexpr double kShift = 1 << 20;

template <int C, int OC>
void renderBilinear(const ImageView& src, const AffineMap& map, int outWidth, int outHeight,
                    BorderMode border, const Scaling& k, float* dst)
{
    const int W = src.width, H = src.height;
    const std::size_t plane = std::size_t(outWidth) * outHeight;
    const std::size_t stride = std::size_t(W) * C;
    for (int v = 0; v < outHeight; ++v) {
        double x = map.b * v + map.c, y = map.e * v + map.f;
        for (int u = 0; u < outWidth; ++u, x += map.a, y += map.d) {
            float s[3] = {0, 0, 0};
            // floor() by truncating a shifted value: without SSE4.1, std::floor is a library call per pixel.
            // Positions further than kShift outside the image are clamped there (they sample nothing anyway).
            const double xs = std::clamp(x, -kShift + 2, kShift), ys = std::clamp(y, -kShift + 2, kShift);
            const int x0 = static_cast<int>(xs + kShift) - static_cast<int>(kShift);
            const int y0 = static_cast<int>(ys + kShift) - static_cast<int>(kShift);
            const float fx = static_cast<float>(xs - x0), fy = static_cast<float>(ys - y0);
            const float w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
            if (x0 >= 0 && y0 >= 0 && x0 + 1 < W && y0 + 1 < H) {
                const std::uint8_t* p = src.data + y0 * stride + std::size_t(x0) * C;
                for (int c = 0; c < C; ++c)
                    s[c] = w00 * p[c] + w10 * p[C + c] + w01 * p[stride + c] + w11 * p[stride + C + c];
            } else if (border == BorderMode::Reflect || (x0 >= -1 && y0 >= -1 && x0 < W && y0 < H)) {
                const int xs[2] = {x0, x0 + 1}, ys[2] = {y0, y0 + 1};
                const float ws[4] = {w00, w10, w01, w11};
                for (int t = 0; t < 4; ++t) {
                    int xi = xs[t & 1], yi = ys[t >> 1];
                    if (border == BorderMode::Reflect) {
                        xi = reflect101(xi, W);
                        yi = reflect101(yi, H);
                    } else if (xi < 0 || yi < 0 || xi >= W || yi >= H) {
                        continue; // constant border: black outside the image
                    }
                    const std::uint8_t* p = src.data + yi * stride + std::size_t(xi) * C;
                    for (int c = 0; c < C; ++c)
                        s[c] += ws[t] * p[c];
                }
            }
            store<C, OC>(s, k, dst, plane, std::size_t(v) * outWidth + u);
        }
    }
}

// The evaluation path when the output is a whole-pixel window of the source (the cache was built at the model
// size): no interpolation, just bytes to floats.
template <int C, int OC>
void renderGrid(const ImageView& src, int x0, int y0, int outWidth, int outHeight, const Scaling& k,
                float* dst)
{
    const std::size_t plane = std::size_t(outWidth) * outHeight;
    for (int v = 0; v < outHeight; ++v) {
        const std::uint8_t* p = src.data + (std::size_t(y0 + v) * src.width + x0) * C;
        for (int u = 0; u < outWidth; ++u, p += C) {
            float s[3];
            for (int c = 0; c < C; ++c)
                s[c] = p[c];
            store<C, OC>(s, k, dst, plane, std::size_t(v) * outWidth + u);
        }
    }
}

template <int C, int OC>
void renderAny(const ImageView& src, const AffineMap& map, int outWidth, int outHeight, BorderMode border,
               const Scaling& k, float* dst)
{
    const bool unit = map.a == 1 && map.b == 0 && map.d == 0 && map.e == 1;
    const bool whole = map.c == std::floor(map.c) && map.f == std::floor(map.f);
    if (unit && whole && map.c >= 0 && map.f >= 0 && map.c + outWidth <= src.width &&
        map.f + outHeight <= src.height)
        renderGrid<C, OC>(src, static_cast<int>(map.c), static_cast<int>(map.f), outWidth, outHeight, k, dst);
    else
        renderBilinear<C, OC>(src, map, outWidth, outHeight, border, k, dst);
}

} // namespace

void renderPlanar(const ImageView& src, const AffineMap& map, int outWidth, int outHeight, int outChannels,
                  BorderMode border, const Normalisation& normalisation, float* dst)
{
    const int C = src.channels;
    if (C != 1 && C != 3) throw Error("can only render 1- or 3-channel images, got " + std::to_string(C));
    if (outChannels != 1 && outChannels != 3)
        throw Error("can only render to 1 or 3 channels, got " + std::to_string(outChannels));
    Scaling k;
    for (int c = 0; c < outChannels; ++c) {
        const bool norm = !normalisation.mean.empty();
        const float sd = norm ? normalisation.std[c] : 1.0f, mean = norm ? normalisation.mean[c] : 0.0f;
        k.mul[c] = 1.0f / (255.0f * sd);
        k.add[c] = -mean / sd;
    }
    if (C == 3 && outChannels == 3)
        renderAny<3, 3>(src, map, outWidth, outHeight, border, k, dst);
    else if (C == 3)
        renderAny<3, 1>(src, map, outWidth, outHeight, border, k, dst);
    else if (outChannels == 1)
        renderAny<1, 1>(src, map, outWidth, outHeight, border, k, dst);
    else
        renderAny<1, 3>(src, map, outWidth, outHeight, border, k, dst);
}

void renderView(const ImageView& src, const ViewParams& params, std::uint64_t seed, std::uint64_t epoch,
                std::uint64_t index, float* dst)
{
    const AffineMap map =
        params.augment ? augmentMap(src.width, src.height, params.width, params.height, params.augmentation,
                                    mixSeed(seed, epoch, index))
                       : evalMap(src.width, src.height, params.width, params.height, params.evalCropFraction);
    const BorderMode border = params.augment ? params.augmentation.border : BorderMode::Constant;
    if (!params.augment || !hasPhotometric(params.augmentation)) {
        renderPlanar(src, map, params.width, params.height, params.channels, border, params.normalisation,
                     dst);
        return;
    }
    // Colour steps need the [0, 1] image, so normalisation moves after them. Their seed is scrambled apart
    // from the geometry's, so adding them leaves the geometric draws as they were.
    renderPlanar(src, map, params.width, params.height, params.channels, border, Normalisation{}, dst);
    applyPhotometric(dst, params.channels, params.width, params.height, params.augmentation,
                     mixSeed(seed ^ 0x50686f746f6d6574ull, epoch, index));
    const auto& n = params.normalisation;
    if (n.mean.empty()) return;
    const std::size_t plane = std::size_t(params.width) * params.height;
    for (int c = 0; c < params.channels; ++c)
        for (std::size_t i = 0; i < plane; ++i)
            dst[c * plane + i] = (dst[c * plane + i] - n.mean[c]) / n.std[c];
}

} // namespace rm
