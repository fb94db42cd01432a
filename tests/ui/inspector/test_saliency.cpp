// The inspector's saliency overlay, offscreen, on a demo project with a SimpleCNN and a profile_lr run
// trained by the CLI: G (the Saliency button) lays the badge run's Grad-CAM over the cutout, computed on a
// worker thread; another galaxy gets its own map; switching it off removes it; a feature-baseline run says
// why it has none instead of failing silently. The galleries (here the review queue's grid) do the same
// for every cutout shown.
#include "UiTestSupport.h"

#include "cutouts/CutoutBrowser.h"
#include "cutouts/CutoutModel.h"
#include "cutouts/ThumbnailLoader.h"
#include "inspector/GalaxyInspector.h"
#include "inspector/ImageView.h"
#include "inspector/SaliencyOverlay.h"
#include "project/ProjectSession.h"
#include "results/GalleryGrid.h"
#include "results/ReviewQueuePanel.h"
#include "results/RunResults.h"
#include "selection/GalaxySelection.h"
#include "shell/MainWindow.h"
#include "store/ProjectStore.h"
#include "targets/TargetSetBuilder.h"

#include <QAbstractButton>
#include <QListView>
#include <QTreeWidget>

#include <cmath>
#include <fstream>

using namespace rm::ui;

class TestSaliency : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_project;

    void select(MainWindow& w, std::size_t target)
    {
        auto store = rm::ProjectStore::open(m_project.toStdString());
        const rm::Target t = rm::loadTargets(*store, "demo").at(target);
        SelectedGalaxy g;
        g.id = GalaxyId{t.catalogId, t.row};
        w.selection()->setCurrent(g);
        QTRY_VERIFY_WITH_TIMEOUT(w.inspector()->imageView()->hasImage(), 20000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        RM_REQUIRE_IMAGE_DECODING();
        QVERIFY(m_dir.isValid());
        uitest::isolateSettings(m_dir.filePath(QStringLiteral("settings")));
        const auto made = rmtest::runCli({"demo", "make", m_dir.filePath("demo"), "--rings", "16",
                                          "--non-rings", "16", "--size", "48", "--threads", "1", "--json"});
        QVERIFY2(made.exitCode == 0, qPrintable(made.err));
        m_project = QDir::current().absoluteFilePath(made.json().value("project").toString());
        const QString matrix = m_dir.filePath("matrix.json");
        std::ofstream(matrix.toStdString())
            << R"({"name": "m", "target_sets": ["demo"], "modes": ["all_layers"],
          "models": [{"name": "cnn", "arch": "simple_cnn", "in_chans": 1},
                     {"name": "plr", "arch": "profile_lr", "in_chans": 3}],
          "defaults": {"image_size": 32, "epochs": 1, "batch_size": 8, "max_steps_per_epoch": 2,
                       "device": "cpu", "loader_threads": 1, "torch_threads": 1}})";
        const auto trained = rmtest::runCli({"train", m_project, "--matrix", matrix, "--json"});
        QVERIFY2(trained.exitCode == 0, qPrintable(trained.err));
    }

    void heatImageIsTranslucentWhereCold()
    {
        const QImage im = SaliencyOverlay::heatImage({0.0f, 0.25f, 1.0f, 0.5f}, 2, 2);
        QCOMPARE(im.size(), QSize(2, 2));
        QCOMPARE(qAlpha(im.pixel(0, 0)), 0);
        QVERIFY(qAlpha(im.pixel(0, 1)) > qAlpha(im.pixel(1, 0)));
        QVERIFY(qRed(im.pixel(0, 1)) > qBlue(im.pixel(0, 1))); // hot is red
    }

    void overlayFollowsTheGalaxyAndTheRun()
    {
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(w.openProject(m_project));
        RunResults& results = w.session()->results();
        qint64 cnn = 0, plr = 0;
        for (const RunRow& r : results.runs())
            (r.run.model == "cnn" ? cnn : plr) = r.run.id;
        QVERIFY(cnn > 0 && plr > 0);
        results.setBadgeRun(cnn);

        GalaxyInspector* inspector = w.inspector();
        select(w, 0);
        QVERIFY(!inspector->imageView()->hasOverlay());
        // G where the label keys work: the cutout grid and the inspector.
        QTest::keyClick(w.cutoutBrowser()->view(), Qt::Key_G);
        QVERIFY(inspector->saliencyButton()->isChecked());
        QTRY_VERIFY_WITH_TIMEOUT(inspector->imageView()->hasOverlay(), 60000);
        QCOMPARE(inspector->imageView()->overlay().size(), QSize(32, 32)); // the run's view
        QVERIFY2(inspector->saliencyNote().contains(QStringLiteral("Grad-CAM of #%1").arg(cnn)),
                 qPrintable(inspector->saliencyNote()));

        // Another galaxy: its own map arrives (the old one goes with the old cutout).
        const QImage first = inspector->imageView()->overlay();
        select(w, 20);
        QTRY_VERIFY_WITH_TIMEOUT(inspector->imageView()->hasOverlay(), 60000);
        QVERIFY(inspector->imageView()->overlay() != first);

        QTest::keyClick(inspector, Qt::Key_G);
        QVERIFY(!inspector->saliencyButton()->isChecked());
        QVERIFY(!inspector->imageView()->hasOverlay());
        QVERIFY(inspector->saliencyNote().isEmpty());

        // Without a profile_lr badge run the Features tab lists the baseline's features of the cutout.
        QCOMPARE(inspector->featuresTree()->topLevelItemCount(), 40);
        QCOMPARE(inspector->featuresTree()->topLevelItem(0)->text(0),
                 QStringLiteral("log_centre_brightness"));

        // The feature baseline has no feature map: the note says so. Its features come with their weights and
        // contributions, the logit first.
        results.setBadgeRun(plr);
        QCOMPARE(inspector->featuresTree()->topLevelItemCount(), 41);
        QVERIFY(inspector->featuresTree()->topLevelItem(0)->text(0).startsWith(QStringLiteral("ring logit")));
        double sum = inspector->featuresTree()->topLevelItem(0)->text(2).mid(5).toDouble(); // "bias x"
        for (int i = 1; i < 41; ++i)
            sum += inspector->featuresTree()->topLevelItem(i)->text(3).toDouble();
        QVERIFY(std::fabs(sum - inspector->featuresTree()->topLevelItem(0)->text(3).toDouble()) < 0.02);
        inspector->setSaliencyShown(true);
        QTRY_VERIFY_WITH_TIMEOUT(inspector->saliencyNote().contains(QStringLiteral("no feature map")), 60000);
        QVERIFY(!inspector->imageView()->hasOverlay());
    }

    void galleriesShowItToo()
    {
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(w.openProject(m_project));
        RunResults& results = w.session()->results();
        qint64 cnn = 0, plr = 0;
        for (const RunRow& r : results.runs())
            (r.run.model == "cnn" ? cnn : plr) = r.run.id;
        results.setBadgeRun(cnn);
        auto* queue = w.findChild<ReviewQueuePanel*>();
        queue->setMode(ReviewQueuePanel::NearThreshold);
        GalleryGrid* grid = queue->grid();
        QVERIFY(grid->cutouts()->rowCount() >= 30); // every demo galaxy the run scored
        for (const GalaxyId& id : grid->cutouts()->galaxies())
            w.session()->thumbnails().request(id);
        QTest::keyClick(grid, Qt::Key_G);
        QVERIFY(grid->saliencyShown());
        QTRY_COMPARE_WITH_TIMEOUT(grid->cutouts()->overlayCount(), grid->cutouts()->rowCount(), 120000);
        const QModelIndex first = grid->cutouts()->index(0);
        QCOMPARE(first.data(CutoutModel::OverlayRole).value<QImage>().size(), QSize(32, 32));
        grid->grab(); // the delegate paints the overlays without complaint

        // Another badge run: the maps go, and a feature model gives none (it says why).
        results.setBadgeRun(plr);
        QCOMPARE(grid->cutouts()->overlayCount(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(!grid->saliencyBusy(), 60000);
        QCOMPARE(grid->cutouts()->overlayCount(), 0);
        QTest::keyClick(grid, Qt::Key_G);
        QVERIFY(!grid->saliencyShown());
    }
};

QTEST_MAIN(TestSaliency)
#include "test_saliency.moc"
