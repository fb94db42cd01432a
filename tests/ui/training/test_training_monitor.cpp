// Training from the GUI on a tiny demo project: the controller runs real cells (tiny registry models,
// 32-pixel images, a few steps) on its worker thread while the GUI thread stays responsive; progress and
// loss points reach the monitor's plots; the matrix cells show state and AUC; cancel stops within a second;
// finished runs' ROC/PR curves overlay and export; and the main window, quit while training, asks and then
// cancels cleanly. Also renders the training workbench to training.png.
#include "TimingBounds.h"
#include "UiTestSupport.h"

#include "matrix/MatrixEditor.h"
#include "matrix/MatrixGridModel.h"
#include "project/ProjectSession.h"
#include "results/ComparisonModel.h"
#include "results/ComparisonPanel.h"
#include "shell/MainWindow.h"
#include "shell/Settings.h"
#include "shell/Theme.h"
#include "training/EventLoopProbe.h"
#include "training/LossCurvesView.h"
#include "training/PlotStyle.h"
#include "training/RocPrView.h"
#include "training/RunStore.h"
#include "training/TrainingController.h"
#include "training/TrainingMonitor.h"

#include "training/QCustomPlotInclude.h"

#include <QAbstractButton>
#include <QDockWidget>
#include <QMessageBox>
#include <QTableWidget>
#include <QTreeWidget>

#include <cmath>

using namespace rm::ui;

namespace {

// One target set ("demo") x the given tiny models, all layers; defaults small enough for a CPU test.
rm::ExperimentMatrix tinyMatrix(const std::string& name, const std::vector<std::string>& archs, int epochs,
                                int stepsPerEpoch)
{
    rm::ExperimentMatrix m;
    m.name = name;
    m.targetSets = {"demo"};
    m.modes = {"all_layers"};
    for (const std::string& arch : archs) {
        rm::MatrixModel model;
        model.name = arch;
        model.arch = arch;
        model.inChannels = 1;
        m.models.push_back(model);
    }
    m.defaults = {{"epochs", epochs},
                  {"batch_size", 8},
                  {"image_size", 32},
                  {"augment", true},
                  {"learning_rate", 0.003},
                  {"warmup_epochs", 0},
                  {"max_steps_per_epoch", stepsPerEpoch},
                  {"torch_threads", 1}, // the GUI thread must not fight LibTorch for the 2 cores
                  {"loader_threads", 1},
                  {"patience", 0},
                  {"device", "auto"}};
    return m;
}

} // namespace

class TestTrainingMonitor : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_project;

    std::unique_ptr<ProjectSession> openSession() { return ProjectSession::open(m_project); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        uitest::isolateSettings(m_dir.filePath(QStringLiteral("settings")));
        const QString dir = m_dir.filePath(QStringLiteral("demo"));
        const auto made =
            rmtest::runCli({QStringLiteral("demo"), QStringLiteral("make"), dir, QStringLiteral("--rings"),
                            QStringLiteral("96"), QStringLiteral("--non-rings"), QStringLiteral("96"),
                            QStringLiteral("--size"), QStringLiteral("48"), QStringLiteral("--threads"),
                            QStringLiteral("1")});
        QVERIFY2(made.exitCode == 0, qPrintable(made.err + made.out));
        m_project = QDir(dir).filePath(QStringLiteral("demo.rmproj"));
    }

    void trainsAShortRunAndPlotsIt()
    {
        auto session = openSession();
        TrainingController controller;
        MatrixEditor editor(&controller);
        TrainingMonitor monitor(&controller);
        editor.resize(900, 300);
        monitor.resize(1100, 500);
        editor.show();
        monitor.show();
        editor.setSession(session.get());
        monitor.setSession(session.get());
        // First paints (fonts, plot buffers) are not what the probe is for.
        QVERIFY(QTest::qWaitForWindowExposed(&monitor));
        QTest::qWait(200);
        const int epochs = 4, steps = 0; // whole epochs: a few seconds of training to probe the GUI through
        editor.setMatrix(tinyMatrix("quick", {"tiny_resnet_basic"}, epochs, steps));
        editor.setExperimentName(QStringLiteral("quick"));
        const QString key = QStringLiteral("demo/tiny_resnet_basic/all_layers");
        QCOMPARE(editor.model()->index(0, 0).data(MatrixGridModel::CellKeyRole).toString(), key);

        QSignalSpy stepSpy(&controller, &TrainingController::stepsArrived);
        QSignalSpy epochSpy(&controller, &TrainingController::epochFinished);
        QSignalSpy doneSpy(&controller, &TrainingController::cellFinished);
        QSignalSpy finished(&controller, &TrainingController::finished);
        EventLoopProbe probe;
        QElapsedTimer clock;
        clock.start();
        probe.start();
        editor.startAction()->trigger();
        // Start times the network first (on a worker), then trains.
        QTRY_VERIFY2_WITH_TIMEOUT(controller.isRunning() || finished.count() > 0,
                                  qPrintable(editor.lastError()), 60000);
        QVERIFY(!editor.startAction()->isEnabled() || finished.count() > 0);
        QVERIFY(editor.cancelAction()->isEnabled() || finished.count() > 0);
        QTRY_COMPARE_WITH_TIMEOUT(editor.model()->status(key).state, QStringLiteral("running"), 30000);
        QVERIFY(finished.wait(240000));
        probe.stop();
        const double seconds = clock.elapsed() / 1000.0;
        QCOMPARE(finished.first().at(2).toString(), QString()); // no run-queue error
        QCOMPARE(finished.first().at(0).toInt(), 1);

        // Progress arrived, batched: every step's loss reached the plot, in at most 20 batches a second.
        QVERIFY(stepSpy.count() > 0);
        int stepEvents = 0;
        for (const auto& args : stepSpy)
            stepEvents += args.at(1).value<QVector<rm::StepEvent>>().size();
        const int stepsPerEpoch = stepSpy.first().at(1).value<QVector<rm::StepEvent>>().front().stepsPerEpoch;
        QVERIFY(stepsPerEpoch >= 4);
        QCOMPARE(stepEvents, epochs * stepsPerEpoch);
        QVERIFY(controller.stepBatchesDelivered() <=
                int(seconds * TrainingController::kStepBatchesPerSecond) + 2);
        QCPGraph* stepLoss = monitor.curves()->lossPlot()->graph(LossCurvesView::StepLoss);
        QCOMPARE(stepLoss->dataCount(), epochs * stepsPerEpoch);
        QVERIFY(std::isfinite(stepLoss->data()->at(0)->value) && stepLoss->data()->at(0)->value > 0);
        QCOMPARE(monitor.curves()->lossPlot()->graph(LossCurvesView::EpochTrainLoss)->dataCount(), epochs);
        QCOMPARE(monitor.curves()->lossPlot()->graph(LossCurvesView::EpochValLoss)->dataCount(), epochs);
        QCOMPARE(epochSpy.count(), epochs);
        QCOMPARE(doneSpy.count(), 1);

        // The cell shows done with its validation AUC, as the project records it.
        const CellStatus s = editor.model()->status(key);
        QCOMPARE(s.state, QStringLiteral("done"));
        QVERIFY(std::isfinite(s.valAuc));
        QVERIFY(editor.model()->index(0, 0).data().toString().contains(QStringLiteral("AUC")));
        const auto runs = rm::listRuns(m_project.toStdString(), "quick");
        QCOMPARE(runs.size(), std::size_t(1));
        QCOMPARE(s.runId, qint64(runs[0].id));
        QCOMPARE(s.valAuc, runs[0].valAuc);
        QVERIFY(editor.startAction()->isEnabled());
        QVERIFY(!editor.cancelAction()->isEnabled());

        // The finished run is listed, ticked, and its ROC and PR curves are overlaid; its epochs are listed.
        QCOMPARE(monitor.runList()->topLevelItemCount(), 1);
        QCOMPARE(monitor.runList()->topLevelItem(0)->checkState(TrainingMonitor::RunIdColumn), Qt::Checked);
        QCOMPARE(monitor.rocPr()->curveCount(), 1);
        QVERIFY(monitor.selectRun(runs[0].id));
        QCOMPARE(monitor.epochTable()->rowCount(), epochs);
        QVERIFY(monitor.statusText().contains(QStringLiteral("finished")));

        // Plots export as PNG and PDF.
        for (const QString& name : {QStringLiteral("loss.png"), QStringLiteral("roc.pdf")}) {
            const QString path = m_dir.filePath(name);
            QCustomPlot* plot = name.startsWith(QLatin1String("loss")) ? monitor.curves()->lossPlot()
                                                                       : monitor.rocPr()->rocPlot();
            QString error;
            QVERIFY2(exportPlot(plot, path, &error), qPrintable(error));
            QVERIFY(QFileInfo(path).size() > 1000);
        }
        QString error;
        QVERIFY(!exportPlot(monitor.curves()->lossPlot(), m_dir.filePath(QStringLiteral("x.bmpx")), &error));

        // The GUI thread stayed responsive all along.
        qInfo("event loop while training %.1f s: %d ticks, worst %.1f ms late, p99 %.1f ms, %d step batches",
              seconds, probe.sampleCount(), probe.worstMs(), probe.percentileMs(99),
              controller.stepBatchesDelivered());
        QVERIFY(probe.sampleCount() > 50);
        // Work on the GUI thread (a whole-run read, a replot of every point) shows in the p99 as hundreds of
        // ms and more; a busy 2-core machine (the OS scheduling the training threads, other builds) makes
        // ticks late without the GUI thread's doing, up to ~100 ms p99 in past loaded runs. So the bound
        // here catches the first and passes the second; the strict figure (p99 < 50 ms on an idle machine)
        // is bench_gui_latency's (--max-p99-ms, docs/benchmarks.md). Scaled under sanitizers.
        QVERIFY2(
            probe.percentileMs(99) < rmtest::timeBound(150) && probe.worstMs() < rmtest::timeBound(500),
            qPrintable(
                QStringLiteral("p99 %1 ms, worst %2 ms").arg(probe.percentileMs(99)).arg(probe.worstMs())));

        editor.setSession(nullptr);
    }

    void cancelStopsWithinASecond()
    {
        auto session = openSession();
        TrainingController controller;
        MatrixEditor editor(&controller);
        TrainingMonitor monitor(&controller);
        editor.setSession(session.get());
        monitor.setSession(session.get());
        // Long enough that it is mid-epoch when cancelled.
        editor.setMatrix(tinyMatrix("long", {"tiny_resnet_basic"}, 50, 0));
        editor.setExperimentName(QStringLiteral("long"));
        const QString key = QStringLiteral("demo/tiny_resnet_basic/all_layers");
        QSignalSpy stepSpy(&controller, &TrainingController::stepsArrived);
        QSignalSpy cancelled(&controller, &TrainingController::cellCancelled);
        QSignalSpy finished(&controller, &TrainingController::finished);
        QVERIFY(editor.start());
        QVERIFY(stepSpy.wait(60000));
        QElapsedTimer clock;
        clock.start();
        editor.cancelAction()->trigger();
        QVERIFY(controller.isStopping());
        QVERIFY(finished.wait(int(rmtest::timeBound(5000))));
        const qint64 ms = clock.elapsed();
        qInfo("cancel took %lld ms", ms);
        QVERIFY2(ms < rmtest::timeBound(1000), qPrintable(QStringLiteral("%1 ms").arg(ms)));
        QCOMPARE(cancelled.count(), 1);
        QCOMPARE(finished.first().at(1).toBool(), true);
        QCOMPARE(editor.model()->status(key).state, QStringLiteral("cancelled"));
        const auto runs = rm::listRuns(m_project.toStdString(), "long");
        QCOMPARE(runs.size(), std::size_t(1));
        QCOMPARE(runs[0].state, std::string("cancelled"));
        QVERIFY(!controller.isRunning());
        editor.setSession(nullptr);
    }

    void pauseKeepsTheCellQueuedAndStartResumes()
    {
        auto session = openSession();
        TrainingController controller;
        MatrixEditor editor(&controller);
        editor.setSession(session.get());
        editor.setMatrix(tinyMatrix("paused", {"tiny_resnet_basic"}, 3, 0));
        editor.setExperimentName(QStringLiteral("paused"));
        const QString key = QStringLiteral("demo/tiny_resnet_basic/all_layers");
        QSignalSpy steps(&controller, &TrainingController::stepsArrived);
        QSignalSpy epochs(&controller, &TrainingController::epochFinished);
        QSignalSpy finished(&controller, &TrainingController::finished);
        QVERIFY(editor.start());
        QVERIFY(steps.wait(60000));
        editor.pauseAction()->trigger();
        QVERIFY(finished.wait(30000));
        QCOMPARE(finished.first().at(1).toBool(), true);
        // The epoch under way finished and was kept; the cell waits to be resumed.
        QVERIFY(epochs.count() >= 1 && epochs.count() < 3);
        const int before = epochs.count();
        QCOMPARE(rm::listRuns(m_project.toStdString(), "paused").at(0).state, std::string("queued"));
        // Shown as paused (queued with epochs done), not as a cell that never started.
        QCOMPARE(editor.model()->status(key).state, QStringLiteral("paused"));
        QCOMPARE(rm::listRuns(m_project.toStdString(), "paused").at(0).status,
                 std::string("paused - resumes on next start"));

        finished.clear();
        epochs.clear();
        QVERIFY(editor.start());
        QVERIFY(finished.wait(60000));
        QCOMPARE(finished.first().at(1).toBool(), false);
        QCOMPARE(epochs.count(), 3 - before); // resumed, not restarted
        QCOMPARE(editor.model()->status(key).state, QStringLiteral("done"));
        QCOMPARE(int(rm::loadEpochs(m_project.toStdString(), editor.model()->status(key).runId).size()), 3);
        editor.setSession(nullptr);
    }

    void badMatrixIsAMessageNotACrash()
    {
        auto session = openSession();
        TrainingController controller;
        MatrixEditor editor(&controller);
        editor.setSession(session.get());
        rm::ExperimentMatrix bad = tinyMatrix("bad", {"tiny_resnet_basic"}, 1, 1);
        bad.targetSets = {"no_such_target_set"};
        editor.setMatrix(bad);
        editor.setExperimentName(QStringLiteral("bad"));
        QSignalSpy failed(&controller, &TrainingController::finished);
        QVERIFY(editor.start());
        QVERIFY(failed.wait(30000));
        const QString error = failed.first().at(2).toString();
        QVERIFY2(error.contains(QStringLiteral("no_such_target_set")), qPrintable(error));
        QVERIFY(editor.lastError().contains(QStringLiteral("no_such_target_set")));
        editor.setSession(nullptr);
    }

    void rendersTheTrainingWorkbenchAndQuitsCleanly()
    {
        applyTheme(true);
        auto* w = new MainWindow;
        w->setAttribute(Qt::WA_DeleteOnClose);
        QPointer<MainWindow> window(w);
        w->resize(1680, 1000);
        w->show();
        QVERIFY(w->openProject(m_project));
        auto* editor = w->findChild<MatrixEditor*>();
        auto* monitor = w->findChild<TrainingMonitor*>();
        auto* controller = w->findChild<TrainingController*>();
        QVERIFY(editor && monitor && controller);
        QVERIFY(editor->isVisible() || monitor->isVisible());
        // The latest experiment of the project comes back with its cells' states ("bad" never got stored).
        QCOMPARE(editor->experimentName(), QStringLiteral("paused"));
        QCOMPARE(editor->model()->index(0, 0).data(MatrixGridModel::StateRole).toString(),
                 QStringLiteral("done"));

        // simple_cnn last: its curves, the liveliest, stay in the monitor. Ten epochs each, three in a
        // sanitized build (or with RINGMINER_TIME_SCALE): there the four cells of ten epochs outlasted the
        // hang guard below (240 s, on two cores shared with other builds), and the checks are the same.
        const int epochs = rmtest::timeScale() > 1 ? 3 : 10;
        rm::ExperimentMatrix m =
            tinyMatrix("tiny-models", {"tiny_resnet_basic", "tiny_efficientnet", "simple_cnn"}, epochs, 0);
        m.modes = {"all_layers", "head_only"};
        m.models[0].modes = {"all_layers"};
        m.models[2].modes = {"all_layers"};
        m.defaults["image_size"] = 48;
        editor->setMatrix(m);
        editor->setExperimentName(QStringLiteral("tiny-models"));
        QSignalSpy finished(controller, &TrainingController::finished);
        QVERIFY(editor->start());
        // A guard against a hang, not a speed bound: four cells of ten epochs took over 80 s on two cores
        // shared with other builds.
        QVERIFY(finished.wait(240000));
        QCOMPARE(finished.first().at(2).toString(), QString());
        for (int c = 0; c < editor->model()->columnCount(); ++c)
            QCOMPARE(editor->model()->index(0, c).data(MatrixGridModel::StateRole).toString(),
                     QStringLiteral("done"));
        // The comparison table picked up the new runs without a manual refresh.
        auto* comparison = w->findChild<ComparisonPanel*>();
        QVERIFY(comparison);
        QTRY_COMPARE(comparison->model()->rowCount(),
                     static_cast<int>(rm::listRuns(m_project.toStdString()).size()));
        for (const rm::RunSummary& r : rm::listRuns(m_project.toStdString(), "tiny-models"))
            monitor->setRunChecked(r.id, true);
        monitor->rocPr()->setSplit(QStringLiteral("test"));
        QCOMPARE(monitor->rocPr()->curveCount(), 4); // tiny_efficientnet trains in both modes
        editor->view()->setCurrentIndex(editor->model()->index(0, 1));
        auto* matrixDock = w->findChild<QDockWidget*>(QStringLiteral("matrixDock"));
        auto* monitorDock = w->findChild<QDockWidget*>(QStringLiteral("trainingDock"));
        QVERIFY(matrixDock && monitorDock);
        w->resizeDocks({matrixDock, monitorDock}, {w->width() * 40 / 100, w->width() * 60 / 100},
                       Qt::Horizontal);
        w->resizeDocks({monitorDock}, {w->height() * 48 / 100}, Qt::Vertical);
        QTest::qWait(200);
        const QImage shot = w->grab().toImage();
        QVERIFY(!shot.isNull());
        const QString here =
            QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("training.png"));
        QVERIFY(shot.save(here));
        qInfo("screenshot: %s", qPrintable(here));
        monitor->showTab(1);
        QTest::qWait(100);
        const QString curves =
            QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("training_roc.png"));
        QVERIFY(w->grab().toImage().save(curves));
        const QString extra = qEnvironmentVariable("RINGMINER_SCREENSHOT_DIR");
        if (!extra.isEmpty()) {
            QDir().mkpath(extra);
            QVERIFY(shot.save(QDir(extra).filePath(QStringLiteral("training.png"))));
        }

        // The curves still show the last cell's live steps; picking another run shows its epoch history.
        QVERIFY(monitor->curves()->lossPlot()->graph(LossCurvesView::StepLoss)->dataCount() > 0);
        const auto tinyRuns = rm::listRuns(m_project.toStdString(), "tiny-models");
        QVERIFY(monitor->selectRun(tinyRuns.front().id));
        QVERIFY(monitor->curves()->title().contains(QStringLiteral("epoch history")));
        QCOMPARE(monitor->curves()->lossPlot()->graph(LossCurvesView::EpochValLoss)->dataCount(), epochs);
        QCOMPARE(monitor->curves()->lossPlot()->graph(LossCurvesView::StepLoss)->dataCount(), 0);

        // Quitting while training asks; "No" keeps training, "Yes" cancels and then closes the window.
        editor->setMatrix(tinyMatrix("quit", {"tiny_resnet_basic"}, 50, 0));
        editor->setExperimentName(QStringLiteral("quit"));
        QSignalSpy steps(controller, &TrainingController::stepsArrived);
        QVERIFY(editor->start());
        QVERIFY(steps.wait(60000));
        const auto answer = [&](QMessageBox::StandardButton button) {
            QMessageBox* box = nullptr;
            QTRY_VERIFY((box = w->findChild<QMessageBox*>(QStringLiteral("stopTrainingQuestion"))) !=
                        nullptr);
            box->button(button)->click();
        };
        QVERIFY(!w->close());
        answer(QMessageBox::No);
        QTest::qWait(300);
        QVERIFY(controller->isRunning());
        QVERIFY(window);
        QVERIFY(!w->close());
        QElapsedTimer clock;
        clock.start();
        answer(QMessageBox::Yes);
        QTRY_VERIFY_WITH_TIMEOUT(
            window.isNull(), int(rmtest::timeBound(5000))); // closed (and deleted) once the worker finished
        qInfo("closed %lld ms after the answer", clock.elapsed());
        QVERIFY(clock.elapsed() < rmtest::timeBound(2000));
        const auto runs = rm::listRuns(m_project.toStdString(), "quit");
        QCOMPARE(runs.size(), std::size_t(1));
        QCOMPARE(runs[0].state, std::string("cancelled"));
    }
};

QTEST_MAIN(TestTrainingMonitor)
#include "test_training_monitor.moc"
