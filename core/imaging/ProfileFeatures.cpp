#include "imaging/ProfileFeatures.h"

#include "util/Error.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace rm {

namespace {

// Keeps log ratios finite on black sky; small against the [0, 1] pixel range.
constexpr double kEps = 1e-3;
constexpr int kSectors = 8;

} // namespace

std::vector<std::string> profileFeatureNames(int channels)
{
    std::vector<std::string> names;
    names.push_back("log_centre_brightness");
    for (int k = 1; k < kProfileBins; ++k)
        names.push_back("profile_" + std::to_string(k));
    for (int k = 0; k + 1 < kProfileBins; ++k)
        names.push_back("slope_" + std::to_string(k));
    names.push_back("ring_bump");
    names.push_back("azimuthal_cv_inner");
    names.push_back("azimuthal_cv_outer");
    if (channels == 3)
        for (const char* zone : {"centre", "inner", "outer"}) {
            names.push_back(std::string("log_r_over_g_") + zone);
            names.push_back(std::string("log_b_over_g_") + zone);
        }
    return names;
}

std::vector<double> profileFeatures(const float* planar, int channels, int height, int width)
{
    if (channels != 1 && channels != 3)
        throw Error("profile features need 1 or 3 channels, got " + std::to_string(channels));
    if (width < 8 || height < 8)
        throw Error("profile features need at least 8x8 pixels, got " + std::to_string(width) + "x" +
                    std::to_string(height));
    const std::size_t plane = std::size_t(width) * height;
    const double cx = (width - 1) / 2.0, cy = (height - 1) / 2.0;
    const double rMax = std::min(width, height) / 2.0;

    std::array<double, kProfileBins> sum{}, count{};
    // Azimuthal sectors of the inner (r < rMax/3) and outer (rMax/3 .. rMax) zones.
    std::array<std::array<double, kSectors>, 2> sectorSum{}, sectorCount{};
    // Colour sums per zone (centre r < rMax/8, inner < rMax/3, outer < rMax) and channel.
    std::array<std::array<double, 3>, 3> zoneSum{};
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            const double dx = x - cx, dy = y - cy;
            const double r = std::sqrt(dx * dx + dy * dy);
            if (r >= rMax) continue;
            const std::size_t p = std::size_t(y) * width + x;
            double grey = 0;
            for (int c = 0; c < channels; ++c)
                grey += planar[c * plane + p];
            grey /= channels;
            const int bin = std::min(kProfileBins - 1, static_cast<int>(r / rMax * kProfileBins));
            sum[bin] += grey;
            count[bin] += 1;
            const int zone2 = r < rMax / 3 ? 0 : 1;
            const double angle = std::atan2(dy, dx) + M_PI; // 0 .. 2 pi
            const int sector = std::min(kSectors - 1, static_cast<int>(angle / (2 * M_PI) * kSectors));
            sectorSum[zone2][sector] += grey;
            sectorCount[zone2][sector] += 1;
            if (channels == 3) {
                const int zone3 = r < rMax / 8 ? 0 : r < rMax / 3 ? 1 : 2;
                for (int c = 0; c < 3; ++c)
                    zoneSum[zone3][c] += planar[c * plane + p];
            }
        }

    std::array<double, kProfileBins> level{};
    for (int k = 0; k < kProfileBins; ++k)
        level[k] = count[k] > 0 ? sum[k] / count[k] : 0.0;
    // Profile relative to the centre, in log: scale-free, so a faint ring galaxy and a bright one compare.
    std::array<double, kProfileBins> q{};
    for (int k = 0; k < kProfileBins; ++k)
        q[k] = std::log((level[k] + kEps) / (level[0] + kEps));

    std::vector<double> out;
    out.reserve(40);
    out.push_back(std::log(level[0] + kEps));
    for (int k = 1; k < kProfileBins; ++k)
        out.push_back(q[k]);
    for (int k = 0; k + 1 < kProfileBins; ++k)
        out.push_back(q[k + 1] - q[k]);
    // A ring is a bump on the (log) profile: the most the profile stands above the chord between its
    // neighbours two bins away. A bulge + exponential disc is convex there (negative values); a ring is not.
    double bump = -1e9;
    for (int k = 2; k + 2 < kProfileBins; ++k)
        bump = std::max(bump, q[k] - (q[k - 2] + q[k + 2]) / 2);
    out.push_back(bump);
    for (int z = 0; z < 2; ++z) {
        double mean = 0, sq = 0;
        int n = 0;
        for (int s = 0; s < kSectors; ++s) {
            if (sectorCount[z][s] == 0) continue;
            const double v = sectorSum[z][s] / sectorCount[z][s];
            mean += v;
            sq += v * v;
            ++n;
        }
        mean = n ? mean / n : 0;
        const double sd = n ? std::sqrt(std::max(0.0, sq / n - mean * mean)) : 0;
        out.push_back(sd / (mean + kEps));
    }
    if (channels == 3)
        for (int z = 0; z < 3; ++z) {
            const double g = zoneSum[z][1] + kEps;
            out.push_back(std::log((zoneSum[z][0] + kEps) / g));
            out.push_back(std::log((zoneSum[z][2] + kEps) / g));
        }
    return out;
}

} // namespace rm
