#include "synthetic/SyntheticGalaxy.h"

#include "util/Random.h"

#include <algorithm>
#include <cmath>

namespace rm {

namespace {

constexpr double kPi = 3.14159265358979323846;

double smoothstep(double e0, double e1, double x)
{
    if (e1 <= e0) return x < e0 ? 0.0 : 1.0;
    double t = std::clamp((x - e0) / (e1 - e0), 0.0, 1.0);
    return t * t * (3 - 2 * t);
}

// Ciotti & Bertin (1999) asymptotic b_n, good to 1e-4 for n >= 0.36.
double sersicB(double n)
{
    return 2 * n - 1.0 / 3 + 4 / (405 * n) + 46 / (25515 * n * n);
}

Rgb tinted(SynthRng& rng, Rgb base, double jitter)
{
    // Small random colour changes of red and blue around green, so the overall brightness hardly drifts.
    double dr = rng.uniform(-jitter, jitter), db = rng.uniform(-jitter, jitter);
    return {static_cast<float>(base.r * (1 + dr)), base.g, static_cast<float>(base.b * (1 + db))};
}

// Planar linear-flux image: three float planes, the renderer's working space before the stretch.
struct Planes
{
    int n = 0;
    std::vector<float> c[3];
    explicit Planes(int size) : n(size)
    {
        for (auto& p : c)
            p.assign(static_cast<std::size_t>(size) * size, 0.0f);
    }
    void add(std::size_t i, double v, const Rgb& col)
    {
        c[0][i] += static_cast<float>(v * col.r);
        c[1][i] += static_cast<float>(v * col.g);
        c[2][i] += static_cast<float>(v * col.b);
    }
};

// A small elliptical source (knot, clump, star wing, field galaxy, companion) added as a stamp.
enum class Profile
{
    Gaussian,
    Exponential,
    Sersic
};
struct Blob
{
    double x = 0, y = 0; // image position, px (pixel centres at i + 0.5)
    double flux = 0;     // total flux for Gaussian/Exponential; Ie for Sersic
    double scale = 1;    // sigma, scale length or Re, px
    double q = 1, angle = 0, n = 1;
    Profile profile = Profile::Gaussian;
    Rgb colour;
};

void addBlob(Planes& img, const Blob& b)
{
    const double reach = b.profile == Profile::Gaussian      ? 3.5 * b.scale
                         : b.profile == Profile::Exponential ? 7 * b.scale
                                                             : 6 * b.scale;
    const int x0 = std::max(0, static_cast<int>(std::floor(b.x - reach - 1)));
    const int x1 = std::min(img.n - 1, static_cast<int>(std::ceil(b.x + reach + 1)));
    const int y0 = std::max(0, static_cast<int>(std::floor(b.y - reach - 1)));
    const int y1 = std::min(img.n - 1, static_cast<int>(std::ceil(b.y + reach + 1)));
    if (x0 > x1 || y0 > y1) return;
    const double ca = std::cos(b.angle), sa = std::sin(b.angle);
    const double q = std::max(0.05, b.q);
    // Central surface brightness: total flux / (2 pi scale^2 q) for both a Gaussian and an exponential.
    const bool sersic = b.profile == Profile::Sersic;
    const double norm = sersic ? b.flux : b.flux / (2 * kPi * b.scale * b.scale * q);
    const double bn = sersic ? sersicB(b.n) : 0;
    // Sources a few pixels across are averaged over a 3x3 sub-grid so tiny knots keep their flux.
    const int sub = b.scale < 1.5 ? 3 : 1;
    const double step = 1.0 / sub;
    for (int y = y0; y <= y1; ++y) {
        for (int x = x0; x <= x1; ++x) {
            double sum = 0;
            for (int sy = 0; sy < sub; ++sy) {
                for (int sx = 0; sx < sub; ++sx) {
                    const double dx = x + (sx + 0.5) * step - b.x, dy = y + (sy + 0.5) * step - b.y;
                    const double u = dx * ca + dy * sa, v = (-dx * sa + dy * ca) / q;
                    const double r2 = (u * u + v * v) / (b.scale * b.scale);
                    if (b.profile == Profile::Gaussian) {
                        if (r2 < 12.25) sum += std::exp(-0.5 * r2);
                    } else if (b.profile == Profile::Exponential) {
                        if (r2 < 49) sum += std::exp(-std::sqrt(r2));
                    } else {
                        const double r = std::max(std::sqrt(r2), 1e-3);
                        if (r < 6) sum += std::exp(-bn * (std::pow(r, 1 / b.n) - 1));
                    }
                }
            }
            if (sum > 0) img.add(static_cast<std::size_t>(y) * img.n + x, norm * sum / (sub * sub), b.colour);
        }
    }
}

// dst += w * src. Fixed 8-wide blocks let GCC's -O2 (very cheap vectoriser cost model) emit SIMD code: the
// blur is most of the rendering time.
inline void axpy(float* __restrict dst, const float* __restrict src, float w, int n)
{
    int x = 0;
    for (; x + 8 <= n; x += 8)
        for (int l = 0; l < 8; ++l)
            dst[x + l] += w * src[x + l];
    for (; x < n; ++x)
        dst[x] += w * src[x];
}

// Gaussian blur, separable, clamp-to-edge.
void blurPlane(std::vector<float>& plane, int n, double sigma, std::vector<float>& scratch)
{
    if (sigma <= 0.05) return;
    const int radius = std::max(1, static_cast<int>(std::ceil(3 * sigma)));
    std::vector<float> k(2 * radius + 1);
    double total = 0;
    for (int i = -radius; i <= radius; ++i)
        total += k[i + radius] = static_cast<float>(std::exp(-0.5 * i * i / (sigma * sigma)));
    for (auto& w : k)
        w = static_cast<float>(w / total);
    scratch.resize(plane.size());
    std::vector<float> row(n + 2 * radius);
    for (int y = 0; y < n; ++y) { // horizontal: plane -> scratch
        const float* src = &plane[static_cast<std::size_t>(y) * n];
        for (int i = 0; i < n + 2 * radius; ++i)
            row[i] = src[std::clamp(i - radius, 0, n - 1)];
        float* dst = &scratch[static_cast<std::size_t>(y) * n];
        std::fill(dst, dst + n, 0.0f);
        for (int j = 0; j <= 2 * radius; ++j)
            axpy(dst, row.data() + j, k[j], n);
    }
    std::vector<float> acc(n);
    for (int y = 0; y < n; ++y) { // vertical: scratch -> plane, row-wise for cache friendliness
        std::fill(acc.begin(), acc.end(), 0.0f);
        for (int j = -radius; j <= radius; ++j) {
            axpy(acc.data(), &scratch[static_cast<std::size_t>(std::clamp(y + j, 0, n - 1)) * n],
                 k[j + radius], n);
        }
        std::copy(acc.begin(), acc.end(), plane.begin() + static_cast<std::size_t>(y) * n);
    }
}

// Sum of squared weights of the normalised 2-D Gaussian kernel: how much blurring white noise shrinks its
// variance, so the noise can be rescaled to the sigma asked for.
double blurVarianceFactor(double sigma)
{
    if (sigma <= 0.05) return 1;
    const int radius = std::max(1, static_cast<int>(std::ceil(3 * sigma)));
    double total = 0, squares = 0;
    for (int i = -radius; i <= radius; ++i) {
        double w = std::exp(-0.5 * i * i / (sigma * sigma));
        total += w;
        squares += w * w;
    }
    const double f = squares / (total * total);
    return f * f;
}

// Pixel noise needs hundreds of thousands of deviates per image: SplitMix64 (seeded from the galaxy's seed)
// is several times faster than the Mersenne Twister, and an Irwin-Hall sum of four 16-bit uniforms from one
// call is portable and Gaussian enough for sky noise (tails cut at 3.5 sigma).
struct PixelRng
{
    std::uint64_t state;
    std::uint64_t operator()() { return splitMix64(state); }
};

inline float fastNormal(PixelRng& e)
{
    const std::uint64_t v = e();
    const double s =
        static_cast<double>((v & 0xFFFF) + ((v >> 16) & 0xFFFF) + ((v >> 32) & 0xFFFF) + (v >> 48));
    return static_cast<float>((s / 65536.0 - 2.0) * 1.7320508075688772);
}

// Projects a disc-plane point to image pixel coordinates.
struct Projector
{
    double cx, cy, cp, sp, cosInc;
    void toImage(double xd, double yd, double& x, double& y) const
    {
        const double u = xd, v = yd * cosInc;
        x = cx + u * cp - v * sp;
        y = cy + u * sp + v * cp;
    }
};

// The radius of a (possibly pseudo) ring at disc-plane azimuth phi in the ring's own frame, and its
// brightness weight there (0 in the gaps of a pseudo-ring).
double ringAt(const RingParams& ring, double phi, double& weight)
{
    weight = 1;
    if (ring.pseudoArms <= 0) return ring.radius;
    const double sector = 2 * kPi / ring.pseudoArms;
    double best = ring.radius, bestWeight = 0;
    for (int k = 0; k < ring.pseudoArms; ++k) {
        double t = std::fmod(phi - ring.pseudoPhase - k * sector, 2 * kPi);
        if (t < 0) t += 2 * kPi;
        if (t >= ring.pseudoSpan) continue;
        // Each arm brightens from its start and fades out at its tip: the broken look of a pseudo-ring.
        const double w =
            std::sqrt(std::sin(kPi * t / ring.pseudoSpan)) * (0.6 + 0.4 * (1 - t / ring.pseudoSpan));
        if (w > bestWeight) {
            bestWeight = w;
            best = ring.radius * std::exp(ring.pseudoGrowth * t);
        }
    }
    weight = bestWeight;
    return best;
}

double ringFlux(const RingParams& ring)
{
    double span = ring.pseudoArms > 0 ? ring.pseudoArms * ring.pseudoSpan * 0.6 : 2 * kPi;
    return ring.amplitude * std::sqrt(2 * kPi) * ring.width * span * ring.radius * (1 + ring.axisRatio) / 2;
}

} // namespace

// ---- SynthRng ---------------------------------------------------------------------------------------------

double SynthRng::logUniform(double lo, double hi)
{
    return lo * std::exp(uniform() * std::log(hi / lo));
}

int SynthRng::integer(int lo, int hi)
{
    if (hi <= lo) return lo;
    const std::uint64_t span = static_cast<std::uint64_t>(hi - lo) + 1;
    return lo + static_cast<int>(m_engine() % span); // span is tiny: the modulo bias is ~1e-18
}

double SynthRng::normal(double mean, double sd)
{
    const double u1 = 1.0 - uniform(); // (0, 1]: log is finite
    const double u2 = uniform();
    return mean + sd * std::sqrt(-2 * std::log(u1)) * std::cos(2 * kPi * u2);
}

int SynthRng::poisson(double mean)
{
    if (mean <= 0) return 0;
    const double limit = std::exp(-std::min(mean, 500.0));
    double p = 1;
    int k = -1;
    do {
        ++k;
        p *= uniform();
    } while (p > limit && k < 10000);
    return k;
}

std::uint64_t mixSeed(std::uint64_t seed, std::uint64_t stream)
{
    return splitMix64Finalize(seed + 0x9E3779B97F4A7C15ull * (stream + 1));
}

const char* morphologyName(Morphology m)
{
    switch (m) {
    case Morphology::Elliptical:
        return "elliptical";
    case Morphology::Lenticular:
        return "lenticular";
    case Morphology::Spiral:
        return "spiral";
    case Morphology::BarredSpiral:
        return "barred-spiral";
    case Morphology::EdgeOn:
        return "edge-on";
    case Morphology::Irregular:
        return "irregular";
    case Morphology::TightSpiral:
        return "tight-spiral";
    case Morphology::LensS0:
        return "lens-s0";
    }
    return "?";
}

const char* ringTypeName(RingType t)
{
    switch (t) {
    case RingType::None:
        return "";
    case RingType::Inner:
        return "inner";
    case RingType::Outer:
        return "outer";
    case RingType::InnerOuter:
        return "inner+outer";
    case RingType::Pseudo:
        return "pseudo";
    case RingType::Collisional:
        return "collisional";
    }
    return "?";
}

// ---- parameters -----------------------------------------------------------------------------------------

namespace {

const Rgb kOld{1.09f, 1.0f, 0.88f};   // bulges, bars, ellipticals: the yellowish old population
const Rgb kDisc{1.07f, 1.0f, 0.92f};  // discs: the warm grey of Galaxy Zoo DECaLS composites
const Rgb kYoung{0.97f, 1.0f, 1.04f}; // arms and rings: young stars
const Rgb kKnot{0.93f, 0.99f, 1.08f}; // star-forming knots: bluer still

void drawRing(SynthRng& rng, RingParams& ring, double radius, double relWidth, double contrast,
              double discAtR, double knotFraction, int knots)
{
    ring.radius = radius;
    ring.width = std::max(0.8, relWidth * radius);
    ring.amplitude = contrast * discAtR;
    ring.axisRatio = rng.uniform(0.78, 0.97);
    ring.knotFraction = knotFraction;
    ring.knotCount = knots;
    ring.colour = tinted(rng, kYoung, 0.04);
    ring.ansae = rng.uniform(0, 0.35);
}

} // namespace

GalaxyParams drawGalaxyParams(SynthRng& rng, Morphology morph, RingType ringType, int size)
{
    GalaxyParams p;
    p.size = size;
    p.seed = rng.next();
    p.morphology = morph;
    p.ringType = ringType;
    const double s =
        size / 256.0; // all lengths scale with the cutout, as Galaxy Zoo cutouts scale with the galaxy

    p.cx = size / 2.0 + rng.normal(0, 0.6 * s);
    p.cy = size / 2.0 + rng.normal(0, 0.6 * s);
    p.pa = rng.uniform(0, kPi);
    const bool ringed = ringType != RingType::None;
    // Rings are catalogued mostly in discs that are not too inclined; non-rings span all inclinations.
    p.cosInc = morph == Morphology::EdgeOn ? rng.uniform(0.03, 0.2)
               : ringed                    ? rng.uniform(0.45, 1.0)
                                           : rng.uniform(0.25, 1.0);
    p.thickness = rng.uniform(0.08, 0.16);

    const double rVis = rng.uniform(0.18, 0.27) * size; // visible radius: galaxy diameter 36-54% of the frame
    p.diameterPx = 2 * rVis;
    const double brightness = rng.logUniform(0.55, 1.3);

    p.discH = rVis / rng.uniform(3.0, 3.6);
    const double h = p.discH;
    p.discI0 = brightness * rng.uniform(1.0, 1.6);
    p.discColour = tinted(rng, kDisc, 0.03);
    p.bulgeColour = tinted(rng, kOld, 0.04);
    p.armColour = tinted(rng, kYoung, 0.04);
    p.bulgeQ = rng.uniform(0.75, 1.0);

    p.psfSigma = s * rng.uniform(1.5, 2.6);
    p.skyNoise = rng.uniform(0.011, 0.018);
    p.gain = rng.uniform(0.0002, 0.0006);
    p.pedestal = rng.uniform(0.045, 0.07);
    p.stretchSoft = rng.uniform(0.07, 0.09);
    p.starDensity = rng.uniform(1, 6);
    p.galaxyDensity = rng.uniform(6, 18);

    auto discAt = [&](double r) { return p.discI0 * std::exp(-r / h); };
    auto addBar = [&](double lengthInH) {
        p.barLength = lengthInH * h;
        p.barQ = rng.uniform(0.22, 0.4);
        p.barAngle = rng.uniform(0, 2 * kPi);
        p.barAmp = discAt(0.5 * p.barLength) * rng.uniform(0.6, 1.4);
    };
    auto addArms = [&](int arms, double pitchDeg, double amp, double inner, double outer) {
        p.arms = arms;
        p.pitch = pitchDeg * kPi / 180;
        p.armAmp = amp;
        p.armInner = inner;
        p.armOuter = outer;
        p.armPhase = p.barLength > 0 ? p.barAngle : rng.uniform(0, 2 * kPi);
        p.armSharpness = rng.uniform(2, 5);
        p.armKnotFraction = rng.uniform(0.01, 0.06);
        p.armKnotCount = rng.integer(10, 30);
    };

    switch (morph) {
    case Morphology::Elliptical:
        p.discI0 = 0;
        p.bulgeN = rng.uniform(2.5, 4.5);
        p.bulgeQ = rng.uniform(0.55, 1.0);
        p.bulgeRe = rVis / rng.uniform(2.2, 2.8);
        p.bulgeIe = brightness * rng.uniform(0.25, 0.5);
        p.bulgeColour = tinted(rng, {1.09f, 1.0f, 0.88f}, 0.03);
        break;
    case Morphology::Lenticular:
    case Morphology::LensS0:
        p.bulgeN = rng.uniform(2, 4);
        p.bulgeRe = h * rng.uniform(0.12, 0.3);
        p.bulgeIe = brightness * rng.uniform(1.0, 3.0);
        p.discColour = tinted(rng, {1.05f, 1.0f, 0.93f}, 0.03);
        if (morph == Morphology::LensS0) {
            p.lensRadius = h * rng.uniform(1.0, 1.8);
            p.lensAmp = discAt(p.lensRadius) * rng.uniform(0.8, 1.8);
        }
        break;
    case Morphology::Spiral:
    case Morphology::BarredSpiral:
    case Morphology::TightSpiral:
        p.bulgeN = rng.uniform(1, 3);
        p.bulgeRe = h * rng.uniform(0.1, 0.25);
        p.bulgeIe = brightness * rng.uniform(0.4, 1.4);
        if (morph == Morphology::BarredSpiral) addBar(rng.uniform(1.0, 1.6));
        if (morph == Morphology::TightSpiral)
            addArms(2, rng.uniform(7, 11), rng.uniform(0.35, 0.6), h * rng.uniform(0.8, 1.2),
                    h * rng.uniform(2.4, 3.2));
        else
            addArms(rng.chance(0.7) ? 2 : rng.integer(3, 4), rng.uniform(12, 28),
                    ringed ? rng.uniform(0.1, 0.3) : rng.uniform(0.25, 0.65),
                    std::max(p.barLength, h * rng.uniform(0.5, 1.0)), h * rng.uniform(3.2, 4.2));
        if (p.cosInc < 0.4) p.dust = rng.uniform(0.3, 1.0);
        break;
    case Morphology::EdgeOn:
        p.bulgeN = rng.uniform(1.5, 3.5);
        p.bulgeRe = h * rng.uniform(0.2, 0.45);
        p.bulgeIe = brightness * rng.uniform(0.4, 1.5);
        p.dust = rng.chance(0.7) ? rng.uniform(0.5, 1.6) : 0;
        addArms(2, rng.uniform(12, 25), rng.uniform(0.2, 0.5), h * 0.6, h * 3.8);
        break;
    case Morphology::Irregular:
        p.bulgeIe = 0;
        p.discH = h * rng.uniform(0.7, 1.0);
        p.discI0 = brightness * rng.uniform(0.35, 0.7);
        p.discColour = tinted(rng, {0.88f, 0.98f, 1.16f}, 0.04);
        p.clumps = rng.integer(3, 9);
        p.clumpFraction = rng.uniform(0.3, 0.6);
        break;
    }

    // Rings: placed relative to the bar (inner rings at the bar ends, outer rings at ~2.2 bar radii, the
    // resonances where gas collects) or to the disc scale length in unbarred hosts.
    const bool ringKnotty = morph != Morphology::Lenticular;
    auto innerRadius = [&] {
        return p.barLength > 0 ? p.barLength * rng.uniform(0.95, 1.1) : h * rng.uniform(1.0, 1.5);
    };
    auto outerRadius = [&] {
        return p.barLength > 0 ? p.barLength * rng.uniform(2.0, 2.4) : h * rng.uniform(2.4, 3.3);
    };
    auto makeInner = [&] {
        const double r = innerRadius();
        drawRing(rng, p.inner, r, rng.uniform(0.1, 0.17), rng.logUniform(0.8, 3.0), discAt(r),
                 ringKnotty ? rng.uniform(0.03, 0.15) : rng.uniform(0, 0.05), rng.integer(10, 26));
        p.inner.angle = p.barAngle;
        if (p.armInner > 0) p.armInner = std::max(p.armInner, r * 1.05);
    };
    auto makeOuter = [&] {
        const double r = outerRadius();
        drawRing(rng, p.outer, r, rng.uniform(0.1, 0.18), rng.logUniform(1.0, 3.5), discAt(r),
                 ringKnotty ? rng.uniform(0.04, 0.18) : rng.uniform(0, 0.06), rng.integer(12, 30));
        p.outer.angle =
            p.barAngle + (rng.chance(0.6) ? kPi / 2 : 0); // R1 perpendicular to the bar, R2 parallel
        if (p.armOuter > 0) p.armOuter = std::min(p.armOuter, r * 0.95);
    };

    switch (ringType) {
    case RingType::None:
        break;
    case RingType::Inner:
        makeInner();
        break;
    case RingType::Outer:
        makeOuter();
        break;
    case RingType::InnerOuter:
        makeInner();
        makeOuter();
        p.gapDepth = rng.uniform(0.2, 0.6); // the dark zone between the rings (stars swept to the resonances)
        break;
    case RingType::Pseudo: {
        // Two arms that wind tightly into an almost-closed ring, either around the bar (rs) or far out (R').
        const bool outer = rng.chance(0.6);
        RingParams& ring = outer ? p.outer : p.inner;
        const double r = outer ? outerRadius() * 0.85 : innerRadius();
        drawRing(rng, ring, r, rng.uniform(0.08, 0.13), rng.logUniform(1.2, 3.5), discAt(r),
                 rng.uniform(0.06, 0.2), rng.integer(10, 24));
        ring.angle = p.barAngle;
        ring.pseudoArms = 2;
        ring.pseudoSpan = kPi * rng.uniform(0.75, 1.1);
        ring.pseudoGrowth = rng.uniform(0.03, 0.07);
        ring.pseudoPhase = p.barLength > 0 ? p.barAngle : rng.uniform(0, 2 * kPi);
        if (p.arms == 0)
            addArms(2, rng.uniform(14, 24), rng.uniform(0.3, 0.6), std::max(p.barLength, 0.6 * h), r);
        if (outer)
            p.armOuter = std::min(p.armOuter, r);
        else
            p.armInner = std::max(p.armInner, r * 1.1);
        break;
    }
    case RingType::Collisional: {
        // A Cartwheel-like ring: an expanding density wave off-centre from the nucleus, knotty and blue, with
        // the intruder still nearby and little disc left inside.
        const double r = rVis * rng.uniform(0.7, 0.9);
        p.discI0 *= rng.uniform(0.3, 0.55);
        p.discH = r * rng.uniform(0.4, 0.6);
        p.arms = 0;
        p.armAmp = 0;
        p.barLength = 0;
        drawRing(rng, p.outer, r, rng.uniform(0.07, 0.13), 1.0, 1.0, rng.uniform(0.3, 0.5),
                 rng.integer(12, 26));
        p.outer.amplitude = brightness * rng.uniform(0.2, 0.45);
        p.outer.colour = tinted(rng, {0.88f, 0.98f, 1.16f}, 0.04);
        const double off = r * rng.uniform(0.1, 0.3), offAngle = rng.uniform(0, 2 * kPi);
        p.outer.offsetX = off * std::cos(offAngle);
        p.outer.offsetY = off * std::sin(offAngle);
        p.outer.lopsided = rng.uniform(0.3, 0.7);
        p.outer.angle = offAngle;
        const double dist = r * rng.uniform(1.25, 1.7) * std::max(p.cosInc, 0.7),
                     ang = rng.uniform(0, 2 * kPi);
        p.companionDx = dist * std::cos(ang);
        p.companionDy = dist * std::sin(ang);
        p.companionRe = r * rng.uniform(0.12, 0.22);
        p.companionIe = brightness * rng.uniform(0.3, 0.8);
        p.companionQ = rng.uniform(0.6, 1.0);
        p.companionPa = rng.uniform(0, kPi);
        break;
    }
    }
    // An occasional unrelated neighbour, so that a companion alone never gives a collisional ring away.
    if (ringType != RingType::Collisional && rng.chance(0.08)) {
        const double dist = rVis * rng.uniform(1.2, 1.8), ang = rng.uniform(0, 2 * kPi);
        p.companionDx = dist * std::cos(ang);
        p.companionDy = dist * std::sin(ang);
        p.companionRe = rVis * rng.uniform(0.08, 0.18);
        p.companionIe = brightness * rng.uniform(0.2, 0.6);
        p.companionQ = rng.uniform(0.5, 1.0);
        p.companionPa = rng.uniform(0, kPi);
    }
    // Keep every ring well inside the frame (Galaxy Zoo cutouts are sized to the whole galaxy), and count an
    // outer ring that reaches beyond the disc's visible edge in the visible diameter.
    for (RingParams* ring : {&p.inner, &p.outer}) {
        const double extent = ring->radius * std::exp(ring->pseudoGrowth * ring->pseudoSpan) +
                              std::hypot(ring->offsetX, ring->offsetY) + 2 * ring->width;
        if (extent > 0.34 * size) {
            const double f = 0.34 * size / extent;
            ring->radius *= f;
            ring->width *= f;
            ring->offsetX *= f;
            ring->offsetY *= f;
        }
    }
    for (const RingParams* ring : {&p.inner, &p.outer})
        if (ring->amplitude > 0)
            p.diameterPx =
                std::max(p.diameterPx, 2 * (ring->radius * std::exp(ring->pseudoGrowth * ring->pseudoSpan) +
                                            std::hypot(ring->offsetX, ring->offsetY) + 2 * ring->width));
    return p;
}

GalaxyParams withoutRings(GalaxyParams p)
{
    p.inner.amplitude = 0;
    p.outer.amplitude = 0;
    p.gapDepth = 0;
    return p;
}

// ---- rendering
// ----------------------------------------------------------------------------------------------

namespace {

void renderSmooth(const GalaxyParams& p, Planes& img)
{
    const int n = p.size;
    const double cp = std::cos(p.pa), sp = std::sin(p.pa);
    const double cosInc = std::clamp(p.cosInc, 0.02, 1.0);
    // Thick discs do not become lines edge-on: their apparent axis ratio bottoms out at the intrinsic
    // thickness.
    const double qDisc = std::sqrt(cosInc * cosInc + p.thickness * p.thickness * (1 - cosInc * cosInc));
    const double discBoost =
        std::min(3.0, 1 / std::sqrt(qDisc)); // inclined discs pile up light along the line of sight
    const double h = p.discH;
    const double bn = sersicB(p.bulgeN);
    const double invN = 1 / p.bulgeN;
    const double bulgeCut =
        p.bulgeIe > 0 ? p.bulgeRe * std::pow(1 + std::log(std::max(p.bulgeIe / 2e-4, 1.0)) / bn, p.bulgeN)
                      : 0;
    const double discCut = p.discI0 > 0 ? h * std::log(std::max(p.discI0 * discBoost / 2e-4, 1.0)) : 0;
    double reach = std::max({bulgeCut, discCut, p.lensRadius * 1.5});
    for (const RingParams* r : {&p.inner, &p.outer})
        if (r->amplitude > 0)
            reach = std::max(reach, r->radius * std::exp(r->pseudoGrowth * r->pseudoSpan) +
                                        std::hypot(r->offsetX, r->offsetY) + 5 * r->width);
    const double reach2 = reach * reach;

    const double tanPitch = std::tan(std::max(p.pitch, 0.02));
    const double sharp = p.armSharpness;
    // Mean of ((1 + cos)/2)^k over a turn, so the arm modulation redistributes the disc light without adding
    // any.
    const double armMean = std::exp(std::lgamma(sharp + 0.5) - std::lgamma(sharp + 1) - 0.5 * std::log(kPi));
    const double armR0 = std::max(p.armInner, 0.3 * h);
    const double cb = std::cos(p.barAngle), sb = std::sin(p.barAngle);
    const double gapInner = p.inner.radius > 0 ? p.inner.radius : p.barLength;
    const double gapCentre = 0.5 * (gapInner + p.outer.radius), gapWidth = 0.2 * (p.outer.radius - gapInner);
    const Rgb barColour{0.5f * (p.bulgeColour.r + p.discColour.r), 0.5f * (p.bulgeColour.g + p.discColour.g),
                        0.5f * (p.bulgeColour.b + p.discColour.b)};
    const double dustWidth = 0.35 * qDisc * h, dustOffset = 0.25 * qDisc * h;

    for (int y = 0; y < n; ++y) {
        const double dy = y + 0.5 - p.cy;
        for (int x = 0; x < n; ++x) {
            const double dx = x + 0.5 - p.cx;
            if (dx * dx + dy * dy > reach2) continue;
            const std::size_t idx = static_cast<std::size_t>(y) * n + x;
            const double u = dx * cp + dy * sp, v = -dx * sp + dy * cp;
            const double xd = u, yd = v / cosInc; // position in the plane of a thin disc
            const double r = std::sqrt(xd * xd + yd * yd);
            double dust = 1;
            if (p.dust > 0) {
                const double t = (v - dustOffset) / dustWidth;
                dust = std::exp(-p.dust * std::exp(-0.5 * t * t) * std::exp(-r / (3 * h)));
            }

            if (p.bulgeIe > 0) {
                const double rb = std::sqrt(u * u + v * v / (p.bulgeQ * p.bulgeQ));
                if (rb < bulgeCut) {
                    const double x1 = std::max(rb, 0.3) / p.bulgeRe;
                    img.add(idx, dust * p.bulgeIe * std::exp(-bn * (std::exp(std::log(x1) * invN) - 1)),
                            p.bulgeColour);
                }
            }
            if (p.discI0 > 0) {
                const double rDisc = std::sqrt(u * u + v * v / (qDisc * qDisc));
                double disc = p.discI0 * discBoost * std::exp(-rDisc / h);
                if (p.gapDepth > 0 && gapWidth > 0) {
                    const double t = (r - gapCentre) / gapWidth;
                    disc *= 1 - p.gapDepth * std::exp(-0.5 * t * t);
                }
                if (p.lensAmp > 0)
                    disc += p.lensAmp / (1 + std::exp((r - p.lensRadius) / (0.07 * p.lensRadius)));
                double armLight = 0;
                if (p.arms > 0 && p.armAmp > 0 && r > 0.7 * p.armInner && r < 1.3 * p.armOuter) {
                    const double a = p.armAmp * smoothstep(0.7 * p.armInner, p.armInner, r) *
                                     (1 - smoothstep(p.armOuter, 1.3 * p.armOuter, r));
                    if (a > 0) {
                        const double phi = std::atan2(yd, xd);
                        const double psi =
                            p.arms * (phi - std::log(std::max(r, 1e-3) / armR0) / tanPitch - p.armPhase);
                        const double c = std::pow(0.5 * (1 + std::cos(psi)), sharp);
                        armLight = disc * a * c / armMean;
                        disc *= 1 - a;
                    }
                }
                img.add(idx, dust * disc, p.discColour);
                if (armLight > 0) img.add(idx, dust * armLight, p.armColour);
            }
            if (p.barLength > 0 && p.barAmp > 0) {
                const double bx = (xd * cb + yd * sb) / p.barLength,
                             by = (-xd * sb + yd * cb) / (p.barLength * p.barQ);
                const double m2 = bx * bx + by * by;
                if (m2 < 1) img.add(idx, dust * p.barAmp * (1 - m2) * (1 - m2), barColour);
            }
            for (const RingParams* ring : {&p.inner, &p.outer}) {
                if (ring->amplitude <= 0) continue;
                const double rx = xd - ring->offsetX, ry = yd - ring->offsetY;
                const double ca = std::cos(ring->angle), sa = std::sin(ring->angle);
                const double ox = rx * ca + ry * sa, oy = (-rx * sa + ry * ca) / ring->axisRatio;
                const double rho = std::sqrt(ox * ox + oy * oy);
                const double maxR =
                    ring->radius * std::exp(ring->pseudoGrowth * ring->pseudoSpan) + 4 * ring->width;
                if (rho > maxR || rho < ring->radius * 0.5 - 4 * ring->width) continue;
                double weight = 1;
                const double phi = std::atan2(oy, ox);
                const double rr = ringAt(*ring, phi, weight);
                if (weight <= 0) continue;
                const double t = (rho - rr) / ring->width;
                double amp = ring->amplitude * (1 - ring->knotFraction) * weight * std::exp(-0.5 * t * t);
                if (ring->lopsided > 0) amp *= 1 + ring->lopsided * std::cos(phi);
                if (ring->ansae > 0) amp *= 1 + ring->ansae * std::cos(2 * phi);
                img.add(idx, dust * amp, ring->colour);
            }
        }
    }
}

// Knots, clumps and the companion: discrete sources drawn from the galaxy's seed.
void renderKnots(const GalaxyParams& p, Planes& img)
{
    SynthRng rng(mixSeed(p.seed, 1));
    const Projector proj{p.cx, p.cy, std::cos(p.pa), std::sin(p.pa), std::clamp(p.cosInc, 0.02, 1.0)};
    const double s = p.size / 256.0;
    for (const RingParams* ring : {&p.inner, &p.outer}) {
        // Draw the knots even for a ring of zero amplitude so the field that follows uses the same numbers.
        const double flux = ringFlux(*ring) * ring->knotFraction;
        std::vector<double> weights(static_cast<std::size_t>(std::max(ring->knotCount, 0)));
        double total = 0;
        for (auto& w : weights)
            total += w = rng.logUniform(0.3, 3.0);
        for (double w : weights) {
            double phi = rng.uniform(0, 2 * kPi), weight = 1;
            const double jitter = rng.normal(0, 0.45);
            const double sigma = std::max(0.55 * s, ring->width * rng.uniform(0.35, 0.7));
            if (ring->pseudoArms > 0) { // knots sit on the arm segments
                const int k = static_cast<int>(rng.integer(0, ring->pseudoArms - 1));
                phi = ring->pseudoPhase + k * 2 * kPi / ring->pseudoArms +
                      rng.uniform(0.1, 0.9) * ring->pseudoSpan;
            }
            const double rr = ringAt(*ring, phi, weight) + jitter * ring->width;
            if (flux <= 0 || ring->amplitude <= 0) continue;
            const double ox = rr * std::cos(phi), oy = rr * std::sin(phi) * ring->axisRatio;
            const double ca = std::cos(ring->angle), sa = std::sin(ring->angle);
            const double xd = ring->offsetX + ox * ca - oy * sa, yd = ring->offsetY + ox * sa + oy * ca;
            Blob b;
            proj.toImage(xd, yd, b.x, b.y);
            b.flux = flux * w / total * (ring->lopsided > 0 ? 1 + ring->lopsided * std::cos(phi) : 1);
            b.scale = sigma;
            b.colour = kKnot;
            addBlob(img, b);
        }
    }
    // HII regions along the arm ridges.
    if (p.arms > 0 && p.armAmp > 0 && p.armKnotCount > 0) {
        const double tanPitch = std::tan(std::max(p.pitch, 0.02));
        const double r0 = std::max(p.armInner, 0.3 * p.discH);
        const double discFlux = 2 * kPi * p.discI0 * p.discH * p.discH;
        const double each = discFlux * p.armKnotFraction * p.armAmp / p.armKnotCount;
        for (int i = 0; i < p.armKnotCount; ++i) {
            const double r = rng.uniform(p.armInner, p.armOuter);
            const int arm = rng.integer(0, p.arms - 1);
            const double phi =
                std::log(r / r0) * 1 / tanPitch + p.armPhase + 2 * kPi * arm / p.arms + rng.normal(0, 0.08);
            const double rr = r * (1 + rng.normal(0, 0.04));
            Blob b;
            proj.toImage(rr * std::cos(phi), rr * std::sin(phi), b.x, b.y);
            b.flux = each * rng.logUniform(0.3, 2.5) * std::exp(-(r - p.armInner) / (2 * p.discH));
            b.scale = std::max(0.55 * s, 0.05 * p.discH * rng.uniform(0.7, 1.4));
            b.colour = kKnot;
            addBlob(img, b);
        }
    }
    // Big star-forming clumps of irregulars, placed lopsidedly.
    if (p.clumps > 0) {
        const double discFlux = 2 * kPi * p.discI0 * p.discH * p.discH;
        for (int i = 0; i < p.clumps; ++i) {
            const double r = p.discH * std::abs(rng.normal(0, 1.0)), phi = rng.uniform(0, 2 * kPi);
            Blob b;
            proj.toImage(r * std::cos(phi), r * std::sin(phi), b.x, b.y);
            b.flux = discFlux * p.clumpFraction / p.clumps * rng.logUniform(0.4, 2.0);
            b.scale = p.discH * rng.uniform(0.15, 0.45);
            b.profile = Profile::Exponential;
            b.q = rng.uniform(0.5, 1.0);
            b.angle = rng.uniform(0, kPi);
            b.colour = {0.84f, 0.97f, 1.2f};
            addBlob(img, b);
        }
    }
    if (p.companionIe > 0 && p.companionRe > 0) {
        Blob b;
        b.x = p.cx + p.companionDx;
        b.y = p.cy + p.companionDy;
        b.flux = p.companionIe;
        b.scale = p.companionRe;
        b.profile = Profile::Sersic;
        b.n = 2.5;
        b.q = p.companionQ;
        b.angle = p.companionPa;
        b.colour = {1.07f, 1.0f, 0.9f};
        addBlob(img, b);
    }
}

// Foreground stars (points, blurred later into the PSF, with faint wings and, when bright, diffraction
// spikes) and background galaxies (small, mostly red, a few blue).
void renderField(const GalaxyParams& p, Planes& img)
{
    SynthRng rng(mixSeed(p.seed, 2));
    const int n = p.size;
    const double area = (n / 256.0) * (n / 256.0);
    const double s = n / 256.0;
    const int stars = rng.poisson(p.starDensity * area);
    for (int i = 0; i < stars; ++i) {
        const double x = rng.uniform(0, n), y = rng.uniform(0, n);
        double flux = rng.logUniform(0.15, 25.0) * s * s;
        if (rng.chance(0.02)) flux *= rng.logUniform(10, 40); // the odd bright star
        const double tint = rng.uniform(-0.15, 0.2);
        const Rgb col{static_cast<float>(1 + tint), 1.0f, static_cast<float>(1 - 0.8 * tint)};
        // The core as a point split bilinearly over four pixels: the PSF blur shapes it.
        const double fx = x - 0.5, fy = y - 0.5;
        const int ix = static_cast<int>(std::floor(fx)), iy = static_cast<int>(std::floor(fy));
        const double ax = fx - ix, ay = fy - iy;
        const double core = flux * 0.93;
        for (int j = 0; j < 2; ++j)
            for (int k = 0; k < 2; ++k) {
                const int px = ix + k, py = iy + j;
                if (px < 0 || py < 0 || px >= n || py >= n) continue;
                img.add(static_cast<std::size_t>(py) * n + px, core * (k ? ax : 1 - ax) * (j ? ay : 1 - ay),
                        col);
            }
        Blob wing; // the PSF's extended wing (atmospheric scattering)
        wing.x = x;
        wing.y = y;
        wing.flux = flux * 0.07;
        wing.scale = 4 * p.psfSigma;
        wing.colour = col;
        addBlob(img, wing);
        if (flux > 150 * s * s) { // diffraction spikes of the telescope's secondary-mirror supports
            const double angle = rng.uniform(0, kPi / 2);
            for (int arm = 0; arm < 4; ++arm) {
                const double a = angle + arm * kPi / 2, ca = std::cos(a), sa = std::sin(a);
                for (double t = 2; t < 40 * s; t += 0.5) {
                    const int px = static_cast<int>(x + t * ca), py = static_cast<int>(y + t * sa);
                    if (px < 0 || py < 0 || px >= n || py >= n) break;
                    img.add(static_cast<std::size_t>(py) * n + px, flux * 0.0015 * std::exp(-t / (12 * s)),
                            col);
                }
            }
        }
    }
    const int galaxies = rng.poisson(p.galaxyDensity * area);
    for (int i = 0; i < galaxies; ++i) {
        Blob b;
        b.x = rng.uniform(0, n);
        b.y = rng.uniform(0, n);
        b.flux = rng.logUniform(0.2, 6.0) * s * s;
        b.scale = rng.logUniform(0.7, 2.5) * s;
        b.q = rng.uniform(0.3, 1.0);
        b.angle = rng.uniform(0, kPi);
        b.profile = rng.chance(0.5) ? Profile::Exponential : Profile::Gaussian;
        b.colour = rng.chance(0.7) ? Rgb{1.22f, 1.0f, 0.75f} : Rgb{0.9f, 0.98f, 1.15f};
        addBlob(img, b);
    }
}

void addNoise(const GalaxyParams& p, Planes& img)
{
    PixelRng engine{mixSeed(p.seed, 3)};
    const int n = p.size;
    const std::size_t count = static_cast<std::size_t>(n) * n;
    // Sky noise is mostly grey and correlated over a pixel or two in Galaxy Zoo DECaLS cutouts (resampled,
    // desaturated composites), with a smaller independent part in each channel.
    std::vector<float> grey(count), scratch;
    for (auto& g : grey)
        g = fastNormal(engine);
    const double corr = 0.002 * n;
    blurPlane(grey, n, corr, scratch);
    const double greyScale = 1 / std::sqrt(blurVarianceFactor(corr));
    const double sky2 = 0.95 * 0.95 * p.skyNoise * p.skyNoise;
    const float chroma = static_cast<float>(0.3 * p.skyNoise);
    for (std::size_t i = 0; i < count; ++i) {
        // Source noise rides on the same correlated field, scaled by the local brightness (Poisson-like).
        const double level = std::max(0.0f, (img.c[0][i] + img.c[1][i] + img.c[2][i]) / 3);
        const float g = static_cast<float>(greyScale * grey[i] * std::sqrt(sky2 + p.gain * level));
        for (int c = 0; c < 3; ++c)
            img.c[c][i] += g + chroma * fastNormal(engine);
    }
}

} // namespace

RgbImage renderGalaxy(const GalaxyParams& p, const RenderOptions& options)
{
    const int n = p.size;
    Planes img(n);
    renderSmooth(p, img);
    renderKnots(p, img);
    if (options.field) renderField(p, img);
    std::vector<float> scratch;
    for (auto& plane : img.c)
        blurPlane(plane, n, p.psfSigma, scratch);
    if (options.noise) addNoise(p, img);

    // Lupton-style asinh stretch on the mean of the channels: colours are kept while the dynamic range of
    // bright cores and faint outskirts is compressed, as in Legacy Surveys / Galaxy Zoo DECaLS composites.
    RgbImage out;
    out.width = out.height = n;
    out.pixels.resize(static_cast<std::size_t>(n) * n * 3);
    const double soft = p.stretchSoft, scale = p.stretchScale;
    for (std::size_t i = 0; i < static_cast<std::size_t>(n) * n; ++i) {
        const double level = (img.c[0][i] + img.c[1][i] + img.c[2][i]) / 3.0;
        const double f = std::abs(level) < 1e-7 ? scale / soft : scale * std::asinh(level / soft) / level;
        for (int c = 0; c < 3; ++c)
            out.pixels[i * 3 + c] = static_cast<float>(std::clamp(img.c[c][i] * f + p.pedestal, 0.0, 1.0));
    }
    return out;
}

Image toRgb8(const RgbImage& image)
{
    Image out(image.width, image.height, 3);
    for (std::size_t i = 0; i < out.pixels.size(); ++i)
        out.pixels[i] =
            static_cast<std::uint8_t>(std::lround(std::clamp(image.pixels[i], 0.0f, 1.0f) * 255.0f));
    return out;
}

} // namespace rm
