// An active-learning round from the workbench, offscreen, on the demo project with a tiny cross-validated
// SimpleCNN (32 px, 1 epoch, cv_folds 2): three galaxies of the review queue are labelled from the keyboard
// against their target-set class, "Retrain with my labels" (disabled before) runs the round as a task in the
// status bar, and afterwards the queue comes from the new run, the rounds table shows the round with its
// labels added and CV AUC, and the project records it. The diverse order spreads over the run's profile
// features.
#include "TimingBounds.h"
#include "TinyMatrix.h"
#include "UiTestSupport.h"

#include "project/ProjectSession.h"
#include "results/GalleryGrid.h"
#include "results/ReviewQueuePanel.h"
#include "results/RunResults.h"
#include "shell/MainWindow.h"
#include "store/ProjectStore.h"
#include "tasks/TaskManager.h"
#include "training/ActiveLearning.h"
#include "training/ExperimentMatrix.h"
#include "training/RunQueue.h"
#include "training/RunStore.h"

#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>

#include <QSet>

using namespace rm::ui;
using nlohmann::json;

class TestActiveRound : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_project;
    qint64 m_baseRun = 0;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        uitest::isolateSettings(m_dir.filePath(QStringLiteral("settings")));
        const auto made = rmtest::runCli({"demo", "make", m_dir.filePath("demo"), "--rings", "16",
                                          "--non-rings", "16", "--size", "48", "--json"});
        QVERIFY2(made.exitCode == 0, qPrintable(made.err));
        m_project = QDir::current().absoluteFilePath(made.json().value("project").toString());
        const json matrix = rmtest::tinyCvMatrix("base", "demo");
        rm::RunQueue queue(m_project.toStdString(), rm::ExperimentMatrix::fromJson(matrix), "base");
        QCOMPARE(queue.run([](const rm::RunEvent&) {}), 1);
        m_baseRun = rm::listRuns(m_project.toStdString(), "base").at(0).id;
    }

    void roundFromTheReviewQueue()
    {
        MainWindow w;
        w.resize(1500, 950);
        w.show();
        QVERIFY(w.openProject(m_project));
        auto* panel = w.findChild<ReviewQueuePanel*>();
        QVERIFY(panel);
        panel->setMode(ReviewQueuePanel::NearThreshold);
        panel->setRun(m_baseRun);
        QCOMPARE(panel->queueRunId(), m_baseRun);
        const std::size_t queued = panel->queue().size();
        QVERIFY(queued >= 24);
        QVERIFY(!panel->retrainButton()->isEnabled()); // no hand label yet
        QVERIFY(panel->roundsTable()->isHidden());

        // Three labels against the target set's class, from the keyboard.
        panel->start();
        GalleryGrid* grid = panel->grid();
        QSet<GalaxyId> labelled;
        for (int k = 0; k < 3; ++k) {
            const ReviewItem item = panel->queue().at(std::size_t(grid->currentIndex().row()));
            QCOMPARE(grid->currentGalaxy(), item.galaxy);
            labelled.insert(item.galaxy);
            QTest::keyClick(grid, item.label == 1 ? Qt::Key_N : Qt::Key_R);
            QTRY_COMPARE(panel->queue().size(), queued - std::size_t(k + 1)); // labelled ones leave
        }
        QVERIFY(panel->retrainButton()->isEnabled());
        QVERIFY(panel->retrainButton()->text().contains(QStringLiteral("(3)")));

        QSignalSpy finished(panel, &ReviewQueuePanel::roundFinished);
        QTest::mouseClick(panel->retrainButton(), Qt::LeftButton);
        QVERIFY(panel->roundTask());
        QVERIFY(!panel->retrainButton()->isEnabled()); // one round at a time
        QVERIFY(TaskManager::instance()->tasks().contains(panel->roundTask()));
        QVERIFY(finished.wait(rmtest::timeScale() * 300000));
        QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(finished.at(0).at(1).toString()));

        // The queue now comes from the new run, on the rebuilt set, still without the labelled galaxies.
        const auto store = rm::ProjectStore::open(m_project.toStdString());
        const auto rounds = rm::activeRounds(*store);
        QCOMPARE(rounds.size(), std::size_t(1));
        QCOMPARE(rounds[0].labelsAdded, std::size_t(3));
        QCOMPARE(rounds[0].sourceRunId, m_baseRun);
        QCOMPARE(panel->queueRunId(), rounds[0].runId);
        QVERIFY(panel->queueRunId() != m_baseRun);
        const RunRow* run = w.session()->results().run(panel->queueRunId());
        QVERIFY(run && run->done());
        QCOMPARE(run->run.targetSet, std::string("demo-r1"));
        QVERIFY(!panel->queue().empty());
        for (const ReviewItem& i : panel->queue())
            QVERIFY(!labelled.contains(i.galaxy));
        QVERIFY(!panel->retrainButton()->isEnabled()); // the new run's set reflects every label
        QVERIFY(panel->roundsTable()->isVisible());
        QCOMPARE(panel->roundsTable()->rowCount(), 1);
        QCOMPARE(panel->roundsTable()->item(0, 0)->text(), QStringLiteral("1"));
        QCOMPARE(panel->roundsTable()->item(0, 1)->text(), QStringLiteral("3"));
        QVERIFY(panel->roundsTable()->item(0, 2)->text().contains(QStringLiteral("[")));

        // Uncertain first, diverse: the same galaxies, spread over the new run's profile features.
        const std::size_t plain = panel->queue().size();
        panel->setMode(ReviewQueuePanel::UncertainDiverse);
        QTRY_COMPARE_WITH_TIMEOUT(panel->diversitySpace(), QStringLiteral("profile features"), 60000);
        QCOMPARE(panel->queue().size(), plain);
        QVERIFY(TaskManager::instance()->waitForAll(30000));
    }
};

QTEST_MAIN(TestActiveRound)
#include "test_active_round.moc"
