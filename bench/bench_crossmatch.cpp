// Cross-match benchmark: rm::crossMatch against astropy's SkyCoord.match_to_catalog_sky on two seeded random
// catalogs (1,000,000 rows each by default, 2 arcsec), with a check that both find the same matches.
//
//   bench_crossmatch [--rows N] [--radius ARCSEC] [--repeats R] [--seed S] [--python PATH] [--keep]
//
// Catalog A is uniform on the sphere. Catalog B takes, for about half of A's rows, that position moved by up
// to 3 arcsec in a random direction (so about 44% of those fall within 2 arcsec: real matches, and real
// near-misses at the boundary), and a fresh uniform position for the others; B is then shuffled so its row
// order carries no information. Our time is rm::crossMatch with allPairs=false (nearest per row, what astropy
// computes), including the KD-tree build on B; the astropy time includes building both SkyCoords and
// match_to_catalog_sky (its cKDTree build and query), not loading the files. Exit status 1 if the two
// disagree on any match other than a tie or a separation within 1e-6 arcsec of the radius.
#include "BenchSupport.h"
#include "sky/CrossMatcher.h"
#include "sky/SkyCoords.h"
#include "util/Random.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kDeg = kPi / 180.0;
constexpr double kTolArcsec = 1e-6; // what counts as "at the boundary" or "a tie"

struct Catalog
{
    std::vector<double> ra, dec;
};

void uniformPoint(rm::SplitMix64& rng, double& ra, double& dec)
{
    // Uniform on the sphere: RA uniform, sin(Dec) uniform.
    ra = rng.uniform() * 360.0;
    dec = std::asin(2.0 * rng.uniform() - 1.0) / kDeg;
}

// Moves (ra, dec) by `dist` arcsec at position angle pa (radians) along a great circle.
void offsetPoint(double ra, double dec, double distArcsec, double pa, double& raOut, double& decOut)
{
    const double d = distArcsec / 3600.0 * kDeg, a = ra * kDeg, b = dec * kDeg;
    const double sb2 = std::sin(b) * std::cos(d) + std::cos(b) * std::sin(d) * std::cos(pa);
    const double b2 = std::asin(std::clamp(sb2, -1.0, 1.0));
    const double a2 =
        a + std::atan2(std::sin(pa) * std::sin(d) * std::cos(b), std::cos(d) - std::sin(b) * sb2);
    raOut = std::fmod(a2 / kDeg, 360.0);
    if (raOut < 0) raOut += 360.0;
    if (raOut >= 360.0) raOut = 0.0;
    decOut = b2 / kDeg;
}

void makeCatalogs(std::size_t n, std::uint64_t seed, Catalog& a, Catalog& b)
{
    rm::SplitMix64 rng(seed);
    a.ra.resize(n);
    a.dec.resize(n);
    for (std::size_t i = 0; i < n; ++i)
        uniformPoint(rng, a.ra[i], a.dec[i]);
    b.ra.resize(n);
    b.dec.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        if (rng.uniform() < 0.5) {
            const double dist = 3.0 * std::sqrt(rng.uniform()); // uniform over a 3 arcsec disc
            offsetPoint(a.ra[i], a.dec[i], dist, rng.uniform() * 2 * kPi, b.ra[i], b.dec[i]);
        } else {
            uniformPoint(rng, b.ra[i], b.dec[i]);
        }
    }
    std::vector<std::uint32_t> order(n);
    for (std::size_t i = 0; i < n; ++i)
        order[i] = static_cast<std::uint32_t>(i);
    rm::deterministicShuffle(order, rng);
    Catalog shuffled;
    shuffled.ra.resize(n);
    shuffled.dec.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        shuffled.ra[i] = b.ra[order[i]];
        shuffled.dec[i] = b.dec[order[i]];
    }
    b = std::move(shuffled);
}

// A version 1.0 .npy file of little-endian float64, the format np.load reads without options.
void writeNpy(const std::filesystem::path& path, const std::vector<double>& v)
{
    std::string header =
        "{'descr': '<f8', 'fortran_order': False, 'shape': (" + std::to_string(v.size()) + ",), }";
    const std::size_t unpadded = 10 + header.size() + 1; // magic(6)+version(2)+len(2) + header + '\n'
    header.append((64 - unpadded % 64) % 64, ' ');
    header.push_back('\n');
    std::ofstream f(path, std::ios::binary);
    f.write("\x93NUMPY\x01\x00", 8);
    const std::uint16_t len = static_cast<std::uint16_t>(header.size());
    const char lenBytes[2] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
    f.write(lenBytes, 2);
    f.write(header.data(), static_cast<std::streamsize>(header.size()));
    f.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(double)));
    if (!f) throw std::runtime_error("cannot write " + path.string());
}

template <typename T> std::vector<T> readRaw(const std::filesystem::path& path, std::size_t n)
{
    std::vector<T> v(n);
    std::ifstream f(path, std::ios::binary);
    f.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(n * sizeof(T)));
    if (!f || f.gcount() != static_cast<std::streamsize>(n * sizeof(T)))
        throw std::runtime_error("cannot read " + std::to_string(n) + " values from " + path.string());
    return v;
}

double seconds(std::chrono::steady_clock::time_point t0)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// CPU time of the whole process (all threads): unlike wall time, barely affected by other people's jobs on a
// shared machine, so it is printed beside the wall times.
double processCpuSeconds()
{
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    const std::size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

} // namespace

int main(int argc, char** argv)
{
    std::size_t rows = 1000000;
    double radius = 2.0;
    int repeats = 3;
    std::uint64_t seed = 20261124;
    std::string python = "/usr/bin/python3"; // Debian's, which has python3-astropy; not the first on PATH
    bool keep = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
            return argv[++i];
        };
        if (a == "--rows")
            rows = std::stoull(value());
        else if (a == "--radius")
            radius = std::stod(value());
        else if (a == "--repeats")
            repeats = std::max(1, std::stoi(value()));
        else if (a == "--seed")
            seed = std::stoull(value());
        else if (a == "--python")
            python = value();
        else if (a == "--keep")
            keep = true;
        else {
            std::cerr << "usage: bench_crossmatch [--rows N] [--radius ARCSEC] [--repeats R] [--seed S] "
                         "[--python PATH] [--keep]\n";
            return 2;
        }
    }

    try {
        Catalog a, b;
        auto t0 = std::chrono::steady_clock::now();
        makeCatalogs(rows, seed, a, b);
        std::printf("catalogs: %zu x %zu rows, seed %llu, radius %.3g arcsec (generated in %.2f s)\n", rows,
                    rows, static_cast<unsigned long long>(seed), radius, seconds(t0));

        const auto dir = std::filesystem::temp_directory_path() /
                         ("ringminer_bench_crossmatch_" + std::to_string(static_cast<long>(getpid())));
        std::filesystem::create_directories(dir);
        writeNpy(dir / "raA.npy", a.ra);
        writeNpy(dir / "decA.npy", a.dec);
        writeNpy(dir / "raB.npy", b.ra);
        writeNpy(dir / "decB.npy", b.dec);

        // Ours: median of `repeats` runs each for 1 thread and for all hardware threads.
        const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
        std::vector<unsigned> threadCounts = {1};
        if (hw > 1) threadCounts.push_back(hw);
        rm::CrossMatchResult ours;
        std::vector<double> oursMedian;
        std::vector<double> oursCpuMedian;
        for (unsigned t : threadCounts) {
            std::vector<double> times, cpu;
            for (int r = 0; r < repeats; ++r) {
                rm::CrossMatchOptions opt;
                opt.radiusArcsec = radius;
                opt.allPairs = false;
                opt.threads = t;
                const double c0 = processCpuSeconds();
                t0 = std::chrono::steady_clock::now();
                ours = rm::crossMatch(a.ra, a.dec, b.ra, b.dec, opt);
                times.push_back(seconds(t0));
                cpu.push_back(processCpuSeconds() - c0);
            }
            oursMedian.push_back(median(times));
            oursCpuMedian.push_back(median(cpu));
            std::printf("ours   crossMatch, %u thread%s: median %.3f s of %d (", t, t > 1 ? "s" : " ",
                        oursMedian.back(), repeats);
            for (std::size_t k = 0; k < times.size(); ++k)
                std::printf("%s%.3f", k ? " " : "", times[k]);
            std::printf("), CPU %.3f s, matched rows %zu\n", oursCpuMedian.back(), ours.matchedRows);
        }
        {
            // The split, for the record: index build alone, and the all-pairs variant.
            t0 = std::chrono::steady_clock::now();
            rm::SkyIndex index(b.ra, b.dec);
            const double build = seconds(t0);
            rm::CrossMatchOptions opt;
            opt.radiusArcsec = radius;
            opt.allPairs = true;
            opt.threads = hw;
            t0 = std::chrono::steady_clock::now();
            const auto all = rm::crossMatch(a.ra, a.dec, b.ra, b.dec, opt);
            std::printf(
                "ours   index build alone (1 thread): %.3f s; with allPairs, %u threads: %.3f s, %zu pairs\n",
                build, hw, seconds(t0), all.pairs.size());
        }

        // astropy, in the same run so both see the same machine load.
        const std::string script = std::string(RINGMINER_BENCH_DIR) + "/crossmatch_astropy.py";
        const std::string cmd =
            "'" + python + "' '" + script + "' '" + dir.string() + "' --repeats " + std::to_string(repeats);
        int status = 0;
        const std::string out = rmbench::runCommand(cmd, status);
        if (status != 0)
            throw std::runtime_error("astropy reference failed (status " + std::to_string(status) +
                                     "): " + cmd + "\n" + out);
        // The script prints one JSON line last; anything before it (warnings) is ignored.
        std::string trimmed = out.substr(0, out.find_last_not_of("\n") + 1);
        const auto info = nlohmann::json::parse(trimmed.substr(trimmed.rfind('\n') + 1));
        const double astropyTime = info.at("seconds_median").get<double>();
        std::printf(
            "astropy %s (scipy %s, numpy %s) SkyCoord x2 + match_to_catalog_sky: median %.3f s of %d (",
            info.at("astropy").get<std::string>().c_str(), info.at("scipy").get<std::string>().c_str(),
            info.at("numpy").get<std::string>().c_str(), astropyTime, repeats);
        bool first = true;
        for (double s : info.at("seconds"))
            std::printf("%s%.3f", first ? "" : " ", s), first = false;
        std::printf("), CPU %.3f s\n", info.at("cpu_seconds_median").get<double>());

        // Agreement, row by row, on the nearest match within the radius.
        const auto idx = readRaw<std::int64_t>(dir / "idx.bin", rows);
        const auto sep = readRaw<double>(dir / "sep.bin", rows);
        std::size_t agree = 0, bothNone = 0, ties = 0, boundary = 0, disagree = 0, astropyMatched = 0;
        double maxSepDiff = 0;
        for (std::size_t i = 0; i < rows; ++i) {
            const bool am = sep[i] <= radius;
            const bool om = ours.nearest[i] >= 0;
            astropyMatched += am;
            if (am && om) {
                if (ours.nearest[i] == idx[i]) {
                    ++agree;
                    maxSepDiff = std::max(maxSepDiff, std::abs(ours.nearestSeparationArcsec[i] - sep[i]));
                } else if (std::abs(ours.nearestSeparationArcsec[i] - sep[i]) <= kTolArcsec) {
                    ++ties;
                } else {
                    ++disagree;
                }
            } else if (am != om) {
                const double s = om ? ours.nearestSeparationArcsec[i] : sep[i];
                if (std::abs(s - radius) <= kTolArcsec)
                    ++boundary;
                else
                    ++disagree;
            } else {
                ++bothNone;
            }
        }
        std::printf(
            "agreement: %zu rows matched by both to the same row, %zu unmatched by both, %zu ties, %zu at "
            "the radius +-1e-6\", %zu disagreements (astropy matched %zu, ours %zu); max |sep diff| %.3g\"\n",
            agree, bothNone, ties, boundary, disagree, astropyMatched, ours.matchedRows, maxSepDiff);

        const double ours1 = oursMedian.front(), oursAll = oursMedian.back();
        std::printf("\nsummary (%zu x %zu, %.3g arcsec):\n", rows, rows, radius);
        std::printf("  ours 1 thread   %.3f s   astropy/ours = %.1fx\n", ours1, astropyTime / ours1);
        if (threadCounts.size() > 1)
            std::printf("  ours %u threads  %.3f s   astropy/ours = %.1fx\n", hw, oursAll,
                        astropyTime / oursAll);
        std::printf("  astropy         %.3f s\n", astropyTime);
        std::printf(
            "  CPU time: ours %.3f s (1 thread), %.3f s (%u threads); astropy %.3f s; astropy/ours = %.1fx\n",
            oursCpuMedian.front(), oursCpuMedian.back(), hw, info.at("cpu_seconds_median").get<double>(),
            info.at("cpu_seconds_median").get<double>() / oursCpuMedian.front());
        std::printf("  target \"at least 5x faster than astropy\": %s with %u thread%s, %s with 1 thread\n",
                    astropyTime / oursAll >= 5.0 ? "MET" : "NOT MET", hw, hw > 1 ? "s" : "",
                    astropyTime / ours1 >= 5.0 ? "MET" : "NOT MET");
        std::printf("  agreement: %s\n",
                    disagree == 0 ? "same matches (up to ties/boundary)" : "DISAGREEMENT");

        if (!keep)
            std::filesystem::remove_all(dir);
        else
            std::printf("kept %s\n", dir.c_str());
        return disagree == 0 ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_crossmatch: %s\n", e.what());
        return 1;
    }
}
