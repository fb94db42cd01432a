#pragma once
// Synthetic galaxy cutouts with known truth: Sersic bulge, exponential disc, optional Ferrers bar,
// logarithmic spiral arms, inner/outer/pseudo/collisional rings with star-forming knots, random orientation
// and inclination, DECaLS-like colours, PSF blur, sky noise and a field of stars and small background
// galaxies. Pure C++ (no OpenCV): the demo survey and the tests that need images with known truth can be made
// on any machine.
#include "imaging/Image.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace rm {

// Random numbers that are the same with every standard library: std::mt19937_64's output sequence is fixed by
// the standard but std::uniform_real_distribution, std::normal_distribution etc. are not, so the
// distributions are computed here from the raw engine output.
class SynthRng
{
public:
    explicit SynthRng(std::uint64_t seed) : m_engine(seed) {}
    std::uint64_t next() { return m_engine(); }
    double uniform() { return static_cast<double>(m_engine() >> 11) * 0x1.0p-53; } // [0, 1)
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    double logUniform(double lo, double hi); // log-uniform in [lo, hi)
    int integer(int lo, int hi);             // uniform in [lo, hi], inclusive
    bool chance(double p) { return uniform() < p; }
    double normal(double mean = 0, double sd = 1); // Box-Muller, one draw per call (no hidden state)
    int poisson(double mean);                      // Knuth's method: fine for the small means used here

private:
    std::mt19937_64 m_engine;
};

// Mixes a seed with a stream index so every galaxy (and every purpose inside one) gets an independent engine.
std::uint64_t mixSeed(std::uint64_t seed, std::uint64_t stream);

enum class Morphology
{
    Elliptical,
    Lenticular,
    Spiral,
    BarredSpiral,
    EdgeOn,
    Irregular,
    TightSpiral, // confuser: tightly wound arms that look like a ring at low resolution
    LensS0,      // confuser: an S0 with a lens (a shelf in the profile), not a ring
};
enum class RingType
{
    None,
    Inner,       // (r): around the bar ends
    Outer,       // (R): at about twice the bar radius
    InnerOuter,  // both
    Pseudo,      // (rs)/(R'): a broken ring made of tightly wound arm ends
    Collisional, // an off-centre, knotty ring made by a companion punching through the disc
};
const char* morphologyName(Morphology m); // "elliptical", "lenticular", "spiral", "barred", "edge-on", ...
const char* ringTypeName(RingType t);     // "" for None, else "inner", "outer", "inner+outer", "pseudo", ...

struct Rgb
{
    float r = 1, g = 1, b = 1;
};

// A ring in the plane of the disc (lengths in output pixels). Rings are ovals aligned with the bar, Gaussian
// in radius; part of their light sits in knots (young star clusters). A pseudo-ring is drawn as `pseudoArms`
// spiral segments, each spanning `pseudoSpan` radians and growing by pseudoGrowth per radian, so the ring is
// broken where one arm ends beside the next.
struct RingParams
{
    double radius = 0;    // semi-major axis, px
    double width = 1;     // Gaussian sigma across the ring, px
    double amplitude = 0; // peak surface brightness (linear flux units; disc centre is ~1)
    double axisRatio = 1; // intrinsic oval shape
    double angle = 0;     // orientation of the oval's major axis in the disc plane, rad
    double knotFraction = 0;
    int knotCount = 0;
    int pseudoArms = 0; // 0: a closed ring
    double pseudoSpan = 0;
    double pseudoGrowth = 0;
    double pseudoPhase = 0;
    double offsetX = 0, offsetY = 0; // ring centre relative to the nucleus in the disc plane (collisional)
    double lopsided = 0;             // m=1 brightness asymmetry (collisional rings are brighter on one side)
    double ansae = 0; // m=2 brightening at the ends of the oval's major axis (near the bar ends)
    Rgb colour;
};

struct GalaxyParams
{
    int size = 256;         // output is size x size
    std::uint64_t seed = 0; // knots, clumps, field objects and noise are drawn from it at render time
    Morphology morphology = Morphology::Spiral;
    RingType ringType = RingType::None;

    // Geometry (pixels, radians). pa: the major axis measured from +x towards +y (image rows go down).
    double cx = 128, cy = 128;
    double pa = 0;
    double cosInc = 1;       // cos of the inclination: the thin-disc axis ratio
    double thickness = 0.12; // intrinsic disc axis ratio seen edge-on

    // Bulge (or the whole galaxy for an elliptical): Sersic with surface brightness bulgeIe at bulgeRe.
    double bulgeRe = 5, bulgeN = 2, bulgeQ = 0.9, bulgeIe = 0.5;
    Rgb bulgeColour;

    // Exponential disc with central surface brightness discI0 and scale length discH.
    double discH = 15, discI0 = 1;
    Rgb discColour;
    double lensRadius = 0, lensAmp = 0; // a shelf (LensS0)
    double gapDepth = 0;                // the depleted zone between an inner and an outer ring (0..1)

    // Ferrers bar in the disc plane: barLength = semi-major axis (0 = no bar).
    double barLength = 0, barQ = 0.3, barAngle = 0, barAmp = 0;

    // Logarithmic spiral arms modulating the disc between armInner and armOuter (disc-plane radii).
    int arms = 0;
    double pitch = 0.3; // pitch angle, rad
    double armAmp = 0;  // 0 = smooth disc, 1 = all disc light in the arms
    double armPhase = 0;
    double armInner = 0, armOuter = 0;
    double armSharpness = 3; // arm profile ((1 + cos)/2)^sharpness
    double armKnotFraction = 0;
    int armKnotCount = 0;
    Rgb armColour;

    RingParams inner, outer;

    int clumps = 0; // irregulars: big star-forming clumps
    double clumpFraction = 0;
    double dust = 0; // optical depth of the mid-plane dust lane (inclined discs)

    // A companion (the intruder of a collisional ring, or a neighbour): disc-plane-free image offset in px.
    double companionDx = 0, companionDy = 0, companionRe = 0, companionIe = 0, companionQ = 1,
           companionPa = 0;

    // Observation.
    double psfSigma = 1.2;   // px
    double skyNoise = 0.014; // sigma of the sky in linear flux units
    double gain = 0.002;     // source (Poisson-like) variance per unit flux
    double pedestal = 0.065; // display-space sky level (real Galaxy Zoo DECaLS skies sit at ~17/255)
    double stretchSoft = 0.08, stretchScale = 0.2; // display = stretchScale * asinh(I / stretchSoft)
    double starDensity = 6, galaxyDensity = 16;    // mean numbers per 256x256 px

    // Truth for the catalog: visible diameter of the galaxy in px.
    double diameterPx = 100;
};

// Draws a plausible galaxy of the given kind centred in a size x size cutout, occupying about 1/3 to 1/2 of
// it.
GalaxyParams drawGalaxyParams(SynthRng& rng, Morphology morphology, RingType ringType, int size);

// The same galaxy with every ring (and the ring-made gap) switched off: the "no-ring twin" for ablations and
// tests. Everything else, including the field and the noise, stays identical.
GalaxyParams withoutRings(GalaxyParams p);

// Interleaved RGB, row-major, display values in [0, 1].
struct RgbImage
{
    int width = 0, height = 0;
    std::vector<float> pixels;
    float at(int x, int y, int c) const { return pixels[(static_cast<std::size_t>(y) * width + x) * 3 + c]; }
};

struct RenderOptions
{
    bool noise = true; // sky and source noise
    bool field = true; // foreground stars and background galaxies
};

RgbImage renderGalaxy(const GalaxyParams& params, const RenderOptions& options = {});

// Rounds display values to an 8-bit RGB Image, the layout every image source in RingMiner returns.
Image toRgb8(const RgbImage& image);

} // namespace rm
