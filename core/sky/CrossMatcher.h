#pragma once
// Sky cross-match of catalog A against catalog B within a radius, on a KD-tree (nanoflann) over unit vectors.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace rm {

struct MatchPair
{
    std::uint32_t rowA = 0;
    std::uint32_t rowB = 0;
    double separationArcsec = 0;
};

struct CrossMatchResult
{
    // Per row of A: the nearest row of B within the radius, or -1; and its separation (NaN when none).
    std::vector<std::int64_t> nearest;
    std::vector<double> nearestSeparationArcsec;
    // Every (A, B) pair within the radius, sorted by rowA then separation. Empty unless allPairs was asked.
    std::vector<MatchPair> pairs;
    std::size_t matchedRows = 0; // rows of A with at least one match
};

struct CrossMatchOptions
{
    double radiusArcsec = 1.0;
    bool allPairs = true;
    unsigned threads = 0;                                              // 0 = all hardware threads
    std::function<bool(std::size_t done, std::size_t total)> progress; // false = cancel (throws rm::Error)
};

// An index over one catalog's positions that answers radius and nearest-neighbour queries. Rows with
// non-finite positions are left out of the index and never match (so are out-of-range ones:
// rm::validPosition). Results are exact: the tree only proposes candidates, whose separations are computed in
// double with rm::angularSeparationArcsec; the radius is inclusive and ties go to the lower row.
class SkyIndex
{
public:
    SkyIndex(const std::vector<double>& raDeg, const std::vector<double>& decDeg);
    ~SkyIndex();
    SkyIndex(const SkyIndex&) = delete;
    SkyIndex& operator=(const SkyIndex&) = delete;

    std::size_t size() const;
    // Rows within radiusArcsec of (ra, dec), sorted by separation: (row, separation arcsec).
    std::vector<std::pair<std::uint32_t, double>> within(double raDeg, double decDeg,
                                                         double radiusArcsec) const;
    // The nearest row and its separation; row -1 when the index is empty or the position is not finite.
    std::pair<std::int64_t, double> nearest(double raDeg, double decDeg) const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

// Matches every row of A against an index on B, on options.threads threads; the output does not depend on the
// thread count. Rows of A with invalid positions get no match. Throws rm::Error on mismatched column sizes, a
// negative or non-finite radius, or when options.progress (always called on the calling thread) returns
// false.
CrossMatchResult crossMatch(const std::vector<double>& raA, const std::vector<double>& decA,
                            const std::vector<double>& raB, const std::vector<double>& decB,
                            const CrossMatchOptions& options);

} // namespace rm
