#include "sky/CrossMatcher.h"

#include "sky/SkyCoords.h"
#include "util/Error.h"

#include <nanoflann.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <limits>
#include <mutex>
#include <string>
#include <thread>

namespace rm {
namespace {

// The trees hold float unit vectors: half the memory traffic of double, and a 1M-point build and its queries
// are bound by memory traffic. Float only finds candidates; every candidate's separation is recomputed in
// double from the original degrees, so the answer is exact (see kChordMargin).
using Scalar = float;

constexpr double kPi = 3.14159265358979323846;
constexpr double kDegToRad = kPi / 180.0;
constexpr double kArcsecToRad = kPi / (180.0 * 3600.0);

// How far a float chord can be from the true one: each component of a unit vector is rounded to float with an
// absolute error <= 2^-25 (|c| <= 1), so the difference of two points is off by <= 2^-24 per component and
// sqrt(3) * 2^-24 ~ 1.03e-7 in length; the squared-distance sums and the tree's bounding-box pruning (also in
// float) add a few float ulps of the squared chord. 1e-6 (0.2 arcsec) is ten times that bound, so inflating
// the search radius by it never loses a true match; the double recheck then drops the extra candidates.
constexpr double kChordMargin = 1e-6;

// Queries handed to a worker at a time: large enough that the shared counter is not contended, small enough
// that the last chunks balance across threads and progress moves smoothly.
constexpr std::size_t kChunkRows = 2048;

// nanoflann's default leaf size (10) makes a deeper tree that is slower to build; with the tiny radii of a
// cross-match a query visits one or two leaves, so larger leaves cost little at query time. Measured on the
// 1M x 1M benchmark (docs/benchmarks.md).
constexpr std::size_t kLeafSize = 16;

// ---------------------------------------------------------------------------------------------------------------
// Small parallel helper.

// Runs fn(begin, end) on `threads` contiguous blocks of [0, n): threads - 1 helper threads and the caller.
// The first exception thrown by any block is rethrown here after all have finished.
template <class F> void parallelBlocks(unsigned threads, std::size_t n, F&& fn)
{
    threads = static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(threads, n)));
    if (threads == 1) {
        fn(std::size_t(0), n);
        return;
    }
    std::mutex mutex;
    std::exception_ptr failure;
    auto block = [&](unsigned t) {
        try {
            fn(n * t / threads, n * (t + 1) / threads);
        } catch (...) {
            std::lock_guard<std::mutex> lock(mutex);
            if (!failure) failure = std::current_exception();
        }
    };
    std::vector<std::thread> helpers;
    helpers.reserve(threads - 1);
    try {
        for (unsigned t = 1; t < threads; ++t)
            helpers.emplace_back(block, t);
    } catch (...) {
        for (auto& h : helpers)
            h.join();
        throw;
    }
    block(0);
    for (auto& h : helpers)
        h.join();
    if (failure) std::rethrow_exception(failure);
}

// ---------------------------------------------------------------------------------------------------------------
// Positions.

void unitVector(double raDeg, double decDeg, Scalar out[3])
{
    const double ra = raDeg * kDegToRad, dec = decDeg * kDegToRad;
    const double cd = std::cos(dec);
    out[0] = static_cast<Scalar>(cd * std::cos(ra));
    out[1] = static_cast<Scalar>(cd * std::sin(ra));
    out[2] = static_cast<Scalar>(std::sin(dec));
}

// Spreads the low 10 bits of v so that bit k lands on bit 3k.
std::uint32_t spreadBits(std::uint32_t v)
{
    v = (v | (v << 16)) & 0x030000FFu;
    v = (v | (v << 8)) & 0x0300F00Fu;
    v = (v | (v << 4)) & 0x030C30C3u;
    v = (v | (v << 2)) & 0x09249249u;
    return v;
}

// A 30-bit Morton (Z-order) key of a unit vector on a 1024^3 grid over [-1, 1]^3.
std::uint32_t mortonKey(const Scalar* v)
{
    auto q = [](Scalar c) {
        const int k = static_cast<int>((c + Scalar(1)) * Scalar(512));
        return static_cast<std::uint32_t>(std::clamp(k, 0, 1023));
    };
    return (spreadBits(q(v[0])) << 2) | (spreadBits(q(v[1])) << 1) | spreadBits(q(v[2]));
}

// A catalog's valid rows in Z-order of their positions, with everything a query needs stored contiguously.
// KD-tree builds and queries are bound by cache misses when points come in random order; in Z-order,
// neighbours on the sky are neighbours in memory, so a build partitions nearly-local data and consecutive
// queries walk the same tree nodes. Measured on the 1M x 1M benchmark this alone made the cross-match ~3x
// faster.
struct Points
{
    std::vector<std::uint32_t> rows; // catalog row of each point
    std::vector<double> ra, dec;     // for the exact recheck
    std::vector<Scalar> xyz;         // 3 per point
    std::size_t size() const { return rows.size(); }
};

Points preparePoints(const std::vector<double>& raDeg, const std::vector<double>& decDeg, unsigned threads,
                     const char* what)
{
    if (raDeg.size() != decDeg.size())
        throw Error(std::string(what) + ": " + std::to_string(raDeg.size()) + " RA values but " +
                    std::to_string(decDeg.size()) + " Dec values");
    if (raDeg.size() > std::numeric_limits<std::uint32_t>::max())
        throw Error(std::string(what) + ": more than 2^32-1 rows are not supported");
    const std::size_t n = raDeg.size();

    // Unit vectors and keys per row (the trigonometry is most of the cost, so it runs on all threads).
    // Invalid rows get no key and are left out below.
    std::vector<Scalar> xyzByRow(3 * n);
    std::vector<std::uint64_t> keyed(n);
    constexpr std::uint64_t kInvalid = ~std::uint64_t(0);
    parallelBlocks(threads, n, [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i) {
            if (!validPosition(raDeg[i], decDeg[i])) {
                keyed[i] = kInvalid;
                continue;
            }
            unitVector(raDeg[i], decDeg[i], &xyzByRow[3 * i]);
            keyed[i] = (std::uint64_t(mortonKey(&xyzByRow[3 * i])) << 32) | i;
        }
    });
    keyed.erase(std::remove(keyed.begin(), keyed.end(), kInvalid), keyed.end());

    // LSD radix sort on the 30 key bits (3 passes of 10 bits): a few milliseconds per million points. Stable,
    // so equal keys stay in row order and the result is deterministic.
    const std::size_t m = keyed.size();
    {
        std::vector<std::uint64_t> tmp(m);
        for (int pass = 0; pass < 3; ++pass) {
            const int shift = 32 + 10 * pass;
            std::array<std::size_t, 1025> start{};
            for (std::uint64_t v : keyed)
                ++start[((v >> shift) & 1023) + 1];
            for (std::size_t k = 1; k < start.size(); ++k)
                start[k] += start[k - 1];
            for (std::uint64_t v : keyed)
                tmp[start[(v >> shift) & 1023]++] = v;
            keyed.swap(tmp);
        }
    }

    Points p;
    p.rows.resize(m);
    p.ra.resize(m);
    p.dec.resize(m);
    p.xyz.resize(3 * m);
    parallelBlocks(threads, m, [&](std::size_t begin, std::size_t end) {
        for (std::size_t j = begin; j < end; ++j) {
            const auto i = static_cast<std::uint32_t>(keyed[j]);
            p.rows[j] = i;
            p.ra[j] = raDeg[i];
            p.dec[j] = decDeg[i];
            for (int k = 0; k < 3; ++k)
                p.xyz[3 * j + k] = xyzByRow[3 * std::size_t(i) + k];
        }
    });
    return p;
}

// Chord length between two unit vectors theta apart, inflated by the float error bound, squared for nanoflann
// (whose L2 metric is the squared distance). Radii of 180 degrees or more cover the whole sphere.
double searchRadiusSquared(double radiusArcsec)
{
    const double theta = std::min(radiusArcsec * kArcsecToRad, kPi);
    const double chord = 2.0 * std::sin(theta / 2.0) + kChordMargin;
    return chord * chord;
}

void checkRadius(double radiusArcsec)
{
    if (!(radiusArcsec >= 0.0) || !std::isfinite(radiusArcsec))
        throw Error("cross-match radius must be a finite number of arcsec >= 0, got " +
                    std::to_string(radiusArcsec));
}

// ---------------------------------------------------------------------------------------------------------------
// The KD-tree index.

struct Box
{
    std::array<Scalar, 3> low{}, high{};
};

// One contiguous slice of a Points' xyz, as nanoflann's dataset adaptor.
struct Cloud
{
    const Scalar* xyz = nullptr;
    std::size_t count = 0;
    Box box;

    std::size_t kdtree_get_point_count() const { return count; }
    Scalar kdtree_get_pt(std::uint32_t i, std::size_t dim) const { return xyz[3 * std::size_t(i) + dim]; }
    // The box is already known, which spares nanoflann a pass over the points.
    template <class BBox> bool kdtree_get_bbox(BBox& bb) const
    {
        for (int k = 0; k < 3; ++k) {
            bb[k].low = box.low[k];
            bb[k].high = box.high[k];
        }
        return true;
    }
};

using Tree =
    nanoflann::KDTreeSingleIndexAdaptor<nanoflann::L2_Simple_Adaptor<Scalar, Cloud, Scalar, std::uint32_t>,
                                        Cloud, 3, std::uint32_t>;

#if NANOFLANN_VERSION >= 0x150
using SearchParams = nanoflann::SearchParameters;
#else
using SearchParams = nanoflann::SearchParams;
#endif

// A result set that appends every point within a squared chord, as a position in the whole Points. Written
// against the small duck-typed interface nanoflann calls during a search, so it works with both the 1.4 (pair
// vector) and 1.5 (ResultItem) result APIs without depending on either.
class CandidateSet
{
public:
    using DistanceType = Scalar;
    using IndexType = std::uint32_t;

    CandidateSet(Scalar radiusSquared, std::uint32_t offset, std::vector<std::uint32_t>& out)
        : m_r2(radiusSquared), m_offset(offset), m_out(out)
    {
    }
    void init() {}
    std::size_t size() const { return m_out.size(); }
    bool full() const { return true; }
    bool addPoint(Scalar dist, std::uint32_t index)
    {
        if (dist <= m_r2) m_out.push_back(m_offset + index);
        return true; // keep searching: we want every point in the ball
    }
    Scalar worstDist() const { return m_r2; }

private:
    Scalar m_r2;
    std::uint32_t m_offset;
    std::vector<std::uint32_t>& m_out;
};

// Scratch buffers a query reuses so the hot loop does not allocate.
struct Scratch
{
    std::vector<std::uint32_t> positions;
    std::vector<std::pair<double, std::uint32_t>> hits; // (separation arcsec, row)
};

// KD-trees over one catalog's valid points. The Z-ordered points are cut into `parts` contiguous slices, one
// tree each, so that the trees can be built in parallel (nanoflann 1.4 builds single-threaded, and the build
// is a third of a 1M x 1M cross-match); Z-order slices are compact on the sky, so a query with a small radius
// meets one tree, or two at a seam. Slices do not change the answer, only which tree finds a point.
class KdIndex
{
public:
    KdIndex(Points points, unsigned parts, unsigned threads) : m_points(std::move(points))
    {
        const std::size_t m = m_points.size();
        // Trees of fewer than ~512 points are not worth a thread of their own.
        parts = static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(parts, m / 512)));
        if (m == 0) return;
        m_clouds.resize(parts);
        m_offsets.resize(parts);
        m_trees.resize(parts);
        parallelBlocks(threads, parts, [&](std::size_t begin, std::size_t end) {
            for (std::size_t t = begin; t < end; ++t) {
                const std::size_t lo = m * t / parts, hi = m * (t + 1) / parts;
                Cloud& c = m_clouds[t];
                c.xyz = m_points.xyz.data() + 3 * lo;
                c.count = hi - lo;
                c.box.low.fill(std::numeric_limits<Scalar>::max());
                c.box.high.fill(std::numeric_limits<Scalar>::lowest());
                for (std::size_t j = 0; j < c.count; ++j)
                    for (int k = 0; k < 3; ++k) {
                        c.box.low[k] = std::min(c.box.low[k], c.xyz[3 * j + k]);
                        c.box.high[k] = std::max(c.box.high[k], c.xyz[3 * j + k]);
                    }
                m_offsets[t] = static_cast<std::uint32_t>(lo);
                m_trees[t] =
                    std::make_unique<Tree>(3, c, nanoflann::KDTreeSingleIndexAdaptorParams(kLeafSize));
            }
        });
    }

    KdIndex(const KdIndex&) = delete; // the trees point into m_clouds and m_points
    KdIndex& operator=(const KdIndex&) = delete;

    std::size_t size() const { return m_points.size(); }

    // Rows within radiusArcsec (inclusive) of a valid position, sorted by separation then row, into s.hits.
    // q is the position's unit vector, which the caller has at hand.
    void within(double raDeg, double decDeg, const Scalar* q, double radiusArcsec, double radiusSquared,
                Scratch& s) const
    {
        s.hits.clear();
        candidates(q, radiusSquared, s.positions);
        for (std::uint32_t p : s.positions) {
            const double sep = angularSeparationArcsec(raDeg, decDeg, m_points.ra[p], m_points.dec[p]);
            if (sep <= radiusArcsec) s.hits.emplace_back(sep, m_points.rows[p]);
        }
        if (s.hits.size() > 1) std::sort(s.hits.begin(), s.hits.end());
    }

    std::pair<std::int64_t, double> nearest(double raDeg, double decDeg) const
    {
        const std::pair<std::int64_t, double> none{-1, std::numeric_limits<double>::quiet_NaN()};
        if (m_trees.empty() || !validPosition(raDeg, decDeg)) return none;
        Scalar q[3];
        unitVector(raDeg, decDeg, q);
        // The float nearest neighbour may not be the true one when two points are almost equally far, so take
        // every point within its chord plus twice the float error and let the double recheck decide.
        Scalar bestD2 = std::numeric_limits<Scalar>::max();
        for (const auto& tree : m_trees) {
            std::uint32_t index = 0;
            Scalar d2 = 0;
            nanoflann::KNNResultSet<Scalar, std::uint32_t> knn(1);
            knn.init(&index, &d2);
            tree->findNeighbors(knn, q, SearchParams());
            if (knn.size() > 0) bestD2 = std::min(bestD2, d2);
        }
        const double chord = std::sqrt(static_cast<double>(bestD2)) + 2.0 * kChordMargin;
        Scratch s;
        candidates(q, chord * chord, s.positions);
        std::pair<double, std::uint32_t> best{std::numeric_limits<double>::infinity(), 0};
        for (std::uint32_t p : s.positions)
            best = std::min(
                best, std::make_pair(angularSeparationArcsec(raDeg, decDeg, m_points.ra[p], m_points.dec[p]),
                                     m_points.rows[p]));
        if (s.positions.empty()) return none; // cannot happen: the kNN point itself is within the chord
        return {static_cast<std::int64_t>(best.second), best.first};
    }

private:
    // Positions (in m_points) of all points within the squared chord r2 of q, plus some a little beyond.
    void candidates(const Scalar* q, double r2, std::vector<std::uint32_t>& out) const
    {
        out.clear();
        for (std::size_t t = 0; t < m_trees.size(); ++t) {
            // Skip trees whose box is out of reach (computed in double: cheap, and no rounding to reason
            // about).
            const Box& b = m_clouds[t].box;
            double boxD2 = 0;
            for (int k = 0; k < 3; ++k) {
                const double below = double(b.low[k]) - q[k], above = double(q[k]) - b.high[k];
                const double d = std::max({below, above, 0.0});
                boxD2 += d * d;
            }
            if (boxD2 > r2) continue;
            CandidateSet set(static_cast<Scalar>(r2), m_offsets[t], out);
            m_trees[t]->findNeighbors(set, q, SearchParams());
        }
    }

    Points m_points;
    std::vector<Cloud> m_clouds;
    std::vector<std::uint32_t> m_offsets;
    std::vector<std::unique_ptr<Tree>> m_trees;
};

} // namespace

// ---------------------------------------------------------------------------------------------------------------

struct SkyIndex::Impl
{
    // One tree, built on the caller's thread: SkyIndex has no thread option and may be built inside a worker.
    Impl(const std::vector<double>& ra, const std::vector<double>& dec)
        : index(preparePoints(ra, dec, 1, "sky index"), 1, 1)
    {
    }
    KdIndex index;
};

SkyIndex::SkyIndex(const std::vector<double>& raDeg, const std::vector<double>& decDeg)
    : d(std::make_unique<Impl>(raDeg, decDeg))
{
}

SkyIndex::~SkyIndex() = default;

std::size_t SkyIndex::size() const
{
    return d->index.size();
}

std::vector<std::pair<std::uint32_t, double>> SkyIndex::within(double raDeg, double decDeg,
                                                               double radiusArcsec) const
{
    checkRadius(radiusArcsec);
    std::vector<std::pair<std::uint32_t, double>> out;
    if (!validPosition(raDeg, decDeg)) return out;
    Scalar q[3];
    unitVector(raDeg, decDeg, q);
    Scratch s;
    d->index.within(raDeg, decDeg, q, radiusArcsec, searchRadiusSquared(radiusArcsec), s);
    out.reserve(s.hits.size());
    for (const auto& [sep, row] : s.hits)
        out.emplace_back(row, sep);
    return out;
}

std::pair<std::int64_t, double> SkyIndex::nearest(double raDeg, double decDeg) const
{
    return d->index.nearest(raDeg, decDeg);
}

CrossMatchResult crossMatch(const std::vector<double>& raA, const std::vector<double>& decA,
                            const std::vector<double>& raB, const std::vector<double>& decB,
                            const CrossMatchOptions& options)
{
    checkRadius(options.radiusArcsec);
    const unsigned threads =
        options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());

    // Queries run in Z-order of A's positions, for the same cache reasons as the index; results are written
    // per row of A, so the order of work does not show in the output.
    const Points queries = preparePoints(raA, decA, threads, "cross-match catalog A");
    const KdIndex index(preparePoints(raB, decB, threads, "cross-match catalog B"), threads, threads);
    const std::size_t n = raA.size(), m = queries.size();
    const double radius = options.radiusArcsec;
    const double r2 = searchRadiusSquared(radius);

    CrossMatchResult result;
    result.nearest.assign(n, -1);
    result.nearestSeparationArcsec.assign(n, std::numeric_limits<double>::quiet_NaN());

    const std::size_t nChunks = (m + kChunkRows - 1) / kChunkRows;
    // Pairs are collected per chunk and put in rowA order at the end, so the output does not depend on which
    // thread ran which chunk.
    std::vector<std::vector<MatchPair>> chunkPairs(options.allPairs ? nChunks : 0);

    auto processChunk = [&](std::size_t chunk, Scratch& s) {
        const std::size_t begin = chunk * kChunkRows, end = std::min(m, begin + kChunkRows);
        for (std::size_t j = begin; j < end; ++j) {
            index.within(queries.ra[j], queries.dec[j], &queries.xyz[3 * j], radius, r2, s);
            if (s.hits.empty()) continue;
            const std::uint32_t i = queries.rows[j];
            result.nearest[i] = s.hits.front().second;
            result.nearestSeparationArcsec[i] = s.hits.front().first;
            if (options.allPairs)
                for (const auto& [sep, row] : s.hits)
                    chunkPairs[chunk].push_back({i, row, sep});
        }
    };

    const unsigned workers =
        static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(1, nChunks)));
    // Rows with invalid positions count as done from the start: progress is over all rows of A.
    std::atomic<std::size_t> nextChunk{0}, doneRows{n - m};
    std::atomic<bool> stop{false};
    std::mutex mutex;
    std::condition_variable wake;
    unsigned running = workers - 1; // helper threads still working; guarded by mutex
    std::exception_ptr failure;     // first exception of any helper; guarded by mutex

    std::size_t reported = 0; // the last count given to options.progress; caller's thread only
    auto report = [&](std::size_t done) {
        reported = done;
        if (!options.progress(done, n)) stop = true;
    };
    auto runChunks = [&](bool reportProgress) {
        Scratch s;
        while (!stop.load(std::memory_order_relaxed)) {
            const std::size_t chunk = nextChunk.fetch_add(1);
            if (chunk >= nChunks) break;
            processChunk(chunk, s);
            const std::size_t rows = std::min(m, (chunk + 1) * kChunkRows) - chunk * kChunkRows;
            const std::size_t done = doneRows.fetch_add(rows) + rows;
            // The progress callback is only ever called on the caller's thread: it may touch state (a UI, a
            // log) that is not thread-safe.
            if (reportProgress && options.progress)
                report(done);
            else
                wake.notify_one();
        }
    };

    std::vector<std::thread> helpers;
    helpers.reserve(workers - 1);
    auto helperMain = [&] {
        try {
            runChunks(false);
        } catch (...) {
            std::lock_guard<std::mutex> lock(mutex);
            if (!failure) failure = std::current_exception();
            stop = true;
        }
        std::lock_guard<std::mutex> lock(mutex);
        --running;
        wake.notify_all();
    };

    bool cancelled = false;
    try {
        for (unsigned t = 1; t < workers; ++t)
            helpers.emplace_back(helperMain);
        if (options.progress) report(doneRows.load());
        runChunks(true);
        // This thread ran out of chunks; keep reporting while the helpers finish theirs.
        std::unique_lock<std::mutex> lock(mutex);
        while (running > 0) {
            wake.wait_for(lock, std::chrono::milliseconds(50));
            const std::size_t done = doneRows.load();
            if (options.progress && done != reported && !stop) {
                lock.unlock();
                report(done);
                lock.lock();
            }
        }
        // The helpers may have finished the last chunks before this thread started waiting.
        if (options.progress && !stop && !failure && doneRows.load() != reported) {
            lock.unlock();
            report(doneRows.load());
            lock.lock();
        }
        cancelled = stop && !failure;
    } catch (...) {
        // Also reached if a helper thread could not be started: those that did are stopped and joined.
        stop = true;
        for (auto& t : helpers)
            t.join();
        throw;
    }
    for (auto& t : helpers)
        t.join();
    if (failure) std::rethrow_exception(failure);
    if (cancelled || doneRows.load() < n) throw Error("cross-match cancelled");

    for (std::size_t i = 0; i < n; ++i)
        result.matchedRows += result.nearest[i] >= 0 ? 1 : 0;
    if (options.allPairs) {
        // Counting sort by rowA; each row's pairs come from one chunk, already sorted by separation then
        // rowB.
        std::vector<std::size_t> offset(n + 1, 0);
        for (const auto& c : chunkPairs)
            for (const MatchPair& p : c)
                ++offset[p.rowA + 1];
        for (std::size_t i = 0; i < n; ++i)
            offset[i + 1] += offset[i];
        result.pairs.resize(offset[n]);
        for (auto& c : chunkPairs) {
            for (const MatchPair& p : c)
                result.pairs[offset[p.rowA]++] = p;
            std::vector<MatchPair>().swap(c); // release as we go: pairs can be large
        }
    }
    return result;
}

} // namespace rm
