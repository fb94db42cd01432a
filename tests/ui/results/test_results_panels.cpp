// The training-result panels on the real Galaxy Zoo DECaLS project with runs written straight into its
// tables (known metrics and predictions, no training): the comparison table (values, sorting by value, best
// marking, experiment filter, CSV / Markdown export, refresh), the misclassified gallery (content, order,
// click -> inspector, labelling from the gallery), the prediction badges and the inspector's per-run scores.
#include "RunFixtures.h"
#include "UiTestSupport.h"

#include "cutouts/CutoutBrowser.h"
#include "cutouts/CutoutModel.h"
#include "inspector/GalaxyInspector.h"
#include "labels/LabelKeys.h"
#include "project/ProjectSession.h"
#include "results/ComparisonExport.h"
#include "results/ComparisonModel.h"
#include "results/ComparisonPanel.h"
#include "results/GalleryGrid.h"
#include "results/MisclassifiedGallery.h"
#include "results/RunResults.h"
#include "selection/GalaxySelection.h"
#include "shell/MainWindow.h"
#include "store/LabelStore.h"
#include "training/RunStore.h"

#include <QComboBox>
#include <QTableView>
#include <QTreeWidget>

using namespace rm::ui;

namespace {
// Scores of the best run (r2, threshold 0.45) with planted mistakes.
constexpr double kThreshold2 = 0.45;
const std::vector<double> kTestFp = {0.97, 0.72, 0.4601}; // the first three test negatives
const std::vector<double> kTestFn = {0.02, 0.44};         // the first two test positives
constexpr double kValFp = 0.88;                           // the first val negative
} // namespace

class TestResultsPanels : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_project;
    std::vector<rm::Target> m_targets;
    qint64 m_r1 = 0, m_r2 = 0, m_r3 = 0, m_r4 = 0;
    std::vector<GalaxyId> m_fp, m_fn; // expected order
    GalaxyId m_valFp;
    QHash<GalaxyId, double> m_score1, m_score2;

    static QVector<qint64> runOrder(ComparisonPanel* panel)
    {
        QVector<qint64> ids;
        for (int r = 0; r < panel->proxy()->rowCount(); ++r)
            ids << panel->proxy()->index(r, 0).data(ComparisonModel::RunIdRole).toLongLong();
        return ids;
    }

    static std::vector<GalaxyId> galaxies(GalleryGrid* grid) { return grid->cutouts()->galaxies(); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        uitest::isolateSettings(m_dir.filePath(QStringLiteral("settings")));
        RM_SHARED_DATA(labels, "images/gzdecals_ring470/labels.csv");
        m_project = m_dir.filePath(QStringLiteral("results.rmproj"));
        uitest::buildDecalsProject(m_project.toStdString(), false, true);
        auto store = rm::ProjectStore::open(m_project.toStdString());
        m_targets = rm::loadTargets(*store, "gzd_balanced");
        QVERIFY(m_targets.size() > 300);

        uitest::FakeRun r1;
        r1.model = "resnet18";
        r1.epochs = 12;
        r1.metric("val", "roc_auc", 0.900, 0.85, 0.94);
        r1.metric("test", "roc_auc", 0.880, 0.82, 0.93);
        r1.metric("test", "pr_auc", 0.870, 0.80, 0.92);
        r1.metric("test", "accuracy", 0.81, 0.75, 0.86);
        r1.metric("test", "precision", 0.80);
        r1.metric("test", "recall", 0.83);
        r1.metric("test", "f1", 0.815);
        r1.metric("test", "threshold", 0.5);
        r1.predictions = uitest::predictionsFor(m_targets, [](std::size_t i, const rm::Target& t) {
            return t.label ? 0.6 + 0.001 * double(i % 100) : 0.3 + 0.001 * double(i % 100);
        });
        for (const auto& p : r1.predictions)
            m_score1.insert({p.catalogId, p.row}, p.score);
        m_r1 = uitest::insertRun(*store, r1);

        uitest::FakeRun r2 = r1;
        r2.model = "efficientnet_b0";
        r2.epochs = 9;
        r2.metrics.clear();
        r2.metric("val", "roc_auc", 0.950, 0.91, 0.98);
        r2.metric("test", "roc_auc", 0.860, 0.80, 0.91);
        r2.metric("test", "pr_auc", 0.850, 0.78, 0.90);
        r2.metric("test", "accuracy", 0.84);
        r2.metric("test", "precision", 0.90);
        r2.metric("test", "recall", 0.78);
        r2.metric("test", "f1", 0.835);
        r2.metric("test", "threshold", kThreshold2);
        std::size_t fp = 0, fn = 0;
        bool valFp = false;
        r2.predictions = uitest::predictionsFor(m_targets, [&](std::size_t i, const rm::Target& t) {
            const GalaxyId g{t.catalogId, t.row};
            if (t.split == rm::Test && t.label == 0 && fp < kTestFp.size()) {
                m_fp.push_back(g);
                return kTestFp[fp++];
            }
            if (t.split == rm::Test && t.label == 1 && fn < kTestFn.size()) {
                m_fn.push_back(g);
                return kTestFn[fn++];
            }
            if (t.split == rm::Val && t.label == 0 && !valFp) {
                valFp = true;
                m_valFp = g;
                return kValFp;
            }
            // Everything else right, near the threshold on the right side.
            return t.label ? 0.4501 + 0.0005 * double(i % 100) : 0.4499 - 0.0005 * double(i % 100);
        });
        for (const auto& p : r2.predictions)
            m_score2.insert({p.catalogId, p.row}, p.score);
        m_r2 = uitest::insertRun(*store, r2);

        uitest::FakeRun r3;
        r3.model = "simple_cnn";
        r3.state = "failed";
        r3.error = "CUDA out of memory";
        r3.epochs = 3;
        m_r3 = uitest::insertRun(*store, r3);

        uitest::FakeRun r4 = r1;
        r4.experiment = "grid";
        r4.model = "resnet50";
        r4.mode = "headonly";
        r4.epochs = 30;
        r4.metrics.clear();
        r4.metric("val", "roc_auc", 0.700);
        r4.metric("test", "roc_auc", 0.910, 0.86, 0.95);
        r4.metric("test", "pr_auc", 0.900);
        r4.metric("test", "accuracy", 0.80);
        r4.metric("test", "precision", 0.85);
        r4.metric("test", "recall", 0.90);
        r4.metric("test", "f1", 0.80);
        r4.metric("test", "threshold", 0.6);
        m_r4 = uitest::insertRun(*store, r4);
        QCOMPARE(m_fp.size(), kTestFp.size());
        QCOMPARE(m_fn.size(), kTestFn.size());
    }

    void comparisonTableShowsSortsAndMarks()
    {
        auto session = ProjectSession::open(m_project);
        ComparisonPanel panel;
        panel.resize(1400, 400);
        panel.show();
        panel.setSession(session.get());
        ComparisonModel* model = panel.model();
        QCOMPARE(model->rowCount(), 4);

        const int row1 = model->rowOfRun(m_r1), row2 = model->rowOfRun(m_r2), row3 = model->rowOfRun(m_r3),
                  row4 = model->rowOfRun(m_r4);
        auto cell = [model](int row, int column) { return model->index(row, column); };
        QCOMPARE(cell(row1, ComparisonModel::ValRocAuc).data().toString(),
                 QStringLiteral("0.900 [0.85, 0.94]"));
        QCOMPARE(cell(row1, ComparisonModel::TestPrAuc).data().toString(),
                 QStringLiteral("0.870 [0.80, 0.92]"));
        QCOMPARE(cell(row2, ComparisonModel::Precision).data().toString(), QStringLiteral("0.900")); // no CI
        QCOMPARE(cell(row3, ComparisonModel::TestRocAuc).data().toString(), QStringLiteral("—"));
        QCOMPARE(cell(row3, ComparisonModel::State).data().toString(), QStringLiteral("failed"));
        QCOMPARE(cell(row2, ComparisonModel::Model).data().toString(), QStringLiteral("efficientnet_b0"));
        QCOMPARE(cell(row2, ComparisonModel::Threshold).data().toString(), QStringLiteral("0.450"));
        QCOMPARE(cell(row4, ComparisonModel::Epochs).data().toString(), QStringLiteral("30"));
        QCOMPARE(cell(row4, ComparisonModel::Experiment).data().toString(), QStringLiteral("grid"));
        QCOMPARE(cell(row1, ComparisonModel::Device).data().toString(), QStringLiteral("cpu"));

        // Best per metric column: bold, a star, BestRole; only there.
        QVERIFY(cell(row2, ComparisonModel::ValRocAuc).data(ComparisonModel::BestRole).toBool());
        QVERIFY(cell(row2, ComparisonModel::ValRocAuc).data(Qt::FontRole).value<QFont>().bold());
        QVERIFY(!cell(row2, ComparisonModel::ValRocAuc).data(Qt::DecorationRole).value<QIcon>().isNull());
        QVERIFY(!cell(row1, ComparisonModel::ValRocAuc).data(ComparisonModel::BestRole).toBool());
        QVERIFY(cell(row4, ComparisonModel::TestRocAuc).data(ComparisonModel::BestRole).toBool());
        QVERIFY(cell(row2, ComparisonModel::F1).data(ComparisonModel::BestRole).toBool());
        QVERIFY(cell(row4, ComparisonModel::Recall).data(ComparisonModel::BestRole).toBool());
        QVERIFY(
            !cell(row4, ComparisonModel::Epochs).data(ComparisonModel::BestRole).toBool()); // not a metric

        // Sorting is by value; a run without the metric stays at the bottom both ways.
        panel.view()->sortByColumn(ComparisonModel::TestRocAuc, Qt::DescendingOrder);
        QCOMPARE(runOrder(&panel), (QVector<qint64>{m_r4, m_r1, m_r2, m_r3}));
        panel.view()->sortByColumn(ComparisonModel::TestRocAuc, Qt::AscendingOrder);
        QCOMPARE(runOrder(&panel), (QVector<qint64>{m_r2, m_r1, m_r4, m_r3}));
        // 3 < 9 < 12 < 30 as numbers (as text "12" < "3" < "30" < "9").
        panel.view()->sortByColumn(ComparisonModel::Epochs, Qt::AscendingOrder);
        QCOMPARE(runOrder(&panel), (QVector<qint64>{m_r3, m_r2, m_r1, m_r4}));

        // Filter by experiment: the best marks follow the rows shown.
        panel.setExperimentFilter(QStringLiteral("baseline"));
        QCOMPARE(model->rowCount(), 3);
        QCOMPARE(panel.experimentBox()->currentText(), QStringLiteral("baseline"));
        QVERIFY(model->index(model->rowOfRun(m_r1), ComparisonModel::TestRocAuc)
                    .data(ComparisonModel::BestRole)
                    .toBool());
        panel.setExperimentFilter(QString());
        QCOMPARE(model->rowCount(), 4);

        // Export what is shown, in the view's order.
        panel.view()->sortByColumn(ComparisonModel::ValRocAuc, Qt::DescendingOrder);
        const QString csvPath = m_dir.filePath(QStringLiteral("runs.csv"));
        const QString mdPath = m_dir.filePath(QStringLiteral("runs.md"));
        QString error;
        QVERIFY2(panel.exportCsv(csvPath, &error), qPrintable(error));
        QVERIFY2(panel.exportMarkdown(mdPath, &error), qPrintable(error));
        QFile csvFile(csvPath);
        QVERIFY(csvFile.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(csvFile.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 5);
        const QStringList header = lines[0].split(',');
        QVERIFY(header.contains(QStringLiteral("val_roc_auc_low")));
        const QStringList first = lines[1].split(',');
        QCOMPARE(first[header.indexOf(QStringLiteral("run"))].toLongLong(), m_r2); // highest val AUC first
        QCOMPARE(first[header.indexOf(QStringLiteral("val_roc_auc"))].toDouble(), 0.95);
        QCOMPARE(first[header.indexOf(QStringLiteral("val_roc_auc_low"))].toDouble(), 0.91);
        QCOMPARE(first[header.indexOf(QStringLiteral("test_roc_auc_high"))].toDouble(), 0.91);
        QCOMPARE(first[header.indexOf(QStringLiteral("model"))], QStringLiteral("efficientnet_b0"));
        const QStringList failed = lines[4].split(',');
        QCOMPARE(failed[header.indexOf(QStringLiteral("state"))], QStringLiteral("failed"));
        QVERIFY(failed[header.indexOf(QStringLiteral("test_roc_auc"))].isEmpty());
        QFile mdFile(mdPath);
        QVERIFY(mdFile.open(QIODevice::ReadOnly));
        const QString md = QString::fromUtf8(mdFile.readAll());
        QVERIFY(md.startsWith(QStringLiteral("| Run | Experiment |")));
        QVERIFY2(md.contains(QStringLiteral("**0.950** [0.91, 0.98]")), qPrintable(md));
        QVERIFY(md.contains(QStringLiteral("| 0.900 [0.85, 0.94] |")));
        QCOMPARE(md.count(QStringLiteral("\n| ")), 5); // the rule line and 4 runs

        // A run finishing elsewhere shows after a refresh (what the training side triggers).
        {
            auto store = rm::ProjectStore::open(m_project.toStdString());
            uitest::FakeRun r5;
            r5.experiment = "grid";
            r5.model = "resnet18";
            r5.state = "running";
            uitest::insertRun(*store, r5);
        }
        QSignalSpy changed(&session->results(), &RunResults::runsChanged);
        panel.refresh();
        QCOMPARE(changed.count(), 1);
        QCOMPARE(model->rowCount(), 5);
        session->store().db().prepare("DELETE FROM runs WHERE state = 'running'").run();
        panel.refresh();
        QCOMPARE(model->rowCount(), 4);
        panel.setSession(nullptr);
    }

    void galleryBadgesAndInspector()
    {
        MainWindow w;
        w.resize(1600, 1000);
        w.show();
        QVERIFY(w.openProject(m_project));
        auto* gallery = w.findChild<MisclassifiedGallery*>();
        auto* comparison = w.findChild<ComparisonPanel*>();
        QVERIFY(gallery && comparison);
        RunResults& results = w.session()->results();
        QCOMPARE(results.bestRunId(), m_r2);

        // The best run's mistakes on test, most confident first.
        QCOMPARE(gallery->shownRunId(), m_r2);
        QCOMPARE(galaxies(gallery->falsePositivesGrid()), m_fp);
        QCOMPARE(galaxies(gallery->falseNegativesGrid()), m_fn);
        const QModelIndex first = gallery->falsePositivesGrid()->cutouts()->index(0);
        QCOMPARE(first.data(CutoutModel::ScoreRole).toDouble(), double(float(kTestFp[0])));
        gallery->setIncludeVal(true);
        std::vector<GalaxyId> withVal = m_fp;
        withVal.insert(withVal.begin() + 1, m_valFp); // 0.97, 0.88 (val), 0.72, 0.46
        QCOMPARE(galaxies(gallery->falsePositivesGrid()), withVal);
        gallery->setIncludeVal(false);
        gallery->setRun(m_r1); // run 1 makes no mistake at 0.5
        QCOMPARE(gallery->falsePositivesGrid()->cutouts()->rowCount(), 0);
        QCOMPARE(gallery->falseNegativesGrid()->cutouts()->rowCount(), 0);
        gallery->setRun(0);
        QCOMPARE(gallery->shownRunId(), m_r2);

        // Badges on the main grid: the best run's scores, then the run picked in the comparison table.
        CutoutModel* grid = w.cutoutBrowser()->model();
        QVERIFY(grid->rowCount() > 0);
        const GalaxyId g0 = grid->galaxyAt(0);
        QCOMPARE(grid->index(0).data(CutoutModel::ScoreRole).toDouble(), double(float(m_score2.value(g0))));
        QCOMPARE(grid->index(0).data(CutoutModel::ScoreThresholdRole).toDouble(), kThreshold2);
        const int row1 =
            comparison->proxy()
                ->mapFromSource(comparison->model()->index(comparison->model()->rowOfRun(m_r1), 0))
                .row();
        comparison->view()->selectRow(row1);
        QCOMPARE(results.badgeRunId(), m_r1);
        QCOMPARE(grid->index(0).data(CutoutModel::ScoreRole).toDouble(), double(float(m_score1.value(g0))));
        QCOMPARE(gallery->shownRunId(), m_r1); // the gallery follows the pick unless told otherwise
        results.setBadgeRun(0);
        QCOMPARE(gallery->shownRunId(), m_r2);

        // Clicking a false positive shows it in the inspector, with its score in every finished run.
        GalleryGrid* fpGrid = gallery->falsePositivesGrid();
        QVERIFY(QTest::qWaitForWindowExposed(fpGrid->window()));
        const QRect rect = fpGrid->visualRect(fpGrid->cutouts()->index(1));
        QVERIFY(rect.isValid());
        QTest::mouseClick(fpGrid->viewport(), Qt::LeftButton, {}, rect.center());
        QCOMPARE(w.selection()->current()->id, m_fp[1]);
        QCOMPARE(w.inspector()->galaxy(), m_fp[1]);
        QTreeWidget* predictions = w.inspector()->predictionsTree();
        QCOMPARE(predictions->topLevelItemCount(),
                 3); // the three finished runs; the failed one scored nothing
        bool sawBest = false;
        for (int i = 0; i < predictions->topLevelItemCount(); ++i) {
            QTreeWidgetItem* item = predictions->topLevelItem(i);
            if (item->text(0) != QStringLiteral("#%1 efficientnet_b0/finetune").arg(m_r2)) continue;
            sawBest = true;
            QCOMPARE(item->text(1), QStringLiteral("test"));
            QCOMPARE(item->text(2), QStringLiteral("0.720"));
            QCOMPARE(item->text(3), QStringLiteral("ring"));
            QCOMPARE(item->text(4), QStringLiteral("not ring"));
        }
        QVERIFY(sawBest);

        // Label from the gallery: saved at once, and the next false positive comes up.
        fpGrid->setFocus();
        QTest::keyClick(fpGrid, Qt::Key_N);
        auto store = rm::ProjectStore::open(m_project.toStdString());
        rm::LabelStore labels(store->db());
        const auto saved = labels.current(m_fp[1].key());
        QVERIFY(saved.has_value());
        QCOMPARE(saved->label, rm::HandLabel::NotRing);
        QCOMPARE(fpGrid->currentGalaxy(), m_fp[2]);
        QCOMPARE(w.selection()->current()->id, m_fp[2]);
        QVERIFY(fpGrid->cutouts()->index(1).data(CutoutModel::LabelRole).isValid()); // its badge
    }
};

QTEST_MAIN(TestResultsPanels)
#include "test_results_panels.moc"
