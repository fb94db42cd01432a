// Renders the workbench on the real Galaxy Zoo DECaLS cutouts project, as an astronomer would first see it
// after a few labels, to workbench.png beside this test (and into $RINGMINER_SCREENSHOT_DIR when set).
#include "UiTestSupport.h"

#include "MainWindow.h"
#include "app/Settings.h"
#include "app/Theme.h"
#include "catalog/CatalogBrowser.h"
#include "catalog/CatalogTableModel.h"
#include "cutouts/CutoutBrowser.h"
#include "cutouts/CutoutModel.h"
#include "cutouts/ThumbnailLoader.h"
#include "inspector/GalaxyInspector.h"
#include "inspector/ImageView.h"
#include "labels/LabelKeys.h"
#include "project/ProjectSession.h"
#include "sky/CrossMatcher.h"

#include <QListView>

using namespace rm::ui;

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

        // Every thumbnail in view decoded (each paint asks for what it shows).
        ThumbnailLoader& loader = w.session()->thumbnails();
        for (int round = 0; round < 3; ++round) {
            w.grab();
            QTRY_COMPARE_WITH_TIMEOUT(loader.pendingCount(), 0, 30000);
        }
        const QImage shot = w.grab().toImage();
        QVERIFY(!shot.isNull());
        const QString here =
            QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("workbench.png"));
        QVERIFY(shot.save(here));
        qInfo("screenshot: %s", qPrintable(here));
        const QString extra = qEnvironmentVariable("RINGMINER_SCREENSHOT_DIR");
        if (!extra.isEmpty()) {
            QDir().mkpath(extra);
            const QString there = QDir(extra).filePath(QStringLiteral("workbench.png"));
            QVERIFY(shot.save(there));
            qInfo("screenshot: %s", qPrintable(there));
        }
    }
};

QTEST_MAIN(TestScreenshot)
#include "test_screenshot.moc"
