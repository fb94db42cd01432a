// Renders the workbench on the real Galaxy Zoo DECaLS cutouts project, as an astronomer would first see it
// after a few labels, to workbench.png beside this test (and into $RINGMINER_SCREENSHOT_DIR when set); and
// the same project with four finished runs (scores made up, metrics computed from them by core) showing the
// run comparison table and the misclassified gallery, to results.png; and the built-in demo project (a
// small synthetic survey from `ringminer-cli demo make`) as it opens on a first start, to demo.png.
#include "RunFixtures.h"
#include "UiTestSupport.h"

#include "catalog/CatalogBrowser.h"
#include "catalog/CatalogTableModel.h"
#include "cutouts/CutoutBrowser.h"
#include "cutouts/CutoutModel.h"
#include "cutouts/ThumbnailLoader.h"
#include "inspector/GalaxyInspector.h"
#include "inspector/ImageView.h"
#include "labels/LabelController.h"
#include "labels/LabelKeys.h"
#include "project/ProjectSession.h"
#include "results/ComparisonModel.h"
#include "results/ComparisonPanel.h"
#include "results/MisclassifiedGallery.h"
#include "shell/MainWindow.h"
#include "shell/Settings.h"
#include "shell/Theme.h"
#include "sky/CrossMatcher.h"
#include "store/LabelStore.h"
#include "training/Metrics.h"

#include <QDockWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>

#include <QListView>

using namespace rm::ui;

namespace {

void saveShot(const QImage& shot, const QString& name)
{
    QVERIFY(!shot.isNull());
    const QString here = QDir(QCoreApplication::applicationDirPath()).filePath(name);
    QVERIFY(shot.save(here));
    qInfo("screenshot: %s", qPrintable(here));
    const QString extra = qEnvironmentVariable("RINGMINER_SCREENSHOT_DIR");
    if (!extra.isEmpty()) {
        QDir().mkpath(extra);
        QVERIFY(shot.save(QDir(extra).filePath(name)));
    }
}

// A classifier's scores: the class pushed apart by `separation`, blurred by a per-galaxy pseudo-random term.
double fakeScore(std::size_t i, int label, double separation, std::uint64_t seed)
{
    auto uniform = [](std::uint64_t h) {
        h ^= h >> 31;
        h *= 0x94D049BB133111EBull;
        h ^= h >> 29;
        return double(h % 100000) / 100000.0;
    };
    const std::uint64_t h = (i + 1) * 0x9E3779B97F4A7C15ull ^ seed * 0xBF58476D1CE4E5B9ull;
    const double noise = uniform(h) + uniform(h * 31 + 7) - 1.0; // triangular, -1 .. 1
    const double logit = (label ? separation : -separation) + 4.0 * noise;
    return 1.0 / (1.0 + std::exp(-logit));
}

// A done run whose metrics are what core computes from its scores (threshold chosen on val, bootstrap CIs
// on test), as the run queue records them.
uitest::FakeRun scoredRun(const std::vector<rm::Target>& targets, const std::string& experiment,
                          const std::string& model, const std::string& mode, double separation,
                          std::uint64_t seed, int epochs)
{
    uitest::FakeRun run;
    run.experiment = experiment;
    run.model = model;
    run.mode = mode;
    run.epochs = epochs;
    run.device = "cpu";
    run.predictions = uitest::predictionsFor(
        targets, [&](std::size_t i, const rm::Target& t) { return fakeScore(i, t.label, separation, seed); });
    std::map<std::string, std::pair<std::vector<int>, std::vector<float>>> split;
    for (const auto& p : run.predictions) {
        split[p.split].first.push_back(p.label);
        split[p.split].second.push_back(float(p.score));
    }
    const auto& val = split["val"];
    const double threshold = rm::chooseThreshold(val.first, val.second);
    const auto valMetrics = rm::computeMetrics(val.first, val.second, threshold);
    for (const auto& [name, value] : valMetrics.values)
        run.metric("val", name, value);
    run.metric("val", "threshold", threshold);
    const auto& test = split["test"];
    for (const auto& [name, m] : rm::bootstrapMetrics(test.first, test.second, threshold, 300, seed))
        run.metric("test", name, m.value, m.low, m.high);
    run.metric("test", "threshold", threshold);
    return run;
}

} // namespace

class TestScreenshot : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        uitest::isolateSettings(m_dir.filePath(QStringLiteral("settings")));
        RM_SHARED_DATA(labels, "images/gzdecals_ring470/labels.csv");
        RM_SHARED_DATA(buta, "catalogs/buta2017_table2.csv");
    }

    void rendersTheWorkbench()
    {
        const QString project = m_dir.filePath(QStringLiteral("gzdecals-rings.rmproj"));
        uitest::buildDecalsProject(project.toStdString(), true, true);
        applyTheme(true);
        settings::author.set(QStringLiteral("astronomer"));
        MainWindow w;
        w.resize(1680, 1000);
        w.show();
        QVERIFY(w.openProject(project));

        // Rings first, the way one reviews a candidate list; then a few labels so the badges show.
        QSignalSpy ready(w.catalogBrowser()->model(), &CatalogTableModel::viewReady);
        QVERIFY(w.catalogBrowser()->applyFilter(QStringLiteral("ring = 1")));
        QVERIFY(ready.wait(10000));
        CutoutBrowser* cutouts = w.cutoutBrowser();
        QListView* view = cutouts->view();
        cutouts->setThumbnailSize(150);
        // Show a galaxy that Buta 2017 also lists, so the inspector has a cross-match, after labelling the
        // six before it from the keyboard so their badges show.
        auto store = rm::ProjectStore::open(project.toStdString());
        const auto gzd = store->catalog("gzd"), buta = store->catalog("buta");
        const auto a = store->positions(gzd.id), b = store->positions(buta.id);
        rm::SkyIndex index(b.ra, b.dec);
        int shown = -1;
        for (int i = 8; i < cutouts->model()->rowCount() && shown < 0; ++i) {
            const GalaxyId g = cutouts->model()->galaxyAt(i);
            if (!index.within(a.ra[std::size_t(g.row)], a.dec[std::size_t(g.row)], 3.0).empty()) shown = i;
        }
        QVERIFY(shown >= 0);
        w.labelKeys()->setAdvanceAfterLabel(true);
        QVERIFY(cutouts->showGalaxy(cutouts->model()->galaxyAt(shown - 6)));
        for (int key : {Qt::Key_R, Qt::Key_2, Qt::Key_N, Qt::Key_U, Qt::Key_1, Qt::Key_R})
            QTest::keyClick(view, Qt::Key(key));
        QCOMPARE(cutouts->currentGalaxy(), cutouts->model()->galaxyAt(shown));
        QVERIFY(cutouts->showGalaxy(cutouts->model()->galaxyAt(shown)));
        QTRY_VERIFY_WITH_TIMEOUT(w.inspector()->neighbourCount() > 0, 20000);
        w.labelKeys()->setAdvanceAfterLabel(false);
        QTest::keyClick(view, Qt::Key_2); // an outer ring, so the inspector shows a label too
        QTRY_VERIFY_WITH_TIMEOUT(w.inspector()->imageView()->hasImage(), 20000);

        // Each key stored its label in the project (read back on a connection of its own), U as unsure.
        {
            struct Expected
            {
                rm::HandLabel label;
                const char* ringType;
            };
            const std::vector<Expected> expected = {
                {rm::HandLabel::Ring, ""},     {rm::HandLabel::Ring, "outer"}, {rm::HandLabel::NotRing, ""},
                {rm::HandLabel::Unsure, ""},   {rm::HandLabel::Ring, "inner"}, {rm::HandLabel::Ring, ""},
                {rm::HandLabel::Ring, "outer"}};
            auto reread = rm::ProjectStore::open(project.toStdString());
            rm::LabelStore stored(reread->db());
            QCOMPARE(stored.allCurrent().size(), expected.size());
            for (std::size_t k = 0; k < expected.size(); ++k) {
                const GalaxyId g = cutouts->model()->galaxyAt(shown - 6 + int(k));
                const auto label = stored.current(g.key());
                QVERIFY2(label.has_value(), qPrintable(QStringLiteral("galaxy %1 has no label").arg(k)));
                QCOMPARE(int(label->label), int(expected[k].label));
                QCOMPARE(label->ringType, std::string(expected[k].ringType));
                QCOMPARE(int(w.session()->labels().current(g)->label), int(expected[k].label)); // the badges
                const auto history = stored.history(g.key());
                QCOMPARE(history.size(), std::size_t(1));
                QCOMPARE(history.front().author, std::string("astronomer"));
            }
            QCOMPARE(std::string(rm::handLabelName(
                         stored.current(cutouts->model()->galaxyAt(shown - 3).key())->label)),
                     std::string("unsure"));
        }

        // Every thumbnail in view decoded (each paint asks for what it shows).
        ThumbnailLoader& loader = w.session()->thumbnails();
        for (int round = 0; round < 3; ++round) {
            w.grab();
            QTRY_COMPARE_WITH_TIMEOUT(loader.pendingCount(), 0, 30000);
        }
        saveShot(w.grab().toImage(), QStringLiteral("workbench.png"));
    }

    void rendersTheDemoProject()
    {
        const QString dir = m_dir.filePath(QStringLiteral("demo"));
        const auto made =
            rmtest::runCli({QStringLiteral("demo"), QStringLiteral("make"), dir, QStringLiteral("--rings"),
                            QStringLiteral("20"), QStringLiteral("--non-rings"), QStringLiteral("20"),
                            QStringLiteral("--size"), QStringLiteral("128")});
        QVERIFY2(made.exitCode == 0, qPrintable(made.err + made.out));
        applyTheme(true);
        MainWindow w;
        w.resize(1680, 1000);
        w.show();
        QVERIFY(w.openProject(QDir(dir).filePath(QStringLiteral("demo.rmproj"))));
        CutoutBrowser* cutouts = w.cutoutBrowser();
        QVERIFY(cutouts->model()->rowCount() > 0);
        cutouts->setThumbnailSize(150);
        QTRY_VERIFY_WITH_TIMEOUT(w.inspector()->imageView()->hasImage(), 20000);

        ThumbnailLoader& loader = w.session()->thumbnails();
        for (int round = 0; round < 3; ++round) {
            w.grab();
            QTRY_COMPARE_WITH_TIMEOUT(loader.pendingCount(), 0, 30000);
        }
        QVERIFY(!cutouts->model()->index(0).data(CutoutModel::ImageRole).value<QImage>().isNull());
        w.statusBar()->clearMessage();
        saveShot(w.grab().toImage(), QStringLiteral("demo.png"));
    }

    void rendersTheResults()
    {
        const QString project = m_dir.filePath(QStringLiteral("gzdecals-results.rmproj"));
        uitest::buildDecalsProject(project.toStdString(), false, true);
        {
            auto store = rm::ProjectStore::open(project.toStdString());
            const auto targets = rm::loadTargets(*store, "gzd_balanced");
            uitest::insertRun(*store, scoredRun(targets, "baseline", "simple_cnn", "scratch", 0.6, 1, 40));
            uitest::insertRun(*store, scoredRun(targets, "baseline", "resnet18", "finetune", 1.4, 2, 25));
            uitest::insertRun(*store,
                              scoredRun(targets, "baseline", "efficientnet_b0", "finetune", 1.9, 3, 18));
            uitest::insertRun(*store,
                              scoredRun(targets, "baseline", "efficientnet_b0", "headonly", 1.1, 4, 12));
            uitest::FakeRun failed;
            failed.model = "resnet50";
            failed.mode = "finetune";
            failed.state = "failed";
            failed.error = "not enough memory: 6.1 GiB asked for, 3.9 GiB free";
            failed.epochs = 2;
            uitest::insertRun(*store, failed);
        }
        applyTheme(true);
        MainWindow w;
        w.resize(1760, 1080);
        w.show();
        QVERIFY(w.openProject(project));

        // Comparison table and gallery side by side under the grid.
        auto* comparisonDock = w.findChild<QDockWidget*>(QStringLiteral("comparisonDock"));
        auto* galleryDock = w.findChild<QDockWidget*>(QStringLiteral("misclassifiedDock"));
        QVERIFY(comparisonDock && galleryDock);
        for (QDockWidget* d : w.findChildren<QDockWidget*>())
            if (d->objectName() != QLatin1String("catalogDock") &&
                d->objectName() != QLatin1String("inspectorDock") && d != comparisonDock && d != galleryDock)
                d->hide();
        // Out of their tab group, one above the other.
        w.removeDockWidget(comparisonDock);
        w.removeDockWidget(galleryDock);
        w.addDockWidget(Qt::BottomDockWidgetArea, comparisonDock, Qt::Vertical);
        w.addDockWidget(Qt::BottomDockWidgetArea, galleryDock, Qt::Vertical);
        comparisonDock->show();
        galleryDock->show();
        QTest::qWait(50); // the main window lays out its docks after this event
        w.resizeDocks({comparisonDock, galleryDock}, {230, 330}, Qt::Vertical);
        w.resizeDocks({w.findChild<QDockWidget*>(QStringLiteral("catalogDock"))}, {420}, Qt::Horizontal);
        auto* comparison = w.findChild<ComparisonPanel*>();
        auto* gallery = w.findChild<MisclassifiedGallery*>();
        QCOMPARE(comparison->model()->rowCount(), 5);
        comparison->view()->sortByColumn(ComparisonModel::TestRocAuc, Qt::DescendingOrder);
        QVERIFY(gallery->misclassified().falsePositives.size() > 2);
        w.cutoutBrowser()->setThumbnailSize(120);
        // Show a false positive in the inspector, as a reviewer would.
        const GalaxyId fp = gallery->misclassified().falsePositives.front().galaxy;
        SelectedGalaxy g;
        g.id = fp;
        w.selection()->setCurrent(g);
        QTRY_VERIFY_WITH_TIMEOUT(w.inspector()->imageView()->hasImage(), 20000);
        if (auto* tabs = w.inspector()->findChild<QTabWidget*>()) tabs->setCurrentIndex(tabs->count() - 1);

        ThumbnailLoader& loader = w.session()->thumbnails();
        for (int round = 0; round < 3; ++round) {
            w.grab();
            QTRY_COMPARE_WITH_TIMEOUT(loader.pendingCount(), 0, 30000);
        }
        QTest::qWait(50);
        QVERIFY(comparisonDock->geometry().top() > 0 &&
                galleryDock->geometry().top() > comparisonDock->geometry().top());
        w.statusBar()->clearMessage();
        saveShot(w.grab().toImage(), QStringLiteral("results.png"));
    }
};

QTEST_MAIN(TestScreenshot)
#include "test_screenshot.moc"
