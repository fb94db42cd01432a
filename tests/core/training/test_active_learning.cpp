// Active-learning rounds (training/ActiveLearning.h) on the demo project with a tiny cross-validated cell:
// the hand labels a target set does not reflect are counted (flips, unsures; agreeing ones apart); a round
// builds <set>-r1 with them applied (the original kept), retrains the cell with its cv_folds, records the
// round with the CV AUC before and after; a round with no new label is refused; a second round started from
// the first round's run continues the chain (round 2 of the same base, previous AUC = round 1's). And the
// diverse ordering: near-duplicates among the most uncertain are spread out, the result a permutation.
#include "TestData.h"
#include "TinyMatrix.h"

#include "store/LabelStore.h"
#include "store/ProjectStore.h"
#include "targets/TargetSetBuilder.h"
#include "training/ActiveLearning.h"
#include "training/ExperimentMatrix.h"
#include "training/RunQueue.h"
#include "training/RunStore.h"
#include "util/Error.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QtTest>

#include <cmath>
#include <set>

using namespace rm;
using nlohmann::json;

class TestActiveLearning : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::string m_project;
    std::int64_t m_runId = 0;
    std::vector<Target> m_targets; // of "demo"

    void label(const Target& t, HandLabel l)
    {
        auto store = ProjectStore::open(m_project);
        LabelStore(store->db()).set({t.catalogId, t.row}, t.ra, t.dec, l, "", "test");
    }

private Q_SLOTS:
    void initTestCase()
    {
        RM_REQUIRE_IMAGE_DECODING();
        QVERIFY(m_dir.isValid());
        const auto made = rmtest::runCli({"demo", "make", m_dir.filePath("demo"), "--rings", "16",
                                          "--non-rings", "16", "--size", "48", "--json"});
        QVERIFY2(made.exitCode == 0, qPrintable(made.err));
        m_project = QDir::current().absoluteFilePath(made.json().value("project").toString()).toStdString();
        const json matrix = rmtest::tinyCvMatrix("base", "demo");
        RunQueue queue(m_project, ExperimentMatrix::fromJson(matrix), "base");
        QCOMPARE(queue.run([](const RunEvent&) {}), 1);
        const auto runs = listRuns(m_project, "base");
        QCOMPARE(runs.size(), std::size_t(1));
        m_runId = runs[0].id;
        QVERIFY(std::isfinite(runs[0].cvAuc));
        auto store = ProjectStore::open(m_project);
        m_targets = loadTargets(*store, "demo");
        QVERIFY(m_targets.size() >= 24);
    }

    void countsPendingLabelsAndRunsRounds()
    {
        // Nothing labelled yet: a round is refused and nothing is built.
        {
            ActiveRoundOptions o;
            o.projectPath = m_project;
            o.runId = m_runId;
            QVERIFY_THROWS_EXCEPTION(Error, runActiveRound(o));
            auto store = ProjectStore::open(m_project);
            QVERIFY(!hasTargetSet(*store, "demo-r1"));
        }
        // Three flips, one unsure, one agreeing.
        std::vector<std::size_t> flipped;
        for (std::size_t i = 0; i < m_targets.size() && flipped.size() < 3; ++i)
            if (m_targets[i].label == 0) flipped.push_back(i);
        std::size_t unsure = 0, agreeing = 0;
        while (m_targets[unsure].label != 1)
            ++unsure;
        agreeing = unsure + 1;
        while (m_targets[agreeing].label != 1)
            ++agreeing;
        for (std::size_t i : flipped)
            label(m_targets[i], HandLabel::Ring);
        label(m_targets[unsure], HandLabel::Unsure);
        label(m_targets[agreeing], HandLabel::Ring);
        {
            auto store = ProjectStore::open(m_project);
            const PendingHandLabels p = pendingHandLabels(*store, "demo");
            QCOMPARE(p.flipped, std::size_t(3));
            QCOMPARE(p.removed, std::size_t(1));
            QCOMPARE(p.agreeing, std::size_t(1));
            QCOMPARE(p.added(), std::size_t(4));
        }

        std::vector<std::string> lines;
        double lastFraction = -1;
        ActiveRoundOptions o;
        o.projectPath = m_project;
        o.runId = m_runId;
        o.log = [&](const std::string& l) { lines.push_back(l); };
        o.progress = [&](double f, const std::string&) {
            QVERIFY(f >= lastFraction);
            lastFraction = f;
        };
        const ActiveRoundResult r1 = runActiveRound(o);
        QVERIFY(!r1.cancelled);
        QCOMPARE(lastFraction, 1.0);
        QCOMPARE(r1.round.round, 1);
        QCOMPARE(r1.round.baseTargetSet, std::string("demo"));
        QCOMPARE(r1.round.targetSet, std::string("demo-r1"));
        QCOMPARE(r1.round.labelsAdded, std::size_t(4));
        QCOMPARE(r1.labelsFlippedInSet, std::size_t(3));
        QCOMPARE(r1.labelsRemovedInSet, std::size_t(1));
        QVERIFY(std::isfinite(r1.round.cvAuc));
        QVERIFY(r1.round.cvLow <= r1.round.cvAuc && r1.round.cvAuc <= r1.round.cvHigh);
        const RunSummary source = findDoneRun(m_project, std::to_string(m_runId));
        QCOMPARE(r1.round.prevCvAuc, source.cvAuc);

        auto store = ProjectStore::open(m_project);
        // The original set is kept as it was; the new one has the hand labels applied.
        QCOMPARE(loadTargets(*store, "demo").size(), m_targets.size());
        std::map<std::pair<std::int64_t, std::int64_t>, int> newLabels;
        for (const Target& t : loadTargets(*store, "demo-r1"))
            newLabels[{t.catalogId, t.row}] = t.label;
        for (std::size_t i : flipped)
            QCOMPARE(newLabels.at({m_targets[i].catalogId, m_targets[i].row}), 1);
        QVERIFY(!newLabels.count({m_targets[unsure].catalogId, m_targets[unsure].row}));
        // The retrained run: same cell config (cv_folds 2), done, scoring every galaxy of the new set.
        const RunSummary trained = findDoneRun(m_project, std::to_string(r1.round.runId));
        QCOMPARE(trained.targetSet, std::string("demo-r1"));
        QCOMPARE(trained.experiment, std::string("active-demo-r1"));
        QCOMPARE(trained.config.value("cv_folds", 0), 2);
        QCOMPARE(trained.cvFoldsDone, 2);
        QCOMPARE(loadPredictions(m_project, trained.id).size(), newLabels.size());
        const auto rounds = activeRounds(*store);
        QCOMPARE(rounds.size(), std::size_t(1));
        QCOMPARE(rounds[0].runId, trained.id);
        QCOMPARE(rounds[0].labelsAdded, std::size_t(4));
        QCOMPARE(rounds[0].cvAuc, r1.round.cvAuc);
        QCOMPARE(activeBaseTargetSet(*store, "demo-r1"), std::string("demo"));

        // From round 1's run, nothing new: refused.
        o.runId = trained.id;
        QVERIFY_THROWS_EXCEPTION(Error, runActiveRound(o));
        // One more flip: round 2 of the same base, compared with round 1.
        std::size_t next = flipped.back() + 1;
        while (m_targets[next].label != 0)
            ++next;
        label(m_targets[next], HandLabel::Ring);
        QCOMPARE(pendingHandLabels(*store, "demo-r1").added(), std::size_t(1));
        lastFraction = -1; // a new round's progress starts again
        const ActiveRoundResult r2 = runActiveRound(o);
        QCOMPARE(lastFraction, 1.0);
        QCOMPARE(r2.round.round, 2);
        QCOMPARE(r2.round.targetSet, std::string("demo-r2"));
        QCOMPARE(r2.round.labelsAdded, std::size_t(1));
        QCOMPARE(r2.round.sourceRunId, trained.id);
        QCOMPARE(r2.round.prevCvAuc, r1.round.cvAuc);
        QCOMPARE(activeRounds(*store, "demo").size(), std::size_t(2));
        QVERIFY(hasTargetSet(*store, "demo-r1"));

        // The CLI lists both rounds, and refuses a round with nothing new, saying why.
        const QString project = QString::fromStdString(m_project);
        const auto listed = rmtest::runCli({"active-rounds", project, "--json"});
        QVERIFY2(listed.exitCode == 0, qPrintable(listed.err));
        const QJsonArray rounds2 = listed.json().value("rounds").toArray();
        QCOMPARE(rounds2.size(), 2);
        QCOMPARE(rounds2[1].toObject().value("labels_added").toInt(), 1);
        QCOMPARE(rounds2[1].toObject().value("target_set").toString(), QStringLiteral("demo-r2"));
        const auto refused =
            rmtest::runCli({"active-round", project, "--run", QString::number(r2.round.runId), "--json"});
        QVERIFY(refused.exitCode != 0);
        QVERIFY2(refused.err.contains("no hand label changes"), qPrintable(refused.err));
    }

    void featuresFromTheRunsCache()
    {
        const ReviewFeatures f = reviewFeatures(m_project, m_runId);
        QCOMPARE(f.space, std::string("profile features"));
        QCOMPARE(f.byGalaxy.size(), m_targets.size());
        QCOMPARE(f.byGalaxy.begin()->second.size(), std::size_t(34)); // one channel
    }

    void diverseOrderSpreadsNearDuplicates()
    {
        // 30 candidates, most uncertain first: 0-9 are near-duplicates (one point plus jitter), 10-29 spread.
        std::vector<std::vector<double>> points;
        for (int i = 0; i < 10; ++i)
            points.push_back({5.0 + 0.01 * i, 5.0});
        for (int i = 0; i < 20; ++i)
            points.push_back({double(i % 5) * 3.0, double(i / 5) * 3.0 + 20});
        std::vector<const std::vector<double>*> features;
        for (const auto& p : points)
            features.push_back(&p);
        const auto order = diverseOrder(features, {}, 8, 1.0);
        QCOMPARE(order.size(), points.size());
        QCOMPARE(std::set<std::size_t>(order.begin(), order.end()).size(), points.size());
        QCOMPARE(order[0], std::size_t(0)); // the most uncertain leads
        int duplicates = 0;
        for (std::size_t i = 0; i < 8; ++i)
            duplicates += order[i] < 10;
        QCOMPARE(duplicates, 1); // not 8 near-duplicates
        for (std::size_t i = 1; i < 8; ++i)
            QCOMPARE(order[i], std::size_t(9 + i)); // the next distinct ones, in uncertainty order
        // The deferred duplicates follow the batch in uncertainty order.
        QCOMPARE(order[8], std::size_t(1));
        // A galaxy already labelled near the cluster pushes the whole cluster back.
        const std::vector<double> labelled = {5.0, 5.0};
        const auto after = diverseOrder(features, {&labelled}, 8, 1.0);
        QCOMPARE(after[0], std::size_t(10));
        // The radius from the candidates' own spread keeps the cluster to one as well.
        const auto automatic = diverseOrder(features, {}, 8);
        QCOMPARE(std::set<std::size_t>(automatic.begin(), automatic.end()).size(), points.size());
        int clustered = 0;
        for (std::size_t i = 0; i < 8; ++i)
            clustered += automatic[i] < 10;
        QCOMPARE(clustered, 1);
        // Pure uncertainty when the radius is 0.
        const auto plain = diverseOrder(features, {}, 8, 0.0);
        for (std::size_t i = 0; i < plain.size(); ++i)
            QCOMPARE(plain[i], i);
    }
};

QTEST_MAIN(TestActiveLearning)
#include "test_active_learning.moc"
