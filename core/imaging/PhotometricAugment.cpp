#include "imaging/PhotometricAugment.h"

#include "util/Random.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace rm {

namespace {

// ITU-R 601 luma, as torchvision's rgb_to_grayscale.
constexpr float kLuma[3] = {0.299f, 0.587f, 0.114f};

float clamp01(float x)
{
    return std::min(1.0f, std::max(0.0f, x));
}

void brightness(float* p, std::size_t n, float factor)
{
    for (std::size_t i = 0; i < n; ++i)
        p[i] = clamp01(p[i] * factor);
}

// Grey value of each pixel (the image itself when it has one channel).
std::vector<float> grey(const float* p, int channels, std::size_t plane)
{
    std::vector<float> g(plane);
    for (std::size_t i = 0; i < plane; ++i)
        g[i] = channels == 3 ? kLuma[0] * p[i] + kLuma[1] * p[plane + i] + kLuma[2] * p[2 * plane + i] : p[i];
    return g;
}

void contrast(float* p, int channels, std::size_t plane, float factor)
{
    const std::vector<float> g = grey(p, channels, plane);
    double sum = 0;
    for (float v : g)
        sum += v;
    const float mean = float(sum / double(plane));
    for (std::size_t i = 0; i < plane * channels; ++i)
        p[i] = clamp01(mean + factor * (p[i] - mean));
}

void saturation(float* p, std::size_t plane, float factor)
{
    const std::vector<float> g = grey(p, 3, plane);
    for (int c = 0; c < 3; ++c)
        for (std::size_t i = 0; i < plane; ++i)
            p[c * plane + i] = clamp01(g[i] + factor * (p[c * plane + i] - g[i]));
}

void greyscale(float* p, std::size_t plane)
{
    const std::vector<float> g = grey(p, 3, plane);
    for (int c = 0; c < 3; ++c)
        std::copy(g.begin(), g.end(), p + c * plane);
}

// Separable Gaussian, kernel radius ceil(3 sigma), edges replicated.
void blur(float* p, int channels, int width, int height, double sigma)
{
    const int radius = std::max(1, int(std::ceil(3 * sigma)));
    std::vector<float> kernel(2 * radius + 1);
    double sum = 0;
    for (int k = -radius; k <= radius; ++k)
        sum += kernel[k + radius] = float(std::exp(-0.5 * k * k / (sigma * sigma)));
    for (float& k : kernel)
        k = float(k / sum);
    std::vector<float> row(std::max(width, height));
    for (int c = 0; c < channels; ++c) {
        float* plane = p + std::size_t(c) * width * height;
        for (int y = 0; y < height; ++y) {
            float* line = plane + std::size_t(y) * width;
            for (int x = 0; x < width; ++x) {
                float acc = 0;
                for (int k = -radius; k <= radius; ++k)
                    acc += kernel[k + radius] * line[std::clamp(x + k, 0, width - 1)];
                row[x] = acc;
            }
            std::copy(row.begin(), row.begin() + width, line);
        }
        for (int x = 0; x < width; ++x) {
            for (int y = 0; y < height; ++y) {
                float acc = 0;
                for (int k = -radius; k <= radius; ++k)
                    acc +=
                        kernel[k + radius] * plane[std::size_t(std::clamp(y + k, 0, height - 1)) * width + x];
                row[y] = acc;
            }
            for (int y = 0; y < height; ++y)
                plane[std::size_t(y) * width + x] = row[y];
        }
    }
}

} // namespace

void applyPhotometric(float* planes, int channels, int width, int height, const AugmentParams& a,
                      std::uint64_t seed)
{
    DeterministicRandom rng(seed);
    const bool jitter = rng.uniform() < a.jitterProbability;
    const float fb = float(rng.uniform(1 - a.brightness, 1 + a.brightness));
    const float fc = float(rng.uniform(1 - a.contrast, 1 + a.contrast));
    const float fs = float(rng.uniform(1 - a.saturation, 1 + a.saturation));
    std::array<int, 3> order = {0, 1, 2};
    for (int i = 2; i > 0; --i)
        std::swap(order[i], order[rng.below(i + 1)]);
    const bool toGrey = rng.uniform() < a.grayscaleProbability;
    const bool blurred = rng.uniform() < a.blurProbability;
    const double sigma = rng.uniform(a.blurSigmaMin, a.blurSigmaMax);

    const std::size_t plane = std::size_t(width) * height;
    if (jitter)
        for (int step : order) {
            if (step == 0 && a.brightness > 0) brightness(planes, plane * channels, fb);
            if (step == 1 && a.contrast > 0) contrast(planes, channels, plane, fc);
            if (step == 2 && a.saturation > 0 && channels == 3) saturation(planes, plane, fs);
        }
    if (toGrey && channels == 3) greyscale(planes, plane);
    if (blurred && sigma > 0) blur(planes, channels, width, height, sigma);
}

} // namespace rm
