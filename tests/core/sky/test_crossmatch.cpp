// Sky cross-match (rm::crossMatch, rm::SkyIndex): geometry at the RA seam and the poles, the radius boundary,
// invalid rows, ordering, agreement with a brute-force search, threads, progress, and the real catalogs.
#include "TestData.h"

#include "sky/CrossMatcher.h"
#include "sky/SkyCoords.h"
#include "util/Error.h"
#include "util/Random.h"

#include <QtTest>

#include <atomic>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace rm;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPi = 3.14159265358979323846;

struct Sky
{
    std::vector<double> ra, dec;
    void add(double r, double d)
    {
        ra.push_back(r);
        dec.push_back(d);
    }
    std::size_t size() const { return ra.size(); }
};

CrossMatchResult match(const Sky& a, const Sky& b, double radius, unsigned threads = 0, bool allPairs = true)
{
    CrossMatchOptions o;
    o.radiusArcsec = radius;
    o.threads = threads;
    o.allPairs = allPairs;
    return crossMatch(a.ra, a.dec, b.ra, b.dec, o);
}

// The reference: every pair of rows compared, with the same separation function and argument order as the
// matcher, and the same rules (inclusive radius, invalid rows never match, ties by rowB).
CrossMatchResult bruteForce(const Sky& a, const Sky& b, double radius)
{
    CrossMatchResult r;
    r.nearest.assign(a.size(), -1);
    r.nearestSeparationArcsec.assign(a.size(), kNaN);
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (!validPosition(a.ra[i], a.dec[i])) continue;
        std::vector<std::pair<double, std::uint32_t>> hits;
        for (std::size_t j = 0; j < b.size(); ++j) {
            if (!validPosition(b.ra[j], b.dec[j])) continue;
            const double s = angularSeparationArcsec(a.ra[i], a.dec[i], b.ra[j], b.dec[j]);
            if (s <= radius) hits.emplace_back(s, static_cast<std::uint32_t>(j));
        }
        std::sort(hits.begin(), hits.end());
        if (hits.empty()) continue;
        ++r.matchedRows;
        r.nearest[i] = hits.front().second;
        r.nearestSeparationArcsec[i] = hits.front().first;
        for (const auto& [s, j] : hits)
            r.pairs.push_back({static_cast<std::uint32_t>(i), j, s});
    }
    return r;
}

bool sameDouble(double x, double y)
{
    return (std::isnan(x) && std::isnan(y)) || x == y;
}

// Exact equality of two results; on failure says where.
QString compareResults(const CrossMatchResult& got, const CrossMatchResult& want)
{
    if (got.nearest.size() != want.nearest.size()) return "nearest sizes differ";
    if (got.nearestSeparationArcsec.size() != want.nearestSeparationArcsec.size())
        return "separation sizes differ";
    for (std::size_t i = 0; i < want.nearest.size(); ++i)
        if (got.nearest[i] != want.nearest[i] ||
            !sameDouble(got.nearestSeparationArcsec[i], want.nearestSeparationArcsec[i]))
            return QString("row %1: nearest %2 (%3\") but expected %4 (%5\")")
                .arg(i)
                .arg(got.nearest[i])
                .arg(got.nearestSeparationArcsec[i], 0, 'g', 17)
                .arg(want.nearest[i])
                .arg(want.nearestSeparationArcsec[i], 0, 'g', 17);
    if (got.matchedRows != want.matchedRows)
        return QString("matchedRows %1, expected %2").arg(got.matchedRows).arg(want.matchedRows);
    if (got.pairs.size() != want.pairs.size())
        return QString("%1 pairs, expected %2").arg(got.pairs.size()).arg(want.pairs.size());
    for (std::size_t k = 0; k < want.pairs.size(); ++k)
        if (got.pairs[k].rowA != want.pairs[k].rowA || got.pairs[k].rowB != want.pairs[k].rowB ||
            got.pairs[k].separationArcsec != want.pairs[k].separationArcsec)
            return QString("pair %1: (%2, %3) but expected (%4, %5)")
                .arg(k)
                .arg(got.pairs[k].rowA)
                .arg(got.pairs[k].rowB)
                .arg(want.pairs[k].rowA)
                .arg(want.pairs[k].rowB);
    return {};
}

// Uniform on the sphere.
void randomPoint(SplitMix64& rng, double& ra, double& dec)
{
    ra = rng.uniform() * 360.0;
    dec = std::asin(2.0 * rng.uniform() - 1.0) * 180.0 / kPi;
}

// (ra, dec) moved by dist arcsec at position angle pa along a great circle, RA wrapped into [0, 360).
void offsetPoint(double ra, double dec, double distArcsec, double pa, double& ra2, double& dec2)
{
    const double k = kPi / 180.0, d = distArcsec / 3600.0 * k, a = ra * k, b = dec * k;
    const double sb2 = std::sin(b) * std::cos(d) + std::cos(b) * std::sin(d) * std::cos(pa);
    const double b2 = std::asin(std::clamp(sb2, -1.0, 1.0));
    const double a2 =
        a + std::atan2(std::sin(pa) * std::sin(d) * std::cos(b), std::cos(d) - std::sin(b) * sb2);
    ra2 = std::fmod(a2 / k, 360.0);
    if (ra2 < 0) ra2 += 360.0;
    if (ra2 >= 360.0) ra2 = 0.0;
    dec2 = b2 / k;
}

// Two catalogs crowded where cross-matching is hardest: across RA 0/360, in both polar caps, plus the whole
// sky; half of A are B's positions moved by up to twice the radius, so there are matches, near misses and
// rows with several matches.
void crowdedCatalogs(std::size_t nA, std::size_t nB, double radius, std::uint64_t seed, Sky& a, Sky& b)
{
    SplitMix64 rng(seed);
    for (std::size_t j = 0; j < nB; ++j) {
        double r = 0, d = 0;
        switch (j % 4) {
        case 0: // a 1x1 degree patch on the RA seam
            r = std::fmod(359.5 + rng.uniform() + 360.0, 360.0);
            d = rng.uniform() - 0.5;
            break;
        case 1: // north polar cap above 89.5
            r = rng.uniform() * 360.0;
            d = 89.5 + 0.5 * rng.uniform();
            break;
        case 2: // south polar cap
            r = rng.uniform() * 360.0;
            d = -90.0 + 0.5 * rng.uniform();
            break;
        default:
            randomPoint(rng, r, d);
        }
        b.add(r, d);
    }
    b.add(0.0, 90.0); // exactly the poles, and the seam at exactly 0 and 360
    b.add(0.0, -90.0);
    b.add(0.0, 0.25);
    b.add(360.0, -0.25);
    for (std::size_t i = 0; i < nA; ++i) {
        double r = 0, d = 0;
        if (i % 2 == 0) {
            const std::size_t j = rng.below(b.size());
            offsetPoint(b.ra[j], b.dec[j], 2.0 * radius * rng.uniform(), 2.0 * kPi * rng.uniform(), r, d);
        } else if (i % 6 == 1) {
            r = std::fmod(359.5 + rng.uniform() + 360.0, 360.0);
            d = rng.uniform() - 0.5;
        } else if (i % 6 == 3) {
            r = rng.uniform() * 360.0;
            d = (i % 12 == 3 ? 1 : -1) * (89.5 + 0.5 * rng.uniform());
        } else {
            randomPoint(rng, r, d);
        }
        a.add(r, d);
    }
    a.add(123.0, 90.0);
    a.add(300.0, -90.0);
}

// First `count` comma-separated fields of a CSV line (enough for leading unquoted fields).
std::vector<std::string> leadingFields(const std::string& line, std::size_t count)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    while (out.size() < count) {
        const std::size_t comma = line.find(',', start);
        out.push_back(line.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

// Reads columns (0-based) raCol, decCol as decimal degrees from a CSV with one header line.
bool readDegreesCsv(const std::string& path, std::size_t raCol, std::size_t decCol, Sky& out)
{
    std::ifstream f(path);
    std::string line;
    if (!std::getline(f, line)) return false;
    while (std::getline(f, line)) {
        if (line.empty()) continue;
        const auto fields = leadingFields(line, std::max(raCol, decCol) + 1);
        if (fields.size() <= std::max(raCol, decCol)) return false;
        out.add(std::stod(fields[raCol]), std::stod(fields[decCol]));
    }
    return true;
}

// "J001655.18-002739.1" -> (RA 00h16m55.18s, Dec -00d27m39.1s) in degrees. Deliberately local and minimal:
// the test checks the matcher, not the project's name parser.
bool parseIau(const std::string& name, double& ra, double& dec)
{
    if (name.size() < 2 || name[0] != 'J') return false;
    const std::size_t sign = name.find_first_of("+-", 1);
    if (sign == std::string::npos || sign < 7 || name.size() < sign + 7) return false;
    const std::string r = name.substr(1, sign - 1), d = name.substr(sign + 1);
    ra = 15.0 *
         (std::stod(r.substr(0, 2)) + std::stod(r.substr(2, 2)) / 60.0 + std::stod(r.substr(4)) / 3600.0);
    dec = std::stod(d.substr(0, 2)) + std::stod(d.substr(2, 2)) / 60.0 + std::stod(d.substr(4)) / 3600.0;
    if (name[sign] == '-') dec = -dec;
    return true;
}

} // namespace

class TestCrossMatch : public QObject
{
    Q_OBJECT

private slots:
    void emptyCatalogs()
    {
        const Sky none;
        Sky some;
        some.add(10, 10);
        some.add(20, -20);

        auto r = match(none, none, 5);
        QVERIFY(r.nearest.empty() && r.nearestSeparationArcsec.empty() && r.pairs.empty());
        QCOMPARE(r.matchedRows, std::size_t(0));

        r = match(some, none, 5);
        QCOMPARE(r.nearest, (std::vector<std::int64_t>{-1, -1}));
        QVERIFY(std::isnan(r.nearestSeparationArcsec[0]) && std::isnan(r.nearestSeparationArcsec[1]));
        QCOMPARE(r.matchedRows, std::size_t(0));
        QVERIFY(r.pairs.empty());

        r = match(none, some, 5);
        QVERIFY(r.nearest.empty() && r.pairs.empty());

        const SkyIndex empty(none.ra, none.dec);
        QCOMPARE(empty.size(), std::size_t(0));
        QVERIFY(empty.within(10, 10, 3600).empty());
        QCOMPARE(empty.nearest(10, 10).first, std::int64_t(-1));
        QVERIFY(std::isnan(empty.nearest(10, 10).second));
    }

    void raSeam()
    {
        Sky a, b;
        a.add(359.9999, 10.0);
        b.add(0.0001, 10.0); // 0.0002 deg of RA apart across 0/360
        a.add(0.00005, -30.0);
        b.add(359.99995, -30.0);
        a.add(360.0, 0.0); // 360 is accepted and is the same place as 0
        b.add(0.0, 0.0);
        a.add(180.0, 10.0); // nothing near
        b.add(180.0, 10.1);
        const auto r = match(a, b, 1.0);
        QCOMPARE(r.nearest, (std::vector<std::int64_t>{0, 1, 2, -1}));
        QVERIFY(std::abs(r.nearestSeparationArcsec[0] - 0.72 * std::cos(10 * kPi / 180)) < 1e-6);
        QVERIFY(std::abs(r.nearestSeparationArcsec[1] - 0.36 * std::cos(30 * kPi / 180)) < 1e-6);
        QVERIFY(r.nearestSeparationArcsec[2] < 1e-9); // 360 vs 0: zero up to sin(2 pi) rounding
        for (int i = 0; i < 3; ++i)
            QCOMPARE(r.nearestSeparationArcsec[i],
                     angularSeparationArcsec(a.ra[i], a.dec[i], b.ra[i], b.dec[i]));
        QCOMPARE(r.matchedRows, std::size_t(3));

        const SkyIndex index(b.ra, b.dec);
        QCOMPARE(index.nearest(359.99999, -30.0).first, std::int64_t(1));
        const auto w = index.within(0.0, 0.0, 1.0);
        QCOMPARE(w.size(), std::size_t(1));
        QCOMPARE(w[0].first, std::uint32_t(2));
    }

    void poles()
    {
        Sky a, b;
        a.add(0.0, 90.0);       // A0: exactly the north pole
        a.add(10.0, 89.9995);   // A1: 1.8" from the pole
        a.add(45.0, -90.0);     // A2: exactly the south pole
        a.add(300.0, -89.9999); // A3: 0.36" from it
        b.add(123.4, 90.0);     // B0: the north pole under another RA
        b.add(190.0, 89.9995);  // B1: 1.8" from the pole, opposite A1 (3.6" from it, across the pole)
        b.add(120.0, -89.9998); // B2: 0.72" from the south pole, opposite A3 (1.08" from it)
        b.add(0.0, -90.0);      // B3: the south pole

        auto r = match(a, b, 2.0);
        QCOMPARE(r.nearest, (std::vector<std::int64_t>{0, 0, 3, 3}));
        // The pole under two RAs: zero up to the rounding of cos(90 deg).
        QVERIFY(r.nearestSeparationArcsec[0] < 1e-9);
        QVERIFY(std::abs(r.nearestSeparationArcsec[1] - 1.8) < 1e-6);
        QVERIFY(r.nearestSeparationArcsec[2] < 1e-9);
        QVERIFY(std::abs(r.nearestSeparationArcsec[3] - 0.36) < 1e-6);
        // All pairs within 2": A1-B1 (3.6") is the only pair left out.
        std::vector<std::pair<std::uint32_t, std::uint32_t>> got;
        for (const auto& p : r.pairs)
            got.emplace_back(p.rowA, p.rowB);
        const std::vector<std::pair<std::uint32_t, std::uint32_t>> want = {{0, 0}, {0, 1}, {1, 0}, {2, 3},
                                                                           {2, 2}, {3, 3}, {3, 2}};
        QCOMPARE(got, want);
        QVERIFY(std::abs(r.pairs[6].separationArcsec - 1.08) < 1e-6);

        r = match(a, b, 4.0);
        QCOMPARE(r.nearest[1], std::int64_t(0));
        QCOMPARE(r.pairs.size(), std::size_t(8));
        QVERIFY(std::abs(r.pairs[3].separationArcsec - 3.6) < 1e-6); // A1-B1 across the pole
        QCOMPARE(compareResults(r, bruteForce(a, b, 4.0)), QString());

        const SkyIndex index(b.ra, b.dec);
        QCOMPARE(index.nearest(10.0, 89.0).first, std::int64_t(0)); // B1 lies on the far side of the pole
        QCOMPARE(index.nearest(0.0, -89.0).first, std::int64_t(3));
    }

    void radiusBoundary()
    {
        Sky a, b;
        a.add(150.0, 20.0);
        b.add(150.0, 20.0 + 4.999 / 3600);
        b.add(150.0, 20.0 - 5.0 / 3600);
        b.add(150.0 + 5.001 / 3600 / std::cos(20 * kPi / 180), 20.0);
        const double s = angularSeparationArcsec(a.ra[0], a.dec[0], b.ra[1], b.dec[1]);
        QVERIFY(std::abs(s - 5.0) < 1e-6);

        // Inclusive at exactly the separation; one ulp less drops the point, far below float resolution, so
        // this checks that candidates are rechecked in double.
        auto r = match(a, b, s);
        QCOMPARE(r.pairs.size(), std::size_t(2));
        QCOMPARE(r.pairs[0].rowB, std::uint32_t(0));
        QCOMPARE(r.pairs[1].rowB, std::uint32_t(1));
        QCOMPARE(r.pairs[1].separationArcsec, s);
        r = match(a, b, std::nextafter(s, 0.0));
        QCOMPARE(r.pairs.size(), std::size_t(1));
        r = match(a, b, 5.001 + 1e-6);
        QCOMPARE(r.pairs.size(), std::size_t(3));
        r = match(a, b, 4.998);
        QCOMPARE(r.matchedRows, std::size_t(0));

        const SkyIndex index(b.ra, b.dec);
        QCOMPARE(index.within(a.ra[0], a.dec[0], s).size(), std::size_t(2));
        QCOMPARE(index.within(a.ra[0], a.dec[0], std::nextafter(s, 0.0)).size(), std::size_t(1));

        // Radius 0 matches only the very same position; 180 degrees matches everything.
        Sky same;
        same.add(150.0, 20.0);
        QCOMPARE(match(a, same, 0.0).matchedRows, std::size_t(1));
        QCOMPARE(match(a, b, 0.0).matchedRows, std::size_t(0));
        Sky far;
        far.add(330.0, -19.9); // almost the antipode
        far.add(10.0, 10.0);
        QCOMPARE(match(a, far, 180.0 * 3600).pairs.size(), std::size_t(2));
        far.add(330.0, -20.0); // the antipode
        QCOMPARE(match(a, far, 1e9).pairs.size(), std::size_t(3));
    }

    void invalidRows()
    {
        const double inf = std::numeric_limits<double>::infinity();
        Sky a, b;
        a.add(kNaN, 20.0);
        a.add(150.0, kNaN);
        a.add(inf, 20.0);
        a.add(-1.0, 20.0);
        a.add(400.0, 20.0);
        a.add(150.0, 91.0);
        a.add(150.0, 20.0); // the only valid row of A: row 6
        b.add(kNaN, 20.0);
        b.add(150.0, kNaN);
        b.add(150.0, 20.0 + 1.0 / 3600); // the only valid row of B: row 2
        b.add(150.0, 90.0001);
        b.add(-inf, 20.0);

        const auto r = match(a, b, 3600.0);
        QCOMPARE(r.nearest, (std::vector<std::int64_t>{-1, -1, -1, -1, -1, -1, 2}));
        for (int i = 0; i < 6; ++i)
            QVERIFY(std::isnan(r.nearestSeparationArcsec[i]));
        QCOMPARE(r.matchedRows, std::size_t(1));
        QCOMPARE(r.pairs.size(), std::size_t(1));
        QCOMPARE(r.pairs[0].rowA, std::uint32_t(6));
        QCOMPARE(r.pairs[0].rowB, std::uint32_t(2));

        const SkyIndex index(b.ra, b.dec);
        QCOMPARE(index.size(), std::size_t(1));
        QCOMPARE(index.nearest(kNaN, 0).first, std::int64_t(-1));
        QVERIFY(index.within(kNaN, 20.0, 3600).empty());
        QCOMPARE(index.nearest(10.0, -80.0).first, std::int64_t(2));
    }

    void multipleMatchesSorted()
    {
        Sky a, b;
        const double d = 1.0 / 3600 / std::cos(45 * kPi / 180);
        b.add(200.0, 45.0 + 3.0 / 3600); // 3"
        b.add(200.0 + d, 45.0);          // ~1"
        b.add(200.0, 45.0 - 2.0 / 3600); // 2"
        b.add(200.0 - d, 45.0);          // ~1", an exact tie with row 1 (mirror image)
        b.add(10.0, 10.0);
        a.add(200.0, 45.0);
        a.add(10.0, 10.0);
        a.add(200.0, 45.0);
        a.add(0.0, 0.0);
        QCOMPARE(angularSeparationArcsec(200, 45, b.ra[1], b.dec[1]),
                 angularSeparationArcsec(200, 45, b.ra[3], b.dec[3]));

        const auto r = match(a, b, 3.5);
        QCOMPARE(r.nearest, (std::vector<std::int64_t>{1, 4, 1, -1})); // ties go to the lower row of B
        QCOMPARE(r.matchedRows, std::size_t(3));
        std::vector<std::pair<std::uint32_t, std::uint32_t>> got;
        for (const auto& p : r.pairs)
            got.emplace_back(p.rowA, p.rowB);
        const std::vector<std::pair<std::uint32_t, std::uint32_t>> want = {
            {0, 1}, {0, 3}, {0, 2}, {0, 0}, {1, 4}, {2, 1}, {2, 3}, {2, 2}, {2, 0}};
        QCOMPARE(got, want);
        for (std::size_t k = 1; k < r.pairs.size(); ++k)
            if (r.pairs[k].rowA == r.pairs[k - 1].rowA)
                QVERIFY(r.pairs[k].separationArcsec >= r.pairs[k - 1].separationArcsec);

        const auto noPairs = match(a, b, 3.5, 0, false);
        QVERIFY(noPairs.pairs.empty());
        QCOMPARE(noPairs.nearest, r.nearest);

        const SkyIndex index(b.ra, b.dec);
        const auto w = index.within(200.0, 45.0, 3.5);
        QCOMPARE(w.size(), std::size_t(4));
        QCOMPARE(w[0].first, std::uint32_t(1));
        QCOMPARE(w[1].first, std::uint32_t(3));
        QCOMPARE(w[3].first, std::uint32_t(0));
        QCOMPARE(index.nearest(200.0, 45.0).first, std::int64_t(1));
    }

    void agreesWithBruteForce_data()
    {
        QTest::addColumn<double>("radius");
        QTest::addColumn<quint64>("seed");
        QTest::newRow("10 arcsec") << 10.0 << quint64(1);
        QTest::newRow("60 arcsec") << 60.0 << quint64(2);
        QTest::newRow("15 arcmin, crowded") << 900.0 << quint64(3);
    }

    void agreesWithBruteForce()
    {
        QFETCH(double, radius);
        QFETCH(quint64, seed);
        Sky a, b;
        crowdedCatalogs(2000, 2000, radius, seed, a, b);
        a.add(kNaN, 0.0);
        b.add(0.0, kNaN);
        const auto want = bruteForce(a, b, radius);
        QVERIFY2(want.matchedRows > 500, qPrintable(QString::number(want.matchedRows)));
        QVERIFY(want.pairs.size() > want.matchedRows); // some rows have several matches

        // Identical output whatever the thread count (1 to 4 threads also cut B into 1 to 3 trees).
        for (unsigned threads : {1u, 2u, 3u, 4u, 0u}) {
            const auto got = match(a, b, radius, threads);
            const QString diff = compareResults(got, want);
            QVERIFY2(diff.isEmpty(), qPrintable(QString("%1 threads: %2").arg(threads).arg(diff)));
        }

        // SkyIndex: nearest without a radius limit, and within, against the brute force.
        const SkyIndex index(b.ra, b.dec);
        QCOMPARE(index.size(), b.size() - 1);
        SplitMix64 rng(seed + 100);
        for (int q = 0; q < 300; ++q) {
            double ra = 0, dec = 0;
            if (q % 2) {
                randomPoint(rng, ra, dec);
            } else {
                ra = a.ra[q];
                dec = a.dec[q];
            }
            std::pair<double, std::int64_t> best{std::numeric_limits<double>::infinity(), -1};
            std::vector<std::pair<double, std::uint32_t>> inside;
            for (std::size_t j = 0; j < b.size(); ++j) {
                if (!validPosition(b.ra[j], b.dec[j])) continue;
                const double s = angularSeparationArcsec(ra, dec, b.ra[j], b.dec[j]);
                best = std::min(best, std::make_pair(s, std::int64_t(j)));
                if (s <= radius) inside.emplace_back(s, static_cast<std::uint32_t>(j));
            }
            std::sort(inside.begin(), inside.end());
            const auto n = index.nearest(ra, dec);
            QCOMPARE(n.first, best.second);
            QCOMPARE(n.second, best.first);
            const auto w = index.within(ra, dec, radius);
            QCOMPARE(w.size(), inside.size());
            for (std::size_t k = 0; k < w.size(); ++k) {
                QCOMPARE(w[k].first, inside[k].second);
                QCOMPARE(w[k].second, inside[k].first);
            }
        }
    }

    void progressAndCancel()
    {
        Sky a, b;
        SplitMix64 rng(7);
        for (int i = 0; i < 50000; ++i) {
            double r = 0, d = 0;
            randomPoint(rng, r, d);
            a.add(r, d);
            randomPoint(rng, r, d);
            b.add(r, d);
        }
        a.add(kNaN, kNaN);

        // Reported on the caller's thread, never backwards, ending at total.
        const auto caller = std::this_thread::get_id();
        std::vector<std::pair<std::size_t, std::size_t>> calls;
        bool otherThread = false;
        CrossMatchOptions o;
        o.radiusArcsec = 30;
        o.threads = 2;
        o.progress = [&](std::size_t done, std::size_t total) {
            otherThread |= std::this_thread::get_id() != caller;
            calls.emplace_back(done, total);
            return true;
        };
        const auto r = crossMatch(a.ra, a.dec, b.ra, b.dec, o);
        QCOMPARE(r.nearest.size(), a.size());
        QVERIFY(!otherThread);
        QVERIFY(calls.size() >= 2);
        for (std::size_t k = 0; k < calls.size(); ++k) {
            QCOMPARE(calls[k].second, a.size());
            if (k) QVERIFY(calls[k].first >= calls[k - 1].first);
        }
        QCOMPARE(calls.back().first, a.size());

        // Cancelling at once, or half way with several threads, throws rm::Error.
        for (std::size_t cancelAt : {std::size_t(0), a.size() / 2}) {
            for (unsigned threads : {1u, 2u}) {
                o.threads = threads;
                o.progress = [&](std::size_t done, std::size_t) { return cancelAt != 0 && done < cancelAt; };
                QVERIFY_THROWS_EXCEPTION(Error, crossMatch(a.ra, a.dec, b.ra, b.dec, o));
            }
        }
    }

    void badInput()
    {
        const std::vector<double> two = {1.0, 2.0}, one = {1.0};
        CrossMatchOptions o;
        QVERIFY_THROWS_EXCEPTION(Error, crossMatch(two, one, two, two, o));
        QVERIFY_THROWS_EXCEPTION(Error, crossMatch(two, two, one, two, o));
        QVERIFY_THROWS_EXCEPTION(Error, SkyIndex(two, one));
        for (double bad : {-1.0, kNaN, std::numeric_limits<double>::infinity()}) {
            o.radiusArcsec = bad;
            QVERIFY_THROWS_EXCEPTION(Error, crossMatch(two, two, two, two, o));
            const SkyIndex index(two, two);
            QVERIFY_THROWS_EXCEPTION(Error, index.within(1.0, 1.0, bad));
        }
    }

    // The Galaxy Zoo DECaLS ring cutouts against Buta (2017), positions from the IAU names: the data README
    // says 75 of them are Buta rings within 5", 21 of those labelled ring=0.
    void realGzDecalsLabelsVsButa()
    {
        RM_SHARED_DATA(butaPath, "catalogs/buta2017_table2.csv");
        RM_SHARED_DATA(labelsPath, "images/gzdecals_ring470/labels.csv");
        Sky buta, labels;
        QVERIFY(readDegreesCsv(butaPath, 0, 1, buta));
        QCOMPARE(buta.size(), std::size_t(3962));

        std::vector<int> ring;
        std::ifstream f(labelsPath);
        std::string line;
        QVERIFY(std::getline(f, line));
        QVERIFY(line.rfind("iauname,file,ring", 0) == 0);
        while (std::getline(f, line)) {
            if (line.empty()) continue;
            const auto fields = leadingFields(line, 3);
            QCOMPARE(fields.size(), std::size_t(3));
            double ra = 0, dec = 0;
            QVERIFY2(parseIau(fields[0], ra, dec), fields[0].c_str());
            labels.add(ra, dec);
            ring.push_back(std::stoi(fields[2]));
        }
        QCOMPARE(labels.size(), std::size_t(377));

        CrossMatchOptions o;
        o.radiusArcsec = 5.0;
        const auto r = crossMatch(labels.ra, labels.dec, buta.ra, buta.dec, o);
        QCOMPARE(r.matchedRows, std::size_t(75));
        std::size_t notRing = 0;
        for (std::size_t i = 0; i < labels.size(); ++i)
            notRing += r.nearest[i] >= 0 && ring[i] == 0;
        QCOMPARE(notRing, std::size_t(21));
        QCOMPARE(compareResults(r, bruteForce(labels, buta, 5.0)), QString());
    }

    // The GZ2 extract against Buta (2017): 106 of its galaxies are Buta rings within 5".
    void realGz2VsButa()
    {
        RM_SHARED_DATA(butaPath, "catalogs/buta2017_table2.csv");
        RM_SHARED_DATA(gz2Path, "catalogs/gz2_hart16_sample2000.csv");
        Sky buta, gz2;
        QVERIFY(readDegreesCsv(butaPath, 0, 1, buta));
        QVERIFY(readDegreesCsv(gz2Path, 2, 3, gz2)); // ",dr7objid,ra,dec,..."
        QCOMPARE(gz2.size(), std::size_t(2000));

        CrossMatchOptions o;
        o.radiusArcsec = 5.0;
        const auto r = crossMatch(gz2.ra, gz2.dec, buta.ra, buta.dec, o);
        QCOMPARE(r.matchedRows, std::size_t(106));
        QCOMPARE(compareResults(r, bruteForce(gz2, buta, 5.0)), QString());

        // And the other way round, through an index on the GZ2 extract.
        const SkyIndex index(gz2.ra, gz2.dec);
        std::size_t butaMatched = 0;
        for (std::size_t j = 0; j < buta.size(); ++j)
            butaMatched += !index.within(buta.ra[j], buta.dec[j], 5.0).empty();
        QCOMPARE(butaMatched, bruteForce(buta, gz2, 5.0).matchedRows);
    }
};

QTEST_APPLESS_MAIN(TestCrossMatch)
#include "test_crossmatch.moc"
