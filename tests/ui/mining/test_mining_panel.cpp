// The Mining panel, offscreen, on a small demo project with one run trained by the CLI: Start mines the demo
// catalog on a worker thread with progress, the result fills the p_ring histogram, moving the threshold line
// changes the candidate count, the candidates catalog is imported, and a second Start resumes from the
// shards on disk instead of scoring again.
#include "UiTestSupport.h"

#include "mining/MiningPanel.h"
#include "project/ProjectSession.h"
#include "shell/MainWindow.h"
#include "store/ProjectStore.h"

#include <QComboBox>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>

#include <fstream>

using namespace rm::ui;

class TestMiningPanel : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_project;

private Q_SLOTS:
    void initTestCase()
    {
        RM_REQUIRE_IMAGE_DECODING();
        QVERIFY(m_dir.isValid());
        uitest::isolateSettings(m_dir.filePath(QStringLiteral("settings")));
        const auto made = rmtest::runCli({"demo", "make", m_dir.filePath("demo"), "--rings", "16",
                                          "--non-rings", "16", "--size", "32", "--threads", "1", "--json"});
        QVERIFY2(made.exitCode == 0, qPrintable(made.err));
        m_project = QDir::current().absoluteFilePath(made.json().value("project").toString());
        const QString matrix = m_dir.filePath("matrix.json");
        std::ofstream(matrix.toStdString()) << R"({"name": "m", "target_sets": ["demo"],
          "models": [{"name": "cnn", "arch": "simple_cnn", "in_chans": 1, "modes": ["all_layers"]}],
          "defaults": {"image_size": 32, "epochs": 1, "batch_size": 8, "max_steps_per_epoch": 2,
                       "device": "cpu", "loader_threads": 1, "torch_threads": 1}})";
        const auto trained = rmtest::runCli({"train", m_project, "--matrix", matrix, "--json"});
        QVERIFY2(trained.exitCode == 0, qPrintable(trained.err));
    }

    void minesFromTheGui()
    {
        MainWindow w;
        w.resize(1600, 1000);
        w.show();
        QVERIFY(w.openProject(m_project));
        MiningPanel* panel = w.miningPanel();
        QVERIFY(panel);
        QVERIFY(panel->runBox()->count() >= 2); // best + the run
        const int demo = panel->catalogBox()->findData(QStringLiteral("labelled"));
        QVERIFY2(demo >= 0, "the demo labelled catalog is offered");
        panel->catalogBox()->setCurrentIndex(demo);
        panel->precisionBox()->setValue(0.5);
        const QString out = m_dir.filePath("mined");
        panel->outputEdit()->setText(out);
        QVERIFY(panel->start());
        QVERIFY(panel->busy());
        QVERIFY(panel->waitDone(240000));
        QTRY_VERIFY_WITH_TIMEOUT(panel->lastSummary().value("complete", false), 10000);
        const std::size_t rows = panel->lastSummary().value("rows", std::size_t(0));
        QVERIFY(rows > 0);
        QTRY_COMPARE_WITH_TIMEOUT(panel->scoredCount(), std::size_t(panel->lastSummary().value("scored", 0)),
                                  5000);
        QVERIFY(QFile::exists(out + "/rings.csv") && QFile::exists(out + "/rings.fits"));
        auto* progress = panel->findChild<QProgressBar*>(QStringLiteral("miningProgress"));
        QCOMPARE(progress->value(), progress->maximum());
        QVERIFY(panel->findChild<QLabel*>(QStringLiteral("miningRate"))->text().contains("galaxies"));

        // The threshold line: everything above 0, nothing above 1.
        QCOMPARE(panel->setThreshold(0.0), panel->scoredCount());
        QCOMPARE(panel->setThreshold(1.01), std::size_t(0));
        panel->setThreshold(0.5);
        QVERIFY2(panel->countText().contains("p_ring ≥ 0.500"), qPrintable(panel->countText()));
        QVERIFY(panel->findChild<QLabel*>(QStringLiteral("miningCount"))->text() == panel->countText());

        // For the README: RINGMINER_SCREENSHOT_DIR=docs/images saves the panel as it is now.
        if (const QByteArray dir = qgetenv("RINGMINER_SCREENSHOT_DIR"); !dir.isEmpty()) {
            w.findChild<QDockWidget*>(QStringLiteral("miningDock"))->raise();
            QTest::qWait(200);
            QVERIFY(w.grab().save(QDir(QString::fromLocal8Bit(dir)).filePath("mining.png")));
        }

        // Imported as a candidates catalog the browsers can open.
        {
            auto store = rm::ProjectStore::open(m_project.toStdString());
            bool found = false;
            for (const auto& c : store->catalogs())
                found = found || c.role == rm::CatalogRole::Candidates;
            QVERIFY(found);
        }

        // Start again on the same folder: every shard is found, nothing is scored again.
        QVERIFY(panel->start());
        QVERIFY(panel->waitDone(120000));
        QTRY_VERIFY_WITH_TIMEOUT(panel->lastSummary().value("shards_scored", -1) == 0, 10000);
        QVERIFY(panel->lastSummary().value("shards_found", 0) > 0);
    }
};

QTEST_MAIN(TestMiningPanel)
#include "test_mining_panel.moc"
