#include "synthetic/DemoSurvey.h"

#include "imaging/JpegWriter.h"
#include "util/Error.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <exception>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

namespace rm {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kDeg = kPi / 180;

template <typename T> T pick(SynthRng& rng, const std::vector<std::pair<T, double>>& table)
{
    double total = 0;
    for (const auto& e : table)
        total += e.second;
    double u = rng.uniform() * total;
    for (const auto& e : table) {
        if (u < e.second) return e.first;
        u -= e.second;
    }
    return table.back().first;
}

// Host morphology of a ring: most rings live in barred early-type discs (Buta 2017; Comeron et al. 2014).
Morphology ringHost(SynthRng& rng, RingType t)
{
    using M = Morphology;
    switch (t) {
    case RingType::Inner:
        return pick<M>(rng, {{M::Lenticular, 0.3}, {M::BarredSpiral, 0.5}, {M::Spiral, 0.2}});
    case RingType::Outer:
        return pick<M>(rng, {{M::Lenticular, 0.4}, {M::BarredSpiral, 0.45}, {M::Spiral, 0.15}});
    case RingType::InnerOuter:
        return pick<M>(rng, {{M::Lenticular, 0.35}, {M::BarredSpiral, 0.55}, {M::Spiral, 0.1}});
    case RingType::Pseudo:
        return pick<M>(rng, {{M::BarredSpiral, 0.6}, {M::Spiral, 0.4}});
    default:
        return M::Spiral; // collisional rings form in gas-rich discs
    }
}

// Physical properties: redshift roughly uniform in volume, a luminosity, the SDSS spectroscopic limit r
// < 17.7, and a size from a size-luminosity relation; angular sizes from the low-redshift Hubble law.
void drawPhysics(SynthRng& rng, DemoGalaxy& g, Morphology m)
{
    const double zMin = 0.01, zMax = 0.12;
    double meanAbs = -20.9;
    if (g.ring) meanAbs = -21.2; // ring hosts are a bit brighter: distribution matching has something to do
    if (m == Morphology::Elliptical) meanAbs = -21.3;
    if (m == Morphology::Irregular) meanAbs = -19.8;
    double z = 0, absMag = 0, dl = 0, mag = 99;
    for (int tries = 0; tries < 200 && mag > 17.7; ++tries) {
        z = std::cbrt(zMin * zMin * zMin + rng.uniform() * (zMax * zMax * zMax - zMin * zMin * zMin));
        absMag = rng.normal(meanAbs, 0.7);
        dl = 299792.458 * z / 70 * (1 + z); // Mpc
        mag = absMag + 5 * std::log10(dl) + 25;
    }
    mag = std::min(mag, 17.7);
    const double diameterKpc = std::pow(10.0, 1.35 - 0.2 * (absMag + 21) + rng.normal(0, 0.08));
    const double da = dl / ((1 + z) * (1 + z));
    const double kpcPerArcsec = da * 1000 * kPi / 648000;
    g.redshift = z;
    g.mag = mag;
    g.sizeArcsec = diameterKpc / kpcPerArcsec;
}

// IAU-style name, truncated (not rounded) as the convention asks.
std::string iauName(double ra, double dec)
{
    const double raH = ra / 15;
    const long raCs = static_cast<long>(std::floor(raH * 3600 * 100)); // hundredths of a second of time
    const double ad = std::abs(dec);
    const long decDs = static_cast<long>(std::floor(ad * 3600 * 10)); // tenths of an arcsec
    char buf[64];
    std::snprintf(buf, sizeof buf, "J%02ld%02ld%02ld.%02ld%c%02ld%02ld%02ld.%01ld", raCs / 360000,
                  raCs / 6000 % 60, raCs / 100 % 60, raCs % 100, dec < 0 ? '-' : '+', decDs / 36000,
                  decDs / 600 % 60, decDs / 10 % 60, decDs % 10);
    return buf;
}

void appendFixed(std::string& out, double v, int digits)
{
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, digits);
    out.append(buf, r.ptr);
}

void writeFile(const std::string& path, const std::string& text)
{
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    if (!f) throw Error("cannot create " + path);
    f << text;
    f.close();
    if (!f) throw Error("cannot write " + path);
}

} // namespace

std::vector<DemoGalaxy> planDemoSurvey(const DemoSurveyOptions& o)
{
    if (o.imageSize < 32 || o.imageSize > 4096) throw Error("demo survey: image size must be 32..4096 px");
    if (o.rings + o.nonRings == 0) throw Error("demo survey: asked for no galaxies");
    if (o.rings + o.nonRings > 1000000) throw Error("demo survey: at most a million galaxies");
    if (!(o.patchDeg > 0 && o.patchDeg <= 30)) throw Error("demo survey: the patch must be 0..30 deg across");
    if (!(std::abs(o.decCentre) + o.patchDeg / 2 < 89))
        throw Error("demo survey: the patch must not reach a pole");

    SynthRng rng(o.seed);
    struct Kind
    {
        bool ring;
        RingType type;
        Morphology morph;
    };
    std::vector<Kind> kinds;
    using M = Morphology;
    using R = RingType;
    for (std::size_t i = 0; i < o.rings; ++i) {
        const R t = pick<R>(rng, {{R::Inner, 0.28},
                                  {R::Outer, 0.2},
                                  {R::InnerOuter, 0.2},
                                  {R::Pseudo, 0.24},
                                  {R::Collisional, 0.08}});
        kinds.push_back({true, t, ringHost(rng, t)});
    }
    for (std::size_t i = 0; i < o.nonRings; ++i)
        kinds.push_back({false, R::None,
                         pick<M>(rng, {{M::Elliptical, 0.18},
                                       {M::Lenticular, 0.14},
                                       {M::Spiral, 0.22},
                                       {M::BarredSpiral, 0.14},
                                       {M::EdgeOn, 0.1},
                                       {M::Irregular, 0.06},
                                       {M::TightSpiral, 0.08},
                                       {M::LensS0, 0.08}})});
    // Shuffle so ids say nothing about the label.
    for (std::size_t i = kinds.size(); i > 1; --i)
        std::swap(kinds[i - 1], kinds[rng.integer(0, static_cast<int>(i - 1))]);

    const double half = o.patchDeg / 2;
    const double sinLo = std::sin((o.decCentre - half) * kDeg), sinHi = std::sin((o.decCentre + half) * kDeg);
    const double raHalf = half / std::cos(o.decCentre * kDeg);
    std::vector<DemoGalaxy> out(kinds.size());
    for (std::size_t i = 0; i < kinds.size(); ++i) {
        DemoGalaxy& g = out[i];
        char id[32];
        std::snprintf(id, sizeof id, "DEMO-%05zu", i + 1);
        g.id = id;
        g.file = g.id + ".jpg";
        g.ring = kinds[i].ring;
        // Uniform on the sphere inside the patch: uniform in RA and in sin(Dec).
        g.ra = std::fmod(o.raCentre + rng.uniform(-raHalf, raHalf) + 360.0, 360.0);
        g.dec = std::asin(sinLo + rng.uniform() * (sinHi - sinLo)) / kDeg;
        g.iauName = iauName(g.ra, g.dec);
        drawPhysics(rng, g, kinds[i].morph);
        // Each galaxy's look comes from its own engine, so changing one galaxy's drawing never shifts the
        // others.
        SynthRng galaxyRng(mixSeed(o.seed, 1000 + i));
        g.params = drawGalaxyParams(galaxyRng, kinds[i].morph, kinds[i].type, o.imageSize);
        g.pixscale = g.sizeArcsec / g.params.diameterPx;
        // Image angle from +x (west) towards +y (south) to a position angle east of north, in [0, 180).
        double pa = std::atan2(-std::cos(g.params.pa), -std::sin(g.params.pa)) / kDeg;
        g.paDeg = std::fmod(pa + 360.0, 180.0);
        const double ci = g.params.cosInc, t = g.params.thickness;
        g.axisRatio = g.params.morphology == Morphology::Elliptical
                          ? g.params.bulgeQ
                          : std::sqrt(ci * ci + t * t * (1 - ci * ci));
    }
    return out;
}

std::string demoCatalogCsv(const std::vector<DemoGalaxy>& galaxies, bool withRingColumn)
{
    std::string out =
        "id,ra,dec,ring_type,mag,redshift,size_arcsec,file,iauname,morphology,bar,pa_deg,axis_ratio,"
        "pixscale";
    out += withRingColumn ? ",ring\n" : "\n";
    for (const DemoGalaxy& g : galaxies) {
        out += g.id;
        out += ',';
        appendFixed(out, g.ra, 6);
        out += ',';
        appendFixed(out, g.dec, 6);
        out += ',';
        out += ringTypeName(g.params.ringType);
        out += ',';
        appendFixed(out, g.mag, 2);
        out += ',';
        appendFixed(out, g.redshift, 4);
        out += ',';
        appendFixed(out, g.sizeArcsec, 1);
        out += ',' + g.file + ',' + g.iauName + ',' + morphologyName(g.params.morphology) + ',';
        out += g.params.barLength > 0 ? '1' : '0';
        out += ',';
        appendFixed(out, g.paDeg, 1);
        out += ',';
        appendFixed(out, g.axisRatio, 3);
        out += ',';
        appendFixed(out, g.pixscale, 4);
        if (withRingColumn) out += g.ring ? ",1" : ",0";
        out += '\n';
    }
    return out;
}

DemoSurveyResult makeDemoSurvey(const DemoSurveyOptions& o)
{
    if (!canWriteImages())
        throw Error("the demo survey writes JPEG cutouts, which needs OpenCV (imgcodecs), and this build of "
                    "RingMiner has none: install the OpenCV development packages and re-run cmake");
    if (o.outDir.empty()) throw Error("demo survey: no output folder given");
    DemoSurveyResult result;
    result.galaxies = planDemoSurvey(o);
    namespace fs = std::filesystem;
    const fs::path dir(o.outDir), images = dir / "images";
    std::error_code ec;
    fs::create_directories(images, ec);
    if (ec) throw Error("cannot create " + images.string() + ": " + ec.message());

    std::vector<DemoGalaxy> rings, parent;
    for (const auto& g : result.galaxies)
        (g.ring ? rings : parent).push_back(g);
    result.ringsCatalog = (dir / "demo_rings.csv").string();
    result.parentCatalog = (dir / "demo_parent.csv").string();
    result.labelledCatalog = (dir / "demo_labelled.csv").string();
    result.imageDir = images.string();
    writeFile(result.ringsCatalog, demoCatalogCsv(rings, false));
    writeFile(result.parentCatalog, demoCatalogCsv(parent, false));
    writeFile(result.labelledCatalog, demoCatalogCsv(result.galaxies, true));

    // Render in parallel: every galaxy is independent and seeded by itself, so the pixels do not depend on
    // the thread count or order.
    const std::size_t total = result.galaxies.size();
    unsigned threads = o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency());
    threads = static_cast<unsigned>(std::min<std::size_t>(threads, total));
    std::atomic<std::size_t> next{0};
    std::atomic<bool> stop{false};
    std::mutex mutex;
    std::size_t done = 0;
    std::exception_ptr failure;
    bool cancelled = false;
    const auto start = std::chrono::steady_clock::now();
    auto work = [&] {
        try {
            for (std::size_t i; !stop && (i = next++) < total;) {
                const DemoGalaxy& g = result.galaxies[i];
                const RgbImage img = renderGalaxy(g.params);
                const Image bytes = toRgb8(img);
                writeRgbImage((images / g.file).string(), bytes.pixels.data(), img.width, img.height,
                              o.jpegQuality);
                std::lock_guard<std::mutex> lock(mutex);
                ++done;
                if (o.progress && !o.progress(done, total)) {
                    cancelled = true;
                    stop = true;
                }
            }
        } catch (...) {
            std::lock_guard<std::mutex> lock(mutex);
            if (!failure) failure = std::current_exception();
            stop = true;
        }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t)
        pool.emplace_back(work);
    work();
    for (auto& t : pool)
        t.join();
    if (failure) std::rethrow_exception(failure);
    if (cancelled)
        throw Error("demo survey cancelled after " + std::to_string(done) + " of " + std::to_string(total) +
                    " images");
    result.images = done;
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

} // namespace rm
