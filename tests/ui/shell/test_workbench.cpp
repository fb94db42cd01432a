// The workbench end to end on the real Galaxy Zoo DECaLS cutouts: the project lifecycle, thumbnails decoded
// off the GUI thread, keyboard labelling saved at once (checked on a fresh connection and after reopening),
// the inspector, the first-start dock sizes on the demo project, and the remembered layout.
#include "UiTestSupport.h"
#include "shell/Settings.h"

#include "catalog/CatalogBrowser.h"
#include "catalog/CatalogTableModel.h"
#include "cutouts/CutoutBrowser.h"
#include "cutouts/CutoutModel.h"
#include "cutouts/ImageConvert.h"
#include "cutouts/ThumbnailLoader.h"
#include "inspector/GalaxyInspector.h"
#include "inspector/ImageView.h"
#include "labels/LabelController.h"
#include "labels/LabelKeys.h"
#include "project/ProjectSession.h"
#include "selection/GalaxySelection.h"
#include "shell/MainWindow.h"
#include "shell/WelcomePanel.h"
#include "sky/CrossMatcher.h"
#include "store/LabelStore.h"

#include <QAbstractButton>
#include <QDockWidget>
#include <QInputDialog>
#include <QListView>
#include <QSlider>
#include <QTreeWidget>
#include <QUrlQuery>

#include <fstream>

using namespace rm::ui;

class TestWorkbench : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_project;
    GalaxyId m_first, m_second;

    static QImage thumbnail(CutoutModel* model, int row)
    {
        return model->index(row).data(CutoutModel::ImageRole).value<QImage>();
    }

    static bool hasRealPixels(const QImage& image)
    {
        if (image.isNull()) return false;
        int lo = 255, hi = 0;
        const QImage grey = greyscaleMean(image);
        for (int y = 0; y < grey.height(); y += 7)
            for (int x = 0; x < grey.width(); x += 7) {
                lo = qMin(lo, int(grey.pixel(x, y) & 0xff));
                hi = qMax(hi, int(grey.pixel(x, y) & 0xff));
            }
        return hi - lo > 40; // a galaxy on a sky, not a flat placeholder
    }

    static QDockWidget* dock(MainWindow& w, const char* name)
    {
        return w.findChild<QDockWidget*>(QLatin1String(name));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        uitest::isolateSettings(m_dir.filePath(QStringLiteral("settings")));
        RM_SHARED_DATA(labels, "images/gzdecals_ring470/labels.csv");
        RM_SHARED_DATA(buta, "catalogs/buta2017_table2.csv");
        m_project = m_dir.filePath(QStringLiteral("decals.rmproj"));
        uitest::buildDecalsProject(m_project.toStdString(), true);
    }

    void welcomesWhenThereIsNothingToOpen()
    {
        MainWindow w;
        w.show();
        w.openAtStartup(); // no argument, no last project, no demo project in the test's data folder
        QVERIFY(w.showsWelcome());
        QVERIFY(!w.session());
        QVERIFY(!dock(w, "catalogDock")->isVisible());
        QVERIFY(w.welcomePanel()->isVisible());
    }

    void reportsProjectsThatCannotOpen()
    {
        MainWindow w;
        w.show();
        QSignalSpy errors(&w, &MainWindow::errorReported);
        const QString missing = m_dir.filePath(QStringLiteral("missing.rmproj"));
        QVERIFY(!w.openProject(missing));
        QCOMPARE(errors.count(), 1);
        QVERIFY2(w.lastError().contains(missing), qPrintable(w.lastError()));

        const QString junk = m_dir.filePath(QStringLiteral("junk.rmproj"));
        std::ofstream(junk.toStdString())
            << "not a database, only some text long enough to look like a file....";
        QVERIFY(!w.openProject(junk));
        QVERIFY2(w.lastError().contains(QStringLiteral("not a RingMiner project")),
                 qPrintable(w.lastError()));
        QVERIFY(w.showsWelcome()); // still usable, nothing half-open
    }

    void browsesThumbnailsAndLabelsByKeyboard()
    {
        MainWindow w;
        w.resize(1500, 900);
        w.show();
        QVERIFY(w.openProject(m_project));
        QVERIFY(!w.showsWelcome());
        CutoutBrowser* cutouts = w.cutoutBrowser();
        CutoutModel* model = cutouts->model();
        QCOMPARE(model->rowCount(), 377); // the catalog browser's whole view

        // Filter in the catalog browser: the grid follows.
        QSignalSpy ready(w.catalogBrowser()->model(), &CatalogTableModel::viewReady);
        QVERIFY(w.catalogBrowser()->applyFilter(QStringLiteral("ring = 1")));
        QVERIFY(ready.wait(10000));
        QCOMPARE(model->rowCount(), 187);

        QListView* view = cutouts->view();
        // Thumbnails arrive from the pool threads: a real decoded cutout, scaled to the thumbnail size.
        QTRY_VERIFY_WITH_TIMEOUT(!thumbnail(model, 0).isNull(), 20000);
        const QImage first = thumbnail(model, 0);
        QCOMPARE(first.size(),
                 QSize(ThumbnailLoader::kThumbnailEdge, ThumbnailLoader::kThumbnailEdge)); // 424 px source
        QVERIFY(hasRealPixels(first));
        const QImage grey = greyscaleMean(first);
        const QRgb c = first.pixel(128, 128);
        QCOMPARE(qGray(grey.pixel(128, 128)), (qRed(c) + qGreen(c) + qBlue(c) + 1) / 3);

        // Zoom and the models' greyscale view.
        cutouts->zoomSlider()->setValue(96);
        QCOMPARE(view->gridSize().width(), 96 + 10 + 4);
        cutouts->greyscaleButton()->click();
        QVERIFY(cutouts->greyscale());
        view->grab();
        cutouts->greyscaleButton()->click();
        QVERIFY(!cutouts->greyscale());

        // Click the first thumbnail, then label from the keyboard: R, N (each advances), Z undoes the N.
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(model->index(0)).center());
        m_first = model->galaxyAt(0);
        m_second = model->galaxyAt(1);
        QCOMPARE(w.selection()->current()->id, m_first);
        QCOMPARE(w.inspector()->galaxy(), m_first);

        QTest::keyClick(view, Qt::Key_R);
        QCOMPARE(cutouts->currentGalaxy(), m_second); // advanced
        QCOMPARE(model->index(0).data(CutoutModel::LabelRole).toInt(),
                 int(rm::HandLabel::Ring)); // badge at once
        QTest::keyClick(view, Qt::Key_N);
        QCOMPARE(model->index(1).data(CutoutModel::LabelRole).toInt(), int(rm::HandLabel::NotRing));
        QTest::keyClick(view, Qt::Key_Z);
        QVERIFY(!model->index(1).data(CutoutModel::LabelRole).isValid());
        QCOMPARE(cutouts->currentGalaxy(), m_second); // the undo brought us back to it
        QCOMPARE(w.inspector()->galaxy(), m_second);

        // Every label is already in the project: a fresh connection sees them.
        {
            auto store = rm::ProjectStore::open(m_project.toStdString());
            rm::LabelStore labels(store->db());
            const auto a = labels.current(m_first.key());
            QVERIFY(a.has_value());
            QCOMPARE(a->label, rm::HandLabel::Ring);
            QVERIFY(!labels.current(m_second.key()).has_value());
            const auto history = labels.history(m_second.key());
            QCOMPARE(history.size(), std::size_t(2));
            QCOMPARE(history[0].action, std::string("set"));
            QCOMPARE(history[1].action, std::string("undo"));
            QVERIFY(!history[0].author.empty());
        }

        // A ring type from the inspector's keyboard; it does not advance past the end of the label.
        w.labelKeys()->setAdvanceAfterLabel(false);
        QTest::keyClick(w.inspector(), Qt::Key_2);
        QCOMPARE(model->index(1).data(CutoutModel::RingTypeRole).toString(), QStringLiteral("outer"));
        QCOMPARE(w.inspector()->labelText(), QStringLiteral("ring (outer)"));
        QCOMPARE(w.inspector()->historyTree()->topLevelItemCount(), 3);
        // Arrow keys in the inspector move through the grid.
        QTest::keyClick(w.inspector(), Qt::Key_Right);
        QCOMPARE(cutouts->currentGalaxy(), model->galaxyAt(2));
        QTest::keyClick(view, Qt::Key_Space, Qt::ShiftModifier);
        QCOMPARE(cutouts->currentGalaxy(), m_second);

        // The inspector's large cutout is the full 424 px image.
        QTRY_VERIFY_WITH_TIMEOUT(w.inspector()->imageView()->hasImage(), 20000);
        QCOMPARE(w.inspector()->imageView()->image().size(), QSize(424, 424));
    }

    void reopeningKeepsTheLabels()
    {
        MainWindow w;
        w.resize(1500, 900);
        w.show();
        QVERIFY(w.openProject(m_project));
        CutoutModel* model = w.cutoutBrowser()->model();
        const int first = model->rowOf(m_first);
        const int second = model->rowOf(m_second);
        QVERIFY(first >= 0 && second >= 0);
        QCOMPARE(model->index(first).data(CutoutModel::LabelRole).toInt(), int(rm::HandLabel::Ring));
        QCOMPARE(model->index(second).data(CutoutModel::RingTypeRole).toString(), QStringLiteral("outer"));
        // Z in a new session, with no label of its own yet, undoes the current galaxy's latest change.
        QVERIFY(w.cutoutBrowser()->showGalaxy(m_second));
        QTest::keyClick(w.cutoutBrowser()->view(), Qt::Key_Z);
        QVERIFY(!model->index(second).data(CutoutModel::LabelRole).isValid());
    }

    void inspectorShowsRowsNeighboursAndSkyLink()
    {
        // A gzd galaxy that Buta 2017 also lists within 3 arcsec.
        auto store = rm::ProjectStore::open(m_project.toStdString());
        const auto gzd = store->catalog("gzd"), buta = store->catalog("buta");
        const auto a = store->positions(gzd.id), b = store->positions(buta.id);
        rm::SkyIndex index(b.ra, b.dec);
        qint64 row = -1;
        for (std::size_t i = 0; i < a.ra.size() && row < 0; ++i)
            if (!index.within(a.ra[i], a.dec[i], 3.0).empty()) row = qint64(i);
        QVERIFY2(row >= 0, "no gzd galaxy within 3 arcsec of a Buta ring");

        MainWindow w;
        w.resize(1500, 900);
        w.show();
        QVERIFY(w.openProject(m_project));
        QSignalSpy shown(w.inspector(), &GalaxyInspector::neighboursShown);
        QVERIFY(w.cutoutBrowser()->showGalaxy({gzd.id, row}));
        QCOMPARE(w.inspector()->galaxy(), (GalaxyId{gzd.id, row}));
        QVERIFY(shown.wait(20000));
        QVERIFY(w.inspector()->neighbourCount() >= 1);
        QTreeWidget* rows = w.inspector()->rowsTree();
        QVERIFY(rows->topLevelItemCount() >= 2);
        QVERIFY(rows->topLevelItem(0)->childCount() == int(gzd.columns.size()));
        QVERIFY2(rows->topLevelItem(1)->text(0).startsWith(QStringLiteral("buta, row")),
                 qPrintable(rows->topLevelItem(1)->text(0)));

        const QUrl url = w.inspector()->skyViewerUrl();
        QCOMPARE(url.host(), QStringLiteral("www.legacysurvey.org"));
        QCOMPARE(url.path(), QStringLiteral("/viewer"));
        const QUrlQuery q(url);
        QCOMPARE(q.queryItemValue(QStringLiteral("ra")).toDouble(),
                 std::round(a.ra[std::size_t(row)] * 1e6) / 1e6);
        QCOMPARE(q.queryItemValue(QStringLiteral("layer")), QStringLiteral("ls-dr10"));
        QCOMPARE(q.queryItemValue(QStringLiteral("zoom")), QStringLiteral("16"));
        QVERIFY(w.inspector()->skyViewerButton()->isEnabled()); // not clicked: tests never go online
    }

    void startsWithTheLastProject()
    {
        MainWindow w;
        w.openAtStartup();
        QVERIFY(w.session());
        QCOMPARE(w.session()->path(), QFileInfo(m_project).absoluteFilePath());
    }

    void firstStartKeepsTheBottomDocksLow()
    {
        // No saved layout: a fresh settings folder, as on a first start.
        uitest::isolateSettings(m_dir.filePath(QStringLiteral("settings-first-start")));
        const QString dir = m_dir.filePath(QStringLiteral("demo"));
        const auto made =
            rmtest::runCli({QStringLiteral("demo"), QStringLiteral("make"), dir, QStringLiteral("--rings"),
                            QStringLiteral("20"), QStringLiteral("--non-rings"), QStringLiteral("20"),
                            QStringLiteral("--size"), QStringLiteral("64"), QStringLiteral("--threads"),
                            QStringLiteral("1")});
        QVERIFY2(made.exitCode == 0, qPrintable(made.err + made.out));
        MainWindow w;
        w.resize(1600, 1000);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.openProject(QDir(dir).filePath(QStringLiteral("demo.rmproj"))));
        QTest::qWait(100); // the docks are sized after the event that opened the project

        // The docks in front: a tab group's hidden tabs keep stale geometry outside the window.
        int top = w.height(), bottomEdge = 0, shown = 0;
        for (QDockWidget* d : w.findChildren<QDockWidget*>())
            if (w.dockWidgetArea(d) == Qt::BottomDockWidgetArea && d->isVisible() && !d->isFloating() &&
                w.rect().contains(d->geometry())) {
                top = qMin(top, d->geometry().top());
                bottomEdge = qMax(bottomEdge, d->geometry().bottom());
                ++shown;
            }
        const int bottom = bottomEdge - top + 1;
        QVERIFY(shown >= 2); // the results/matrix tab group and the training monitor
        const int window = w.height(), central = w.centralWidget()->height();
        qInfo("first start: window %d px, bottom docks %d px (%.0f%%), cutout grid %d px", window, bottom,
              100.0 * bottom / window, central);
        QVERIFY2(bottom >= window * 20 / 100 && bottom <= window * 40 / 100,
                 qPrintable(QStringLiteral("bottom docks %1 of %2 px").arg(bottom).arg(window)));
        QVERIFY2(central > bottom,
                 qPrintable(QStringLiteral("grid %1 px, docks %2 px").arg(central).arg(bottom)));
        QVERIFY(w.cutoutBrowser()->view()->height() > window / 3);
        // The experiment matrix is the tab in front of its group: training is the next step on a new project.
        QVERIFY(w.rect().contains(dock(w, "matrixDock")->geometry()));
        QVERIFY(!w.rect().contains(dock(w, "comparisonDock")->geometry()));
    }

    void remembersTheLayout()
    {
        {
            MainWindow w;
            w.show();
            QVERIFY(w.openProject(m_project));
            QDockWidget* inspector = dock(w, "inspectorDock");
            QCOMPARE(w.dockWidgetArea(inspector), Qt::RightDockWidgetArea);
            w.addDockWidget(Qt::BottomDockWidgetArea, inspector);
            w.close();
        }
        MainWindow w;
        QCOMPARE(w.dockWidgetArea(dock(w, "inspectorDock")), Qt::BottomDockWidgetArea);
        w.show();
        QVERIFY(w.openProject(m_project));
        QVERIFY(dock(w, "inspectorDock")->isVisible());
        QVERIFY(dock(w, "catalogDock")->isVisible());
    }

    // With no name configured and no $USER, labels would be credited to "unknown": the workbench asks once,
    // without blocking, and the answer goes with every label after it.
    void asksForTheLabellersNameOnce()
    {
        const QByteArray user = qgetenv("USER"), username = qgetenv("USERNAME");
        qunsetenv("USER");
        qunsetenv("USERNAME");
        settings::author.set(QString());
        settings::authorAsked.set(false);
        GalaxyId galaxy;
        {
            MainWindow w;
            w.show();
            QVERIFY(w.openProject(m_project));
            auto* prompt = w.findChild<QInputDialog*>(QStringLiteral("authorPrompt"));
            QVERIFY(prompt);
            QVERIFY(prompt->isVisible());
            QVERIFY(!prompt->isModal());
            prompt->setTextValue(QStringLiteral("Ada Lovelace"));
            prompt->accept();
            QCOMPARE(w.session()->labels().author(), QStringLiteral("Ada Lovelace"));
            galaxy = w.cutoutBrowser()->model()->galaxyAt(5);
            QVERIFY(w.session()->labels().setLabel(galaxy, rm::HandLabel::Unsure));
            auto store = rm::ProjectStore::open(m_project.toStdString());
            const auto history = rm::LabelStore(store->db()).history(galaxy.key());
            QVERIFY(!history.empty());
            QCOMPARE(history.back().author, std::string("Ada Lovelace"));
            QVERIFY(w.session()->labels().undo(galaxy).has_value());
        }
        {
            MainWindow w;
            w.show();
            QVERIFY(w.openProject(m_project));
            QVERIFY(!w.findChild<QInputDialog*>(QStringLiteral("authorPrompt"))); // asked once
            QCOMPARE(w.session()->labels().author(), QStringLiteral("Ada Lovelace"));
        }
        if (!user.isNull()) qputenv("USER", user);
        if (!username.isNull()) qputenv("USERNAME", username);
    }
};

QTEST_MAIN(TestWorkbench)
#include "test_workbench.moc"
