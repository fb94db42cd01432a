// Target sets built from the real catalogs: the seed's gz2 / gzd5 steps in miniature.
#include "TestData.h"

#include "catalog/CatalogReader.h"
#include "sky/CrossMatcher.h"
#include "store/LabelStore.h"
#include "store/ProjectStore.h"
#include "targets/CatalogMatch.h"
#include "targets/TargetSetBuilder.h"
#include "util/Error.h"
#include "util/Random.h"

#include <QtTest>

#include <algorithm>
#include <array>
#include <cmath>
#include <set>

using namespace rm;

class TestTargetSets : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<ProjectStore> m_store;
    std::int64_t m_buta = 0, m_gz2 = 0, m_nair = 0, m_gzd = 0;

    std::int64_t import(const char* relative, const char* name, CatalogRole role,
                        const std::string& labelColumn = {})
    {
        const std::string path = rmtest::sharedData(relative);
        if (path.empty()) throw Error(std::string("missing real data file ") + relative);
        return m_store->addCatalog(name, importCatalog(path), role, labelColumn);
    }

    static double median(std::vector<double> v)
    {
        std::sort(v.begin(), v.end());
        return v.empty() ? NAN : v[v.size() / 2];
    }

    // Two-sample Kolmogorov-Smirnov statistic.
    static double ksStatistic(std::vector<double> a, std::vector<double> b)
    {
        std::sort(a.begin(), a.end());
        std::sort(b.begin(), b.end());
        std::size_t i = 0, j = 0;
        double d = 0;
        while (i < a.size() && j < b.size()) {
            const double x = std::min(a[i], b[j]);
            while (i < a.size() && a[i] <= x)
                ++i;
            while (j < b.size() && b[j] <= x)
                ++j;
            d = std::max(d, std::fabs(double(i) / a.size() - double(j) / b.size()));
        }
        return d;
    }

    std::vector<double> zOf(const std::vector<Target>& targets, int label)
    {
        std::map<std::int64_t, Table> tables;
        std::vector<double> out;
        for (const auto& t : targets) {
            if (t.label != label) continue;
            auto it = tables.find(t.catalogId);
            if (it == tables.end())
                it = tables.emplace(t.catalogId, m_store->loadTable(t.catalogId, {"z"})).first;
            if (auto z = it->second.columns[0].number(t.row)) out.push_back(*z);
        }
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        RM_SHARED_DATA(buta, "catalogs/buta2017_table2.csv");
        QVERIFY(m_dir.isValid());
        m_store = ProjectStore::create(m_dir.filePath("real.rmproj").toStdString());
        m_buta = import("catalogs/buta2017_table2.csv", "buta", CatalogRole::Rings);
        m_gz2 = import("catalogs/gz2_hart16_sample2000.csv", "gz2", CatalogRole::Images);
        m_nair = import("catalogs/nair_abraham2010_no_ring.csv", "nair", CatalogRole::Parent);
        m_gzd = import("images/gzdecals_ring470/labels.csv", "gzd", CatalogRole::Labelled, "ring");
    }

    void crossMatchReportsLabelConflicts()
    {
        // The issue's real-data fact: 75 of the 377 labelled DECaLS cutouts are Buta rings within 5", and 21
        // of those 75 are labelled ring=0.
        CatalogMatchSummary s = matchCatalogs(*m_store, "gzd", "buta", 5.0);
        QCOMPARE(s.matchedRows, std::size_t(75));
        QCOMPARE(s.labelComparisons, std::size_t(75));
        QCOMPARE(s.conflicts.size(), std::size_t(21));
        QVERIFY(s.conflicts.front().description.find("not ring") != std::string::npos);
        QCOMPARE(m_store->db()
                     .queryInt("SELECT count(*) FROM crossmatch_pairs WHERE crossmatch_id = " +
                               std::to_string(s.crossmatchId) + " AND is_nearest = 1")
                     .value_or(-1),
                 std::int64_t(75));
        // The GZ2 miniature: 106 of the 2000 GZ2 galaxies are Buta rings.
        QCOMPARE(matchCatalogs(*m_store, "gz2", "buta", 5.0).matchedRows, std::size_t(106));
        // Catalogs disagree: 49 of Nair & Abraham's "no ring" galaxies are Buta rings.
        QCOMPARE(matchCatalogs(*m_store, "nair", "buta", 5.0).matchedRows, std::size_t(49));
    }

    void gzd5StyleSetFromRingsAndImages()
    {
        TargetSetSpec spec;
        spec.name = "gz2mini";
        spec.rings = "buta";
        spec.images = "gz2";
        spec.negatives = "nair";
        TargetSetReport r = buildTargetSet(*m_store, spec);
        QCOMPARE(r.steps.front().count, std::size_t(3962));
        std::size_t pos = r.counts[0][1] + r.counts[1][1] + r.counts[2][1];
        std::size_t neg = r.counts[0][0] + r.counts[1][0] + r.counts[2][0];
        QCOMPARE(pos, std::size_t(106));
        QCOMPARE(neg, std::size_t(106));
        // Stratified 70/15/15 of 106 per class.
        QCOMPARE(r.counts[Train][1], std::size_t(74));
        QCOMPARE(r.counts[Val][1], std::size_t(16));
        QCOMPARE(r.counts[Test][1], std::size_t(16));
        QCOMPARE(r.counts[Train][0], std::size_t(74));

        // No negative lies within the exclusion radius of any Buta ring (49 Nair galaxies are Buta rings).
        auto targets = loadTargets(*m_store, "gz2mini");
        CatalogPositions bp = m_store->positions(m_buta);
        SkyIndex rings(bp.ra, bp.dec);
        for (const auto& t : targets) {
            if (t.label == 1) {
                QCOMPARE(t.catalogId, m_gz2);
                QVERIFY(!rings.within(t.ra, t.dec, 5.0).empty());
            } else {
                QCOMPARE(t.catalogId, m_nair);
                QVERIFY(rings.within(t.ra, t.dec, 5.0).empty());
            }
        }
        // Reported counts survive a reload.
        TargetSetReport again = targetSetReport(*m_store, "gz2mini");
        QCOMPARE(again.counts, r.counts);
        QCOMPARE(again.steps.size(), r.steps.size());
    }

    void deterministicFromSeed()
    {
        TargetSetSpec spec;
        spec.rings = "buta";
        spec.images = "gz2";
        spec.negatives = "nair";
        spec.name = "seed42a";
        buildTargetSet(*m_store, spec);
        spec.name = "seed42b";
        buildTargetSet(*m_store, spec);
        spec.name = "seed7";
        spec.seed = 7;
        buildTargetSet(*m_store, spec);
        auto key = [](const std::vector<Target>& ts) {
            std::vector<std::tuple<std::int64_t, std::int64_t, int>> k;
            for (const auto& t : ts)
                k.emplace_back(t.catalogId, t.row, t.split);
            return k;
        };
        QVERIFY(key(loadTargets(*m_store, "seed42a")) == key(loadTargets(*m_store, "seed42b")));
        QVERIFY(key(loadTargets(*m_store, "seed42a")) != key(loadTargets(*m_store, "seed7")));
    }

    void labelledCatalogGivesBothClasses()
    {
        TargetSetSpec spec;
        spec.name = "gzd";
        spec.labelled = "gzd";
        TargetSetReport r = buildTargetSet(*m_store, spec);
        std::size_t pos = r.counts[0][1] + r.counts[1][1] + r.counts[2][1];
        QCOMPARE(pos, std::size_t(187));
        QCOMPARE(r.total(), std::size_t(377));
        bool warned = std::any_of(r.warnings.begin(), r.warnings.end(), [](const std::string& w) {
            return w.find("21 of the 75") != std::string::npos;
        });
        QVERIFY2(warned, "the 21 label conflicts with Buta 2017 are reported");
    }

    void negativesFollowTheRedshiftDistribution()
    {
        // Real data: Nair & Abraham stops at z = 0.1 while a third of the Buta rings lie beyond, so the match
        // can only be as good as the pool allows; it must still be much better than drawing blindly, and say
        // so.
        TargetSetSpec spec;
        spec.rings = "buta";
        spec.negatives = "nair";
        spec.name = "gz2-unmatched";
        buildTargetSet(*m_store, spec);
        spec.name = "gz2-z";
        spec.matchColumn = "z";
        spec.matchBins = 10;
        TargetSetReport r = buildTargetSet(*m_store, spec);
        const std::size_t pos = r.counts[0][1] + r.counts[1][1] + r.counts[2][1];
        QCOMPARE(r.total(), 2 * pos);
        auto unmatched = loadTargets(*m_store, "gz2-unmatched");
        auto matched = loadTargets(*m_store, "gz2-z");
        const double dUnmatched = ksStatistic(zOf(unmatched, 1), zOf(unmatched, 0));
        const double dMatched = ksStatistic(zOf(matched, 1), zOf(matched, 0));
        qInfo("real z, KS distance rings vs negatives: unmatched %.3f, matched %.3f", dUnmatched, dMatched);
        QVERIFY(dMatched < dUnmatched - 0.1);
        const bool told = std::any_of(r.warnings.begin(), r.warnings.end(), [](const std::string& w) {
            return w.find("nearest bins") != std::string::npos;
        });
        QVERIFY2(told, "the report says that some negatives came from neighbouring bins");
    }

    void distributionMatchIsCloseWhenThePoolAllows()
    {
        // A pool that covers the positives' range, with a very different shape: the drawn negatives must
        // follow the positives' distribution (KS distance small) although the pool's own distance is large.
        QTemporaryDir dir;
        auto store = ProjectStore::create(dir.filePath("synthetic.rmproj").toStdString());
        auto make = [](std::size_t n, std::uint64_t seed, bool skewed) {
            ImportedCatalog c;
            c.path = "synthetic.csv";
            c.table.addColumn("z", ColumnType::Real);
            SplitMix64 rng(seed);
            for (std::size_t i = 0; i < n; ++i) {
                const double u = rng.uniform();
                c.table.columns[0].appendReal(skewed ? 0.01 + 0.2 * u * u * u : 0.05 + 0.1 * u);
                c.ra.push_back(360.0 * rng.uniform());
                c.dec.push_back(std::asin(2 * rng.uniform() - 1) * 180 / M_PI);
                c.sourceRow.push_back(i + 1);
            }
            return c;
        };
        store->addCatalog("rings", make(1000, 1, false), CatalogRole::Rings);
        store->addCatalog("pool", make(20000, 2, true), CatalogRole::Parent);
        TargetSetSpec spec;
        spec.name = "matched";
        spec.rings = "rings";
        spec.negatives = "pool";
        spec.matchColumn = "z";
        spec.matchBins = 20;
        TargetSetReport r = buildTargetSet(*store, spec);
        QVERIFY(r.warnings.empty());
        std::vector<double> pz, nz;
        Table rz = store->loadTable(store->catalog("rings").id, {"z"});
        Table poolz = store->loadTable(store->catalog("pool").id, {"z"});
        for (const auto& t : loadTargets(*store, "matched"))
            (t.label ? pz : nz).push_back(*(t.label ? rz : poolz).columns[0].number(t.row));
        const double dPool = ksStatistic(pz, poolz.columns[0].reals);
        const double d = ksStatistic(pz, nz);
        qInfo("synthetic z, KS distance rings vs pool %.3f, rings vs drawn negatives %.3f", dPool, d);
        QCOMPARE(nz.size(), std::size_t(1000));
        QVERIFY(dPool > 0.3);
        QVERIFY(d < 0.06);
    }

    void handLabelsOverrideCatalogLabels()
    {
        // Mark one gz2 ring "unsure" and every drawn Nair negative "ring": the first leaves the set; the
        // others are never drawn as negatives again, and, being galaxies of the negatives catalog, join the
        // positives (what an active-learning round relies on).
        auto before = loadTargets(*m_store, "gz2mini");
        const Target ring =
            *std::find_if(before.begin(), before.end(), [](const Target& t) { return t.label == 1; });
        LabelStore labels(m_store->db());
        labels.set({ring.catalogId, ring.row}, ring.ra, ring.dec, HandLabel::Unsure, "", "test");
        CatalogPositions np = m_store->positions(m_nair);
        std::vector<std::size_t> nairRows;
        for (const auto& t : before)
            if (t.label == 0) nairRows.push_back(static_cast<std::size_t>(t.row));
        for (std::size_t r : nairRows)
            labels.set({m_nair, std::int64_t(r)}, np.ra[r], np.dec[r], HandLabel::Ring, "", "test");

        TargetSetSpec spec = targetSetSpec(*m_store, "gz2mini");
        spec.name = "gz2mini-hand";
        TargetSetReport r = buildTargetSet(*m_store, spec);
        std::size_t pos = r.counts[0][1] + r.counts[1][1] + r.counts[2][1];
        QCOMPARE(pos, std::size_t(105) + nairRows.size());
        std::size_t handRings = 0;
        for (const auto& t : loadTargets(*m_store, "gz2mini-hand")) {
            QVERIFY(!(t.catalogId == ring.catalogId && t.row == ring.row));
            if (t.catalogId == m_nair &&
                std::find(nairRows.begin(), nairRows.end(), std::size_t(t.row)) != nairRows.end()) {
                QCOMPARE(t.label, 1); // a positive now, never a negative
                QCOMPARE(t.origin, std::string("hand label"));
                ++handRings;
            }
        }
        QCOMPARE(handRings, nairRows.size());
        spec.name = "gz2mini-nohand";
        spec.useHandLabels = false;
        r = buildTargetSet(*m_store, spec);
        QCOMPARE(r.counts[0][1] + r.counts[1][1] + r.counts[2][1], std::size_t(106));
    }

    // One galaxy listed twice in a rings catalog is one positive (within duplicateRadiusArcsec, 1" by
    // default, the first listing kept); an image row two rings claim is one target; --ratio N draws N
    // negatives per positive (rounded), and a pool too small for it gives all it has, with a warning.
    void duplicateRingsAndRatio()
    {
        auto write = [&](const char* name, const std::string& text) {
            QFile f(m_dir.filePath(name));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(text.data(), qint64(text.size()));
        };
        std::string rings = "name,ra,dec\n", images = "name,ra,dec\n", pool = "name,ra,dec\n";
        for (int i = 0; i < 10; ++i) // ten rings 6' apart
            rings += "R" + std::to_string(i) + "," + std::to_string(10.0 + i * 0.1) + ",0.0\n";
        for (int i = 0; i < 3; ++i) // rows 10-12: rings 0-2 listed again 0.5" away
            rings +=
                "R" + std::to_string(i) + "bis," + std::to_string(10.0 + i * 0.1 + 0.5 / 3600) + ",0.0\n";
        rings += "R3near," + std::to_string(10.3 + 3.0 / 3600) + ",0.0\n"; // row 13: 3" from ring 3
        for (int i = 0; i < 10; ++i) // an image of every ring (ring 3's also the nearest to row 13)
            images += "I" + std::to_string(i) + "," + std::to_string(10.0 + i * 0.1 + 1.0 / 3600) + ",0.0\n";
        for (int i = 0; i < 100; ++i) // a pool far from every ring
            pool += "P" + std::to_string(i) + "," + std::to_string(20.0 + i * 0.01) + ",1.0\n";
        write("dup_rings.csv", rings);
        write("dup_images.csv", images);
        write("dup_pool.csv", pool);
        const std::int64_t ringsId = m_store->addCatalog(
            "dup_rings", importCatalog(m_dir.filePath("dup_rings.csv").toStdString()), CatalogRole::Rings);
        m_store->addCatalog("dup_images", importCatalog(m_dir.filePath("dup_images.csv").toStdString()),
                            CatalogRole::Images);
        m_store->addCatalog("dup_pool", importCatalog(m_dir.filePath("dup_pool.csv").toStdString()),
                            CatalogRole::Parent);
        auto stepCount = [](const TargetSetReport& r, const std::string& prefix) -> long long {
            for (const auto& s : r.steps)
                if (s.what.rfind(prefix, 0) == 0) return static_cast<long long>(s.count);
            return -1;
        };
        auto classes = [](const TargetSetReport& r) {
            std::array<std::size_t, 2> n{};
            for (const auto& split : r.counts) {
                n[0] += split[0];
                n[1] += split[1];
            }
            return n;
        };

        TargetSetSpec spec;
        spec.name = "dup_ratio2";
        spec.rings = "dup_rings";
        spec.negatives = "dup_pool";
        spec.negativesPerPositive = 2;
        TargetSetReport r = buildTargetSet(*m_store, spec);
        QCOMPARE(stepCount(r, "rows of dup_rings"), 14LL);
        QCOMPARE(stepCount(r, "distinct galaxies"), 11LL); // rows 10-12 merged; the one 3" away is another
        QCOMPARE(classes(r)[1], std::size_t(11));
        QCOMPARE(classes(r)[0], std::size_t(22)); // ratio 2
        std::set<std::int64_t> ringRows;
        for (const Target& t : loadTargets(*m_store, "dup_ratio2"))
            if (t.label == 1) {
                QCOMPARE(t.catalogId, ringsId);
                ringRows.insert(t.row);
            }
        QCOMPARE(ringRows, (std::set<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 13})); // first listings kept

        // A wider duplicate radius merges the one 3" away too; ratio 0.5 rounds 10 * 0.5 = 5.
        spec.name = "dup_half";
        spec.duplicateRadiusArcsec = 5;
        spec.negativesPerPositive = 0.5;
        r = buildTargetSet(*m_store, spec);
        QCOMPARE(stepCount(r, "distinct galaxies"), 10LL);
        QCOMPARE(classes(r)[1], std::size_t(10));
        QCOMPARE(classes(r)[0], std::size_t(5));

        // Rings found in an images catalog: rings 3 and 13 (1" apart from the same image) take one target.
        spec.name = "dup_images";
        spec.images = "dup_images";
        spec.duplicateRadiusArcsec = 1;
        spec.radiusArcsec = 5;
        spec.negativesPerPositive = 3;
        r = buildTargetSet(*m_store, spec);
        QCOMPARE(stepCount(r, "distinct galaxies"), 11LL);
        QCOMPARE(stepCount(r, "found in dup_images"), 10LL);
        QCOMPARE(classes(r)[1], std::size_t(10));
        QCOMPARE(classes(r)[0], std::size_t(30));

        // Ratio 20 wants 200 negatives from a pool of 100: all 100, said in a warning.
        spec.name = "dup_short";
        spec.negativesPerPositive = 20;
        r = buildTargetSet(*m_store, spec);
        QCOMPARE(classes(r)[0], std::size_t(100));
        QVERIFY(std::any_of(r.warnings.begin(), r.warnings.end(), [](const std::string& w) {
            return w.find("the pool ran out") != std::string::npos;
        }));
    }

    void clearErrors()
    {
        TargetSetSpec spec;
        spec.name = "bad";
        QVERIFY_THROWS_EXCEPTION(Error, buildTargetSet(*m_store, spec)); // no source
        spec.rings = "buta";
        QVERIFY_THROWS_EXCEPTION(Error, buildTargetSet(*m_store, spec)); // no negatives
        spec.negatives = "nope";
        try {
            buildTargetSet(*m_store, spec);
            QFAIL("built from a missing catalog");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("nope") && QString(e.what()).contains("buta"), e.what());
        }
        spec.negatives = "nair";
        spec.name = "gz2mini";
        QVERIFY(hasTargetSet(*m_store, "gz2mini"));
        QVERIFY_THROWS_EXCEPTION(Error, buildTargetSet(*m_store, spec)); // name taken
        spec.name = "bad";
        spec.matchColumn = "Names";
        QVERIFY_THROWS_EXCEPTION(Error, buildTargetSet(*m_store, spec)); // text column
        const auto names = targetSetNames(*m_store);
        QVERIFY(std::find(names.begin(), names.end(), "bad") == names.end());
        QVERIFY(!hasTargetSet(*m_store, "bad"));
    }
};

QTEST_APPLESS_MAIN(TestTargetSets)
#include "test_target_sets.moc"
