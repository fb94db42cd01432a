// The experiment matrix editor: the default 18 configurations as a grid, cell and matrix-wide parameters
// edited through the form's real widgets, rows and columns added and removed, JSON load/save, retargeting
// to a project's target sets, cell states and AUCs as the grid shows them, and training only the selected
// cell of a tiny matrix on a demo project.
#include "UiTestSupport.h"

#include "matrix/CellConfigForm.h"
#include "matrix/MatrixEditor.h"
#include "matrix/MatrixGridModel.h"
#include "project/ProjectSession.h"
#include "store/ProjectStore.h"
#include "tasks/BackgroundJob.h"
#include "training/RunQueue.h"
#include "training/RunStore.h"
#include "training/TrainingController.h"

#include <QAction>
#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QTableView>
#include <QToolBar>
#include <QToolButton>

#include <cmath>
#include <fstream>

using namespace rm::ui;

namespace {

int cellEpochs(const rm::ExperimentMatrix& m, const std::string& key)
{
    for (const rm::MatrixCell& c : m.cells())
        if (c.key == key) return c.config.epochs;
    return -1;
}

int columnOf(const MatrixEditor& editor, const std::string& model, const std::string& mode)
{
    const auto& columns = editor.model()->columns();
    for (std::size_t i = 0; i < columns.size(); ++i)
        if (columns[i].model == model && columns[i].mode == mode) return int(i);
    return -1;
}

void clickCell(QTableView* view, int row, int column, Qt::KeyboardModifiers modifiers = {})
{
    const QModelIndex i = view->model()->index(row, column);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, modifiers, view->visualRect(i).center());
}

// The demo target set x three tiny models, all layers: one short epoch each on 32-pixel images.
rm::ExperimentMatrix tinyMatrix(const std::string& name)
{
    rm::ExperimentMatrix m;
    m.name = name;
    m.targetSets = {"demo"};
    m.modes = {"all_layers"};
    for (const char* arch : {"tiny_resnet_basic", "tiny_efficientnet", "simple_cnn"}) {
        rm::MatrixModel model;
        model.name = arch;
        model.arch = arch;
        model.inChannels = 1;
        m.models.push_back(model);
    }
    m.defaults = {{"epochs", 1},        {"batch_size", 8},     {"image_size", 32},
                  {"augment", false},   {"warmup_epochs", 0},  {"max_steps_per_epoch", 2},
                  {"torch_threads", 1}, {"loader_threads", 1}, {"patience", 0},
                  {"device", "cpu"}};
    return m;
}

} // namespace

class TestMatrixEditor : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_demo;

    // A small demo project (24 rings, 24 others, 32 px), made once.
    QString demoProject()
    {
        if (!m_demo.isEmpty()) return m_demo;
        const QString dir = m_dir.filePath(QStringLiteral("demo"));
        const auto made =
            rmtest::runCli({QStringLiteral("demo"), QStringLiteral("make"), dir, QStringLiteral("--rings"),
                            QStringLiteral("24"), QStringLiteral("--non-rings"), QStringLiteral("24"),
                            QStringLiteral("--size"), QStringLiteral("32"), QStringLiteral("--threads"),
                            QStringLiteral("1")});
        if (made.exitCode != 0)
            qWarning("demo make failed: %s", qPrintable(made.err + made.out));
        else
            m_demo = QDir(dir).filePath(QStringLiteral("demo.rmproj"));
        return m_demo;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        uitest::isolateSettings(m_dir.filePath(QStringLiteral("settings")));
    }

    void showsTheDefault18Configurations()
    {
        TrainingController controller;
        MatrixEditor editor(&controller);
        editor.resize(1200, 500);
        editor.show();
        MatrixGridModel* grid = editor.model();
        QCOMPARE(grid->rowCount(), 2);    // gz2, gzd5
        QCOMPARE(grid->columnCount(), 9); // simple_cnn (all layers) + 4 encoders x 2 modes
        QCOMPARE(editor.matrix().cells().size(), std::size_t(18));
        QCOMPARE(grid->headerData(0, Qt::Vertical).toString(), QStringLiteral("gz2"));
        QCOMPARE(grid->headerData(0, Qt::Horizontal).toString(), QStringLiteral("simple_cnn\nall layers"));
        // Every cell of the grid is a cell of the matrix, and the other way round.
        std::set<QString> shown;
        for (int r = 0; r < grid->rowCount(); ++r)
            for (int c = 0; c < grid->columnCount(); ++c)
                shown.insert(grid->index(r, c).data(MatrixGridModel::CellKeyRole).toString());
        std::set<QString> cells;
        for (const rm::MatrixCell& c : editor.matrix().cells())
            cells.insert(QString::fromStdString(c.key));
        QCOMPARE(shown, cells);
        QCOMPARE(grid->index(0, 0).data(MatrixGridModel::StateRole).toString(), QString());
        // The grid is tall enough for both its rows, not one row and a scroll bar.
        QTableView* view = editor.view();
        QVERIFY2(view->minimumHeight() >= view->horizontalHeader()->sizeHint().height() +
                                              view->verticalHeader()->sectionSizeHint(0) +
                                              view->verticalHeader()->sectionSizeHint(1),
                 qPrintable(QString::number(view->minimumHeight())));
        QVERIFY(!editor.startAction()->isEnabled()); // no project to record runs in
        QVERIFY(!editor.start());
        QVERIFY(editor.lastError().contains(QStringLiteral("project")));
    }

    void editingACellGivesItAnOverride()
    {
        TrainingController controller;
        MatrixEditor editor(&controller);
        editor.resize(1200, 600);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        const int column = columnOf(editor, "effnet_b0_c1", "head_only");
        QVERIFY(column > 0);
        const QString key = editor.model()->index(1, column).data(MatrixGridModel::CellKeyRole).toString();
        QCOMPARE(key, QStringLiteral("gzd5/effnet_b0_c1/head_only"));
        clickCell(editor.view(), 1, column);
        QCOMPARE(editor.form()->scopeKey(), key);
        auto* epochs = qobject_cast<QSpinBox*>(editor.form()->editor(QStringLiteral("epochs")));
        QVERIFY(epochs);
        QCOMPARE(epochs->value(), 10); // the default matrix's
        epochs->setFocus();
        epochs->selectAll();
        QTest::keyClicks(epochs, QStringLiteral("3"));
        QCOMPARE(epochs->value(), 3);

        const nlohmann::json json = editor.matrix().toJson();
        QCOMPARE(json["overrides"][key.toStdString()]["epochs"].get<int>(), 3);
        QCOMPARE(cellEpochs(editor.matrix(), key.toStdString()), 3);
        QCOMPARE(cellEpochs(editor.matrix(), "gz2/effnet_b0_c1/head_only"), 10); // the same column, other row
        QVERIFY(editor.model()->index(1, column).data(MatrixGridModel::OverriddenRole).toBool());
        QVERIFY(!editor.model()->index(0, column).data(MatrixGridModel::OverriddenRole).toBool());
        QCOMPARE(editor.form()->scopeKey(), key); // the edit kept the current cell

        // A second key of the same cell, through a checkbox; the all-layers learning rate comes from the
        // default matrix's pattern override and is shown as such.
        auto* augment = qobject_cast<QCheckBox*>(editor.form()->editor(QStringLiteral("augment")));
        QVERIFY(augment && augment->isChecked());
        augment->click();
        QCOMPARE(editor.matrix().toJson()["overrides"][key.toStdString()]["augment"].get<bool>(), false);

        // The reset button beside epochs removes that key only.
        const auto resetButtons = editor.form()->findChildren<QToolButton*>();
        QToolButton* resetEpochs = nullptr;
        for (QToolButton* b : resetButtons)
            if (b->isEnabled() && b->parentWidget() == epochs->parentWidget() &&
                b->geometry().center().y() > epochs->geometry().top() &&
                b->geometry().center().y() < epochs->geometry().bottom())
                resetEpochs = b;
        QVERIFY(resetEpochs);
        resetEpochs->click();
        QVERIFY(!editor.matrix().toJson()["overrides"][key.toStdString()].contains("epochs"));
        QCOMPARE(cellEpochs(editor.matrix(), key.toStdString()), 10);
        QCOMPARE(epochs->value(), 10);

        // Matrix-wide defaults reach every cell without an override.
        editor.editScope({});
        QCOMPARE(editor.form()->scopeKey(), QString());
        auto* batch = qobject_cast<QSpinBox*>(editor.form()->editor(QStringLiteral("batch_size")));
        batch->setValue(16);
        QCOMPARE(editor.matrix().toJson()["defaults"]["batch_size"].get<int>(), 16);
        for (const rm::MatrixCell& c : editor.matrix().cells())
            QCOMPARE(c.config.batchSize, 16);
    }

    void fixMatchOptionInTheCellForm()
    {
        TrainingController controller;
        MatrixEditor editor(&controller);
        editor.resize(1200, 600);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        editor.editScope({});
        QWidget* semi = editor.form()->editor(QStringLiteral("semi_supervised"));
        QVERIFY(semi);
        auto* sources = semi->findChild<QLineEdit*>(QStringLiteral("semi_supervised.unlabelled"));
        auto* threshold = semi->findChild<QDoubleSpinBox*>(QStringLiteral("semi_supervised.threshold"));
        auto* mu = semi->findChild<QSpinBox*>(QStringLiteral("semi_supervised.mu"));
        QVERIFY(sources && threshold && mu);
        QVERIFY(sources->text().isEmpty()); // off by default
        QVERIFY(!editor.matrix().toJson()["defaults"].contains("semi_supervised"));

        sources->setText(QStringLiteral("folder:/data/gz2; catalog:gzd5_labels"));
        Q_EMIT sources->editingFinished();
        const nlohmann::json defaults = editor.matrix().toJson()["defaults"];
        QVERIFY2(defaults.contains("semi_supervised"),
                 qPrintable(QString::fromStdString(defaults.dump()) + " / " + editor.lastError()));
        const nlohmann::json set = defaults["semi_supervised"];
        QCOMPARE(set["method"].get<std::string>(), std::string("fixmatch"));
        QCOMPARE(set["unlabelled"], (nlohmann::json{"folder:/data/gz2", "catalog:gzd5_labels"}));
        threshold->setValue(0.9);
        mu->setValue(2);
        for (const rm::MatrixCell& c : editor.matrix().cells()) {
            QCOMPARE(c.config.semiSupervised.threshold, 0.9);
            QCOMPARE(c.config.semiSupervised.mu, 2);
            QCOMPARE(c.config.semiSupervised.unlabelled.size(), std::size_t(2));
        }
        // Emptying the sources switches it off again.
        sources->clear();
        Q_EMIT sources->editingFinished();
        QVERIFY(!editor.matrix().toJson()["defaults"].contains("semi_supervised"));
        for (const rm::MatrixCell& c : editor.matrix().cells())
            QVERIFY(!c.config.semiSupervised.enabled());
    }

    void removingAColumnRemovesItsCells()
    {
        TrainingController controller;
        MatrixEditor editor(&controller);
        editor.resize(1200, 500);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        const int column = columnOf(editor, "effnet_b0_c1", "all_layers");
        QVERIFY(column > 0);
        clickCell(editor.view(), 0, column);
        QAction* remove = nullptr;
        for (QAction* a : editor.findChildren<QAction*>())
            if (a->text() == QStringLiteral("Remove Column")) remove = a;
        QVERIFY(remove && remove->isEnabled());
        remove->trigger();
        QCOMPARE(editor.model()->columnCount(), 8);
        const auto cells = editor.matrix().cells();
        QCOMPARE(cells.size(), std::size_t(16));
        for (const rm::MatrixCell& c : cells)
            QVERIFY(!(c.model == "effnet_b0_c1" && c.mode == "all_layers"));
        // Its head-only column stays.
        QCOMPARE(std::count_if(cells.begin(), cells.end(),
                               [](const rm::MatrixCell& c) { return c.model == "effnet_b0_c1"; }),
                 2L);

        // simple_cnn has one mode: removing its column removes the model and the override that names it,
        // so the matrix stays valid.
        QVERIFY(editor.removeColumn(0));
        QCOMPARE(editor.matrix().cells().size(), std::size_t(14));
        QVERIFY(!editor.matrix().toJson()["overrides"].contains("*/simple_cnn/all_layers"));
        for (const rm::MatrixModel& m : editor.matrix().models)
            QVERIFY(m.name != "simple_cnn");
    }

    void addsColumnsAndRows()
    {
        TrainingController controller;
        MatrixEditor editor(&controller);
        rm::MatrixModel tiny;
        tiny.name = "tiny";
        tiny.arch = "tiny_resnet_basic";
        tiny.inChannels = 1;
        QVERIFY(editor.addColumn(tiny, QStringLiteral("all_layers")));
        QCOMPARE(editor.model()->columnCount(), 10);
        QVERIFY(!editor.addColumn(tiny, QStringLiteral("all_layers"))); // already there
        QVERIFY(editor.addColumn(tiny, QStringLiteral("last_n_blocks")));
        QCOMPARE(editor.model()->columnCount(), 11);
        // That mode needs a block count: the new column starts with one.
        for (const rm::MatrixCell& c : editor.matrix().cells())
            if (c.mode == "last_n_blocks") QCOMPARE(c.config.nBlocks, 2);
        // A new matrix mode does not leak into the models that follow the matrix's modes.
        const auto cells = editor.matrix().cells();
        QVERIFY(std::none_of(cells.begin(), cells.end(), [](const rm::MatrixCell& c) {
            return c.mode == "last_n_blocks" && c.model != "tiny";
        }));
        rm::MatrixModel bogus = tiny;
        bogus.name = "bogus";
        bogus.arch = "no_such_arch";
        QVERIFY(!editor.addColumn(bogus, QStringLiteral("all_layers")));
        QVERIFY(editor.lastError().contains(QStringLiteral("no_such_arch")));

        QVERIFY(editor.addTargetSet(QStringLiteral("rings3")));
        QCOMPARE(editor.model()->rowCount(), 3);
        QVERIFY(!editor.addTargetSet(QStringLiteral("rings3")));
        QVERIFY(editor.removeTargetSet(QStringLiteral("gz2")));
        QCOMPARE(editor.model()->headerData(0, Qt::Vertical).toString(), QStringLiteral("gzd5"));
    }

    void savesAndLoadsTheMatrix()
    {
        TrainingController controller;
        MatrixEditor editor(&controller);
        editor.editScope(QStringLiteral("gz2/resnet18_c1/all_layers"));
        qobject_cast<QSpinBox*>(editor.form()->editor(QStringLiteral("image_size")))->setValue(128);
        editor.setExperimentName(QStringLiteral("small-images"));
        const QString path = m_dir.filePath(QStringLiteral("matrix.json"));
        QVERIFY(editor.saveMatrix(path));
        const nlohmann::json saved = editor.matrix().toJson();

        MatrixEditor other(&controller);
        QVERIFY(other.removeColumn(0));
        QVERIFY(other.loadMatrix(path));
        QCOMPARE(other.experimentName(), QStringLiteral("small-images"));
        nlohmann::json loaded = other.matrix().toJson();
        loaded["name"] = saved["name"];
        QCOMPARE(QString::fromStdString(loaded.dump()), QString::fromStdString(saved.dump()));
        for (const rm::MatrixCell& c : other.matrix().cells())
            QCOMPARE(c.config.view.width, c.key == "gz2/resnet18_c1/all_layers" ? 128 : 224);

        // A broken file is an error naming the problem, and the editor keeps its matrix.
        const QString broken = m_dir.filePath(QStringLiteral("broken.json"));
        std::ofstream(broken.toStdString()) << R"({"name": "x", "target_sets": ["a"], "modelz": []})";
        QVERIFY(!other.loadMatrix(broken));
        QVERIFY(other.lastError().contains(QStringLiteral("modelz")));
        QCOMPARE(other.model()->columnCount(), 9);
    }

    void pointsTheDefaultAtTheProjectsTargetSets()
    {
        const QString project = demoProject();
        QVERIFY(!project.isEmpty());
        auto session = ProjectSession::open(project);
        TrainingController controller;
        MatrixEditor editor(&controller);
        editor.setSession(session.get());
        QCOMPARE(editor.projectTargetSets(), QStringList{QStringLiteral("demo")});
        QCOMPARE(editor.model()->rowCount(), 1);
        QCOMPARE(editor.model()->headerData(0, Qt::Vertical).toString(), QStringLiteral("demo"));
        QCOMPARE(editor.matrix().cells().size(), std::size_t(9));
        QVERIFY(editor.startAction()->isEnabled());
        QVERIFY(!editor.addTargetSet(QStringLiteral("demo")));
        editor.setSession(nullptr);
    }

    void runsOnlyTheSelectedCell()
    {
        const QString project = demoProject();
        QVERIFY(!project.isEmpty());
        auto session = ProjectSession::open(project);
        TrainingController controller;
        MatrixEditor editor(&controller);
        editor.resize(1000, 500);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        editor.setSession(session.get());
        editor.setMatrix(tinyMatrix("picked"));
        editor.setExperimentName(QStringLiteral("picked"));
        QCOMPARE(editor.model()->columnCount(), 3);
        QAction* runSelected = editor.runSelectedAction();
        QVERIFY(runSelected);
        QVERIFY(!runSelected->isEnabled());                      // nothing selected yet
        QVERIFY(editor.view()->actions().contains(runSelected)); // also on the grid's context menu

        // Ctrl+click picks several cells; a plain click picks one again.
        clickCell(editor.view(), 0, 0);
        clickCell(editor.view(), 0, 2, Qt::ControlModifier);
        QCOMPARE(editor.selectedCellKeys(), (QStringList{QStringLiteral("demo/tiny_resnet_basic/all_layers"),
                                                         QStringLiteral("demo/simple_cnn/all_layers")}));
        clickCell(editor.view(), 0, 1);
        const QString picked = QStringLiteral("demo/tiny_efficientnet/all_layers");
        QCOMPARE(editor.selectedCellKeys(), QStringList{picked});
        QVERIFY(runSelected->isEnabled());

        QSignalSpy startedCells(&controller, &TrainingController::cellStarted);
        QSignalSpy started(&controller, &TrainingController::started);
        QSignalSpy finished(&controller, &TrainingController::finished);
        QElapsedTimer clock;
        clock.start();
        // Through the toolbar button, as a user would.
        auto* bar = editor.findChild<QToolBar*>();
        QVERIFY(bar);
        QWidget* button = bar->widgetForAction(runSelected);
        QVERIFY(button && button->isVisible() && button->isEnabled());
        QTest::mouseClick(button, Qt::LeftButton);
        // The time estimate runs first (a timed step per network, on a worker), then the training.
        QTRY_COMPARE_WITH_TIMEOUT(started.count(), 1, 60000);
        QVERIFY2(controller.isRunning() || finished.count() == 1, qPrintable(editor.lastError()));
        // The estimate covered the selected cell only.
        QVERIFY(std::isfinite(editor.estimatedQueueSeconds()) && editor.estimatedQueueSeconds() > 0);
        QCOMPARE(started.first().at(1).toInt(), 1); // one cell in this run
        QVERIFY(!runSelected->isEnabled() || finished.count() == 1);
        QVERIFY(!editor.startAction()->isEnabled() || finished.count() == 1);
        // Only the picked cell waits in the queue; the others keep their (empty) state.
        QVERIFY(editor.model()->status(picked).state == QLatin1String("queued") ||
                editor.model()->status(picked).state == QLatin1String("running") || finished.count() == 1);
        QCOMPARE(editor.model()->status(QStringLiteral("demo/simple_cnn/all_layers")).state, QString());
        QVERIFY(finished.count() == 1 || finished.wait(60000));
        qInfo("one selected cell trained in %.1f s", clock.elapsed() / 1000.0);
        QCOMPARE(finished.first().at(2).toString(), QString());
        QCOMPARE(finished.first().at(0).toInt(), 1);
        QCOMPARE(startedCells.count(), 1);
        QCOMPARE(startedCells.first().at(0).toString(), picked);

        // The project records exactly one finished run, the picked cell's; the others never trained.
        int done = 0;
        for (const rm::RunSummary& r : rm::listRuns(project.toStdString(), "picked")) {
            if (QString::fromStdString(r.cellKey) == picked) {
                QCOMPARE(r.state, std::string("done"));
                QCOMPARE(r.epochs, 1);
                QCOMPARE(editor.model()->status(picked).runId, qint64(r.id));
            } else {
                QVERIFY2(r.state != "done", r.cellKey.c_str());
                QCOMPARE(r.epochs, 0);
                QCOMPARE(r.attempts, 0);
            }
            done += r.state == "done";
        }
        QCOMPARE(done, 1);
        QCOMPARE(editor.model()->status(picked).state, QStringLiteral("done"));
        QVERIFY(editor.model()->status(QStringLiteral("demo/tiny_resnet_basic/all_layers")).state !=
                QLatin1String("done"));
        QVERIFY(runSelected->isEnabled()); // the selection is still there
        editor.setSession(nullptr);
    }

    // Estimate shows each cell's time and the queue's; Start on a slow CPU queue asks first, offering the CPU
    // preset, which becomes its own experiment and trains after its own estimate.
    void estimatesAndOffersTheCpuPresetBeforeASlowQueue()
    {
        const QString project = demoProject();
        QVERIFY(!project.isEmpty());
        auto session = ProjectSession::open(project);
        TrainingController controller;
        MatrixEditor editor(&controller);
        editor.resize(1000, 500);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        editor.setSession(session.get());
        rm::ExperimentMatrix m = tinyMatrix("slow");
        m.models.resize(1); // tiny_resnet_basic
        editor.setMatrix(m);
        editor.setExperimentName(QStringLiteral("slow"));
        const QString key = QStringLiteral("demo/tiny_resnet_basic/all_layers");
        QVERIFY(!std::isfinite(editor.model()->eta(key)));

        // The toolbar's Estimate: a worker times the network, the grid and the summary show the result.
        editor.estimateAction()->trigger();
        QVERIFY(editor.estimating());
        QVERIFY(editor.estimateJob()->waitDone(60000));
        const double eta = editor.model()->eta(key);
        QVERIFY2(std::isfinite(eta) && eta > 0, qPrintable(QString::number(eta)));
        QCOMPARE(editor.estimatedQueueSeconds(), eta);
        QVERIFY(editor.model()->index(0, 0).data(Qt::ToolTipRole).toString().contains("estimated time"));
        auto* summary = editor.findChild<QLabel*>(QStringLiteral("matrixSummary"));
        QVERIFY(summary);
        QVERIFY2(summary->text().contains(QStringLiteral("queue ≈")), qPrintable(summary->text()));
        // An edit makes it stale.
        editor.setMatrix(m);
        QVERIFY(!std::isfinite(editor.model()->eta(key)));

        // Anything counts as slow here: Start asks before training, and offers the preset.
        editor.setSlowQueueSeconds(0);
        QSignalSpy started(&controller, &TrainingController::started);
        QSignalSpy finished(&controller, &TrainingController::finished);
        QVERIFY(editor.start());
        QTRY_VERIFY_WITH_TIMEOUT(editor.slowMatrixPrompt() && editor.slowMatrixPrompt()->isVisible(), 60000);
        QCOMPARE(started.count(), 0); // nothing trains before the answer
        QMessageBox* prompt = editor.slowMatrixPrompt();
        QVERIFY(prompt->informativeText().contains(QStringLiteral("CPU preset")));
        auto* usePreset = prompt->findChild<QPushButton*>(QStringLiteral("usePreset"));
        QVERIFY(usePreset && usePreset->isVisible());
        usePreset->click();
        // The preset is applied as experiment slow-cpu and estimated; still "slow" here, so it asks again,
        // now without offering the preset it already has.
        QCOMPARE(editor.experimentName(), QStringLiteral("slow-cpu"));
        for (const rm::MatrixCell& c : editor.matrix().cells())
            QCOMPARE(c.config.view.width, 96);
        QTRY_VERIFY_WITH_TIMEOUT(editor.slowMatrixPrompt() && editor.slowMatrixPrompt()->isVisible() &&
                                     editor.slowMatrixPrompt() != prompt,
                                 60000);
        prompt = editor.slowMatrixPrompt();
        auto* again = prompt->findChild<QPushButton*>(QStringLiteral("usePreset"));
        QVERIFY(!again || !again->isVisible());
        auto* anyway = prompt->findChild<QPushButton*>(QStringLiteral("startAnyway"));
        QVERIFY(anyway);
        anyway->click();
        QTRY_COMPARE_WITH_TIMEOUT(started.count(), 1, 30000);
        QVERIFY(finished.count() == 1 || finished.wait(120000));
        QCOMPARE(finished.first().at(2).toString(), QString());
        bool trained = false;
        for (const rm::RunSummary& r : rm::listRuns(project.toStdString(), "slow-cpu"))
            trained = trained || (QString::fromStdString(r.cellKey) == key && r.state == "done");
        QVERIFY(trained);
        QVERIFY(rm::listRuns(project.toStdString(), "slow").empty() ||
                rm::listRuns(project.toStdString(), "slow").front().state != "done");
        // Back to the default matrix: the experiment is no longer the preset's.
        editor.resetToDefault();
        QCOMPARE(editor.experimentName(), QStringLiteral("slow"));
        editor.setSession(nullptr);
    }

    // A cross-validated cell says which fold it trains while it runs, and shows its CV AUC when done.
    void crossValidatedCellShowsFoldsAndCvAuc()
    {
        const QString project = demoProject();
        QVERIFY(!project.isEmpty());
        auto session = ProjectSession::open(project);
        TrainingController controller;
        MatrixEditor editor(&controller);
        editor.resize(1000, 500);
        editor.show();
        editor.setSession(session.get());
        rm::ExperimentMatrix m = tinyMatrix("cv");
        m.defaults["cv_folds"] = 3;
        editor.setMatrix(m);
        editor.setExperimentName(QStringLiteral("cv"));
        const QString key = QStringLiteral("demo/simple_cnn/all_layers");
        clickCell(editor.view(), 0, 2);
        QCOMPARE(editor.selectedCellKeys(), QStringList{key});
        QStringList shown;
        connect(&controller, &TrainingController::logMessage, this,
                [&] { shown << editor.model()->data(editor.model()->index(0, 2)).toString(); });
        QSignalSpy finished(&controller, &TrainingController::finished);
        editor.runSelectedAction()->trigger();
        QVERIFY(finished.wait(120000));
        QVERIFY2(shown.filter(QStringLiteral("cv fold 3/3")).size() > 0,
                 qPrintable(shown.join(QLatin1Char('|'))));
        const QString done = editor.model()->data(editor.model()->index(0, 2)).toString();
        QVERIFY2(done.contains(QStringLiteral("CV AUC")), qPrintable(done));
        QVERIFY(editor.model()->status(key).detail.isEmpty() || editor.model()->status(key).state == "done");
        editor.setSession(nullptr);
    }

    // Naming (or picking) an experiment the project has shows that experiment's stored matrix and its runs'
    // states; a cell whose process died shows "interrupted", never-started cells "not run".
    void experimentNameShowsItsOwnMatrix()
    {
        const QString project = demoProject();
        QVERIFY(!project.isEmpty());
        rm::ExperimentMatrix mine = tinyMatrix("mine");
        rm::ExperimentMatrix other = tinyMatrix("other");
        other.models.pop_back();
        other.defaults["epochs"] = 2;
        std::int64_t firstRun = 0;
        {
            rm::RunQueue q1(project.toStdString(), mine, "mine");
            rm::RunQueue q2(project.toStdString(), other, "other");
            auto store = rm::ProjectStore::open(project.toStdString());
            rm::RunStore runs(*store);
            firstRun = runs.listRuns("mine").front().id;
            runs.markRunning(firstRun, "cpu"); // and no process holds it
        }
        auto session = ProjectSession::open(project);
        TrainingController controller;
        MatrixEditor editor(&controller);
        editor.resize(1200, 500);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        editor.setSession(session.get());
        // The latest experiment comes up.
        QCOMPARE(editor.experimentName(), QStringLiteral("other"));
        QCOMPARE(editor.model()->columnCount(), 2);

        auto* name = editor.findChild<QLineEdit*>(QStringLiteral("experimentName"));
        QVERIFY(name);
        name->setFocus();
        name->selectAll();
        QTest::keyClicks(name, QStringLiteral("mine"));
        QTest::keyClick(name, Qt::Key_Return);
        QCOMPARE(editor.model()->columnCount(), 3);
        QCOMPARE(editor.matrix().defaults.value("epochs", 0), 1);
        MatrixGridModel* grid = editor.model();
        QCOMPARE(grid->index(0, 0).data(MatrixGridModel::StateRole).toString(),
                 QStringLiteral("interrupted"));
        QCOMPARE(grid->index(0, 1).data(MatrixGridModel::StateRole).toString(), QString()); // not started

        // An edit is kept when the field is left without a new name.
        editor.removeColumn(2);
        QCOMPARE(editor.model()->columnCount(), 2);
        Q_EMIT name->editingFinished();
        QCOMPARE(editor.model()->columnCount(), 2);

        // The picker lists the project's experiments, newest first.
        auto* picker = editor.findChild<QToolButton*>(QStringLiteral("experimentPicker"));
        QVERIFY(picker && picker->menu());
        Q_EMIT picker->menu()->aboutToShow();
        QStringList listed;
        for (QAction* a : picker->menu()->actions())
            listed << a->text();
        QVERIFY2(listed.indexOf(QStringLiteral("other")) >= 0 &&
                     listed.indexOf(QStringLiteral("mine")) >= 0 &&
                     listed.indexOf(QStringLiteral("other")) < listed.indexOf(QStringLiteral("mine")),
                 qPrintable(listed.join(',')));
        picker->menu()->actions().at(listed.indexOf(QStringLiteral("other")))->trigger();
        QCOMPARE(editor.experimentName(), QStringLiteral("other"));
        QCOMPARE(editor.model()->columnCount(), 2);
        QCOMPARE(editor.matrix().defaults.value("epochs", 0), 2);
        editor.setSession(nullptr);
    }

    void cellsShowStateAndAuc()
    {
        TrainingController controller;
        MatrixEditor editor(&controller);
        editor.resize(1200, 700);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        MatrixGridModel* grid = editor.model();
        const QString key = grid->index(0, 1).data(MatrixGridModel::CellKeyRole).toString();
        CellStatus done;
        done.state = QStringLiteral("done");
        done.runId = 7;
        done.valAuc = 0.912;
        grid->setStatus(key, done);
        QCOMPARE(grid->index(0, 1).data(MatrixGridModel::StateRole).toString(), QStringLiteral("done"));
        QCOMPARE(grid->index(0, 1).data(MatrixGridModel::ValAucRole).toDouble(), 0.912);
        QVERIFY(grid->index(0, 1).data().toString().contains(QStringLiteral("AUC 0.912")));
        QVERIFY(grid->index(0, 1).data(Qt::ToolTipRole).toString().contains(QStringLiteral("run 7")));
        CellStatus failed;
        failed.state = QStringLiteral("failed");
        failed.error = QStringLiteral("out of memory");
        grid->setStatus(grid->index(1, 1).data(MatrixGridModel::CellKeyRole).toString(), failed);
        QVERIFY(grid->index(1, 1).data(Qt::ToolTipRole).toString().contains(QStringLiteral("out of memory")));
        // The tile is painted in the state's colour.
        editor.view()->scrollTo(grid->index(1, 1));
        QVERIFY(editor.view()->viewport()->rect().contains(editor.view()->visualRect(grid->index(1, 1))));
        const QImage shot = editor.view()->viewport()->grab().toImage();
        const QRect tile = editor.view()->visualRect(grid->index(1, 1));
        const QColor pixel = shot.pixelColor(tile.left() + 8, tile.bottom() - 6);
        QVERIFY2(pixel.red() > pixel.green() + 20, qPrintable(pixel.name()));
    }
};

QTEST_MAIN(TestMatrixEditor)
#include "test_matrix_editor.moc"
