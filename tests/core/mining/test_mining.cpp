// core/mining in pieces: the threshold at a target precision (checked against scikit-learn's
// precision_recall_curve), how scoring errors are classified, known rings flagged against several catalogs,
// a damaged shard file named in the error, shards only written and read back one at a time (bit for bit the
// scores gathered in memory), catalogs read for scoring without positions (the real unlabelled
// GZ2 ids), and the schema-3 migration that adds the role `candidates` to an existing project.
// LibTorch before Qt (Qt's `slots` macro breaks its headers).
#include "models/RingClassifier.h"
#include "models/WeightsIO.h"

#include "TestData.h"

#include "catalog/ScoringCatalog.h"
#include "mining/CandidateCatalog.h"
#include "mining/ContactSheet.h"
#include "mining/Mining.h"
#include "mining/ShardedScoring.h"
#include "mining/Threshold.h"
#include "sources/ImageSource.h"
#include "store/Database.h"
#include "store/ProjectStore.h"
#include "store/Schema.h"
#include "util/Error.h"

#include <QtTest>

#include <cmath>
#include <cstring>
#include <fstream>
#include <random>

using namespace rm;

class TestMining : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

private Q_SLOTS:
    void thresholdAtPrecision_data()
    {
        QTest::addColumn<double>("target");
        QTest::addColumn<double>("threshold");
        QTest::addColumn<double>("precision");
        QTest::addColumn<double>("recall");
        // scores 0.9 0.8 0.7 0.6 0.5 0.4 0.3 with labels 1 1 0 1 0 1 0
        QTest::newRow("0.75") << 0.75 << 0.6 << 0.75 << 0.75;
        QTest::newRow("1.0") << 1.0 << 0.8 << 1.0 << 0.5;
        QTest::newRow("0.7") << 0.7 << 0.6 << 0.75 << 0.75;
        QTest::newRow("0.5") << 0.5 << 0.4 << 4.0 / 6 << 1.0; // not 0.3: same recall, lower precision
    }
    void thresholdAtPrecision()
    {
        QFETCH(double, target);
        QFETCH(double, threshold);
        QFETCH(double, precision);
        QFETCH(double, recall);
        const std::vector<float> scores = {0.9f, 0.8f, 0.7f, 0.6f, 0.5f, 0.4f, 0.3f};
        const std::vector<int> labels = {1, 1, 0, 1, 0, 1, 0};
        const ThresholdChoice c = rm::thresholdAtPrecision(labels, scores, target);
        QCOMPARE(c.threshold, double(float(threshold)));
        QCOMPARE(c.precision, precision);
        QCOMPARE(c.recall, recall);
        QCOMPARE(c.positives, std::size_t(4));
        QCOMPARE(c.negatives, std::size_t(3));
    }

    void thresholdUnreachableSaysWhy()
    {
        try {
            rm::thresholdAtPrecision({0, 1}, {0.9f, 0.1f}, 0.9);
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("the best is 0.5"), e.what());
            QVERIFY(QString(e.what()).contains("--threshold"));
        }
        QVERIFY_THROWS_EXCEPTION(Error, rm::thresholdAtPrecision({0, 0}, {0.9f, 0.1f}, 0.9));
        const ThresholdChoice given = thresholdMetrics({1, 0, 1}, {0.9f, 0.8f, 0.2f}, 0.5);
        QCOMPARE(given.precision, 0.5);
        QCOMPARE(given.recall, 0.5);
    }

    void thresholdMatchesScikitLearn()
    {
        // Ties included: scores rounded to 2 decimals.
        std::mt19937 random(11);
        std::normal_distribution<float> noise(0, 1);
        std::vector<float> scores;
        std::vector<int> labels;
        QString sc, lb;
        for (int i = 0; i < 400; ++i) {
            const int label = i % 3 == 0;
            const float s = std::round(100.0f / (1 + std::exp(-(noise(random) + 1.5f * label)))) / 100;
            scores.push_back(s);
            labels.push_back(label);
            sc += QString::number(double(s), 'g', 9) + ",";
            lb += QString::number(label) + ",";
        }
        const QString code = "import numpy as np\nfrom sklearn.metrics import precision_recall_curve\n"
                             "s=np.array([" +
                             sc + "],dtype=np.float32)\ny=np.array([" + lb +
                             "])\n"
                             "p,r,t=precision_recall_curve(y,s)\n"
                             "for target in (0.6,0.7,0.8):\n"
                             "    ok=[(tt,pp,rr) for pp,rr,tt in zip(p[:-1],r[:-1],t) if pp>=target]\n"
                             "    pp,rr,tt=max((pp,rr,tt) for tt,pp,rr in ok if rr==max(x[2] for x in ok))\n"
                             "    print('%r %r %r' % (float(tt),float(pp),float(rr)))\n";
        QProcess py;
        py.start("/usr/bin/python3", {"-c", code});
        QVERIFY(py.waitForFinished(60000));
        QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
        const QStringList out = QString::fromUtf8(py.readAllStandardOutput()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(out.size(), 3);
        const double targets[] = {0.6, 0.7, 0.8};
        for (int k = 0; k < 3; ++k) {
            const QStringList v = out[k].split(' ');
            const ThresholdChoice c = rm::thresholdAtPrecision(labels, scores, targets[k]);
            QCOMPARE(float(c.threshold), v[0].toFloat());
            QVERIFY(std::abs(c.precision - v[1].toDouble()) < 1e-12);
            QVERIFY(std::abs(c.recall - v[2].toDouble()) < 1e-12);
        }
    }

    void errorKinds()
    {
        QCOMPARE(errorKind(""), std::string("scored"));
        QCOMPARE(errorKind("x.jpg: no such file"), std::string("missing_image"));
        QCOMPARE(
            errorKind("x.jpg: truncated JPEG (no end-of-image marker; 10 bytes; an interrupted download?)"),
            std::string("corrupt_image"));
        QCOMPARE(errorKind("x.jpg: is an HTML/XML page, not a JPEG or PNG image"),
                 std::string("html_not_image"));
        QCOMPARE(errorKind("download failed: HTTP 500"), std::string("download_failed"));
        QCOMPARE(errorKind("catalog row not read: f, row 3: 4 fields"), std::string("unreadable_row"));
    }

    void knownRingsNearestAcrossCatalogs()
    {
        CandidateTable t;
        t.resize(3);
        t.ra = {10.0, 20.0, NAN};
        t.dec = {0.0, 0.0, NAN};
        KnownRings a{"a", {10.0 + 3.0 / 3600}, {0.0}, {"A1"}};
        KnownRings b{"b", {10.0 + 1.0 / 3600, 20.0 + 9.0 / 3600}, {0.0, 0.0}, {"B1", "B2"}};
        flagKnownRings(t, {a, b}, 5.0);
        QCOMPARE(int(t.knownRing[0]), 1);
        QCOMPARE(t.knownCatalog[0], std::string("b")); // the nearer one
        QCOMPARE(t.knownId[0], std::string("B1"));
        QVERIFY(std::abs(t.knownSeparation[0] - 1.0) < 1e-6);
        QCOMPARE(int(t.knownRing[1]), 0); // 9 arcsec is outside 5
        QCOMPARE(int(t.knownRing[2]), 0); // no position
    }

    void contactSheetPicksTheTopScoredRows()
    {
        CandidateTable t;
        t.resize(6);
        t.id = {"a", "b", "c", "d", "e", "f"};
        t.pRing = {0.2f, 0.9f, NAN, 0.9f, 0.95f, 0.7f};
        t.error = {"", "", "download failed", "", "", ""};
        t.isRing = {0, 1, 0, 1, 1, 0};
        t.knownRing = {0, 0, 0, 1, 0, 0};
        t.knownCatalog[3] = "buta";
        const std::vector<std::size_t> top = topCandidateRows(t, 4);
        // Highest first, equal scores in file order, the unscored row never.
        QCOMPARE(top, (std::vector<std::size_t>{4, 1, 3, 5}));
        QCOMPARE(topCandidateRows(t, 100).size(), std::size_t(5));
        QVERIFY(topCandidateRows(t, 0).empty());
        ContactSheetTile tile;
        captionTile(tile, t, 3, 3);
        QCOMPARE(tile.title, std::string("#3 d"));
        QCOMPARE(tile.detail, std::string("p 0.900  KNOWN buta"));
        QVERIFY(tile.known && tile.isRing);
        captionTile(tile, t, 5, 4);
        QCOMPARE(tile.detail, std::string("p 0.700  below thr"));
        t.tta = true;
        t.pRingStd[4] = 0.0125f;
        captionTile(tile, t, 4, 1);
        QCOMPARE(tile.detail, std::string("p 0.950 +-0.013  NEW"));
        QVERIFY_THROWS_EXCEPTION(rm::Error,
                                 writeContactSheet(QDir::temp().filePath("none.png").toStdString(), {}));
    }

    void damagedShardIsNamed()
    {
        const std::string dir = m_dir.filePath("shards").toStdString();
        QDir().mkpath(QString::fromStdString(dir));
        std::ofstream(dir + "/" + shardFileName(0)) << "# ringminer shard 1\n# rows 0 2\n0\t3f000000\t0\t\n";
        ShardPlan plan;
        plan.dir = dir;
        plan.shardSize = 2;
        std::vector<GalaxyScore> scores(3);
        try {
            readShards(plan, 3, scores);
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("shard-000000.scores"), e.what());
            QVERIFY2(QString(e.what()).contains("delete it"), e.what());
        }
        std::ofstream(dir + "/" + shardFileName(0), std::ios::trunc)
            << "# ringminer shard 1\n# rows 0 "
               "2\n0\t3f000000\t7fc00000\t\n1\t7fc00000\t7fc00000\tno\\tsuch\\nfile\n# end\n";
        QCOMPARE(readShards(plan, 3, scores), std::size_t(1));
        QCOMPARE(scores[0].score, 0.5f);
        QCOMPARE(scores[1].error, std::string("no\tsuch\nfile"));
    }

    void shardsReadBackOneAtATime()
    {
        // Scores only written (keepScores off: what `mine` does so memory stays flat) read back a shard at a
        // time equal, bit for bit, the scores gathered in memory.
        ModelOptions o;
        o.arch = "simple_cnn";
        o.inChannels = 3;
        const std::string weights = m_dir.filePath("cnn.safetensors").toStdString();
        saveModel(*createModel(o), weights);
        const auto source = makeImageSource(nlohmann::json{{"kind", "synthetic"}, {"size", 24}});
        std::vector<GalaxyRef> galaxies(7);
        for (std::size_t i = 0; i < galaxies.size(); ++i)
            galaxies[i].set("id", "G" + std::to_string(i));
        galaxies[4].values[0].second = ""; // a blank id: no image, an error in its shard
        ScoreGalaxiesOptions so;
        so.weightsPath = weights;
        so.view.width = so.view.height = 16;
        so.view.channels = 3;
        so.device = "cpu";
        ShardPlan kept, written;
        kept.shardSize = written.shardSize = 3;
        kept.dir = m_dir.filePath("kept").toStdString();
        written.dir = m_dir.filePath("written").toStdString();
        written.keepScores = false;
        const auto at = [&](std::size_t i) { return galaxies[i]; };
        const ShardedScores a = scoreInShards(*source, galaxies.size(), at, so, kept);
        const ShardedScores b = scoreInShards(*source, galaxies.size(), at, so, written);
        QVERIFY(a.complete && b.complete);
        QCOMPARE(a.scores.size(), galaxies.size());
        QVERIFY(b.scores.empty());
        QCOMPARE(shardCount(written, galaxies.size()), std::size_t(3));
        std::vector<GalaxyScore> one;
        for (std::size_t s = 0; s < 3; ++s) {
            QVERIFY(readShardScores(written, s, galaxies.size(), one));
            QCOMPARE(one.size(), s < 2 ? std::size_t(3) : std::size_t(1));
            for (std::size_t k = 0; k < one.size(); ++k) {
                const GalaxyScore& x = a.scores[shardBegin(written, s) + k];
                QCOMPARE(one[k].error, x.error);
                if (x.error.empty()) {
                    QVERIFY(std::memcmp(&one[k].score, &x.score, sizeof(float)) == 0);
                    QVERIFY(one[k].score >= 0 && one[k].score <= 1);
                }
            }
        }
        QVERIFY(!a.scores[4].error.empty());
        QVERIFY(!readShardScores(written, 3, galaxies.size() + 3, one)); // no such shard file
        // Run again: every shard found, nothing scored, still nothing gathered.
        const ShardedScores again = scoreInShards(*source, galaxies.size(), at, so, written);
        QCOMPARE(again.shardsFound, std::size_t(3));
        QCOMPARE(again.shardsScored, std::size_t(0));
        QVERIFY(again.complete && again.scores.empty());
    }

    void catalogsWithoutPositionsForScoring()
    {
        RM_SHARED_DATA(ids, "images/gz2_kaggle_unlabelled/ids.csv");
        QVERIFY_THROWS_EXCEPTION(InputError, importCatalog(ids)); // still an error for a sky catalog
        const ScoringCatalog c = importCatalogForScoring(ids);
        QVERIFY(!c.hasPositions);
        QCOMPARE(c.catalog.table.rowCount(), std::size_t(1000));
        QCOMPARE(c.catalog.ra.size(), std::size_t(1000));
        QVERIFY(std::isnan(c.catalog.ra[0]));
        const MiningInput in = readMiningInput(ids, std::nullopt);
        QCOMPARE(in.idName, std::string("GalaxyID"));
        QCOMPARE(in.totalRows(), std::size_t(1000));
        QCOMPARE(in.sha256.size(), std::size_t(64));
        // With positions, they are read as usual.
        RM_SHARED_DATA(labels, "images/gzdecals_ring470/labels.csv");
        const ScoringCatalog g = importCatalogForScoring(labels);
        QVERIFY(g.hasPositions);
        QVERIFY(std::isfinite(g.catalog.ra[0]));
    }

    void schemaThreeAddsTheCandidatesRole()
    {
        const std::string path = m_dir.filePath("v2.rmproj").toStdString();
        {
            Database db(path, true);
            db.exec(schema::kVersion1);
            db.exec(schema::kVersion2);
            db.exec("INSERT INTO meta(key, value) VALUES('created_at', '2025-01-01T00:00:00Z')");
            db.exec("PRAGMA user_version = 2");
        }
        auto store = ProjectStore::open(path);
        QCOMPARE(store->schemaVersion(), ProjectStore::kSchemaVersion);
        RM_SHARED_DATA(labels, "images/gzdecals_ring470/labels.csv");
        const std::int64_t id = store->addCatalog("c", importCatalog(labels), CatalogRole::Candidates);
        QCOMPARE(store->catalog(id).role, CatalogRole::Candidates);
        QCOMPARE(parseCatalogRole("candidates"), CatalogRole::Candidates);
        QVERIFY_THROWS_EXCEPTION(Error, store->db().exec("UPDATE catalogs SET role = 'nonsense'"));
        store.reset();
        QCOMPARE(ProjectStore::open(path)->schemaVersion(), ProjectStore::kSchemaVersion);
    }
};

QTEST_GUILESS_MAIN(TestMining)
#include "test_mining.moc"
