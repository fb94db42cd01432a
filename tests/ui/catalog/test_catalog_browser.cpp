// The catalog browser on real data (377 Galaxy Zoo DECaLS galaxies, a target set built from them) and on a
// million-row catalog: lazy pages, SQL sorting, the filter bar, the shared selection, and the timings.
#include "TimingBounds.h"
#include "UiTestSupport.h"

#include "catalog/CatalogBrowser.h"
#include "catalog/CatalogTableModel.h"
#include "cutouts/CutoutBrowser.h"
#include "cutouts/CutoutModel.h"
#include "cutouts/ThumbnailLoader.h"
#include "project/ProjectSession.h"
#include "selection/GalaxySelection.h"

#include <QComboBox>
#include <QHeaderView>
#include <QLineEdit>
#include <QListView>
#include <QTableView>

#include <algorithm>

using namespace rm::ui;

class TestCatalogBrowser : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_decals;

    static int column(const CatalogTableModel* model, const QString& name)
    {
        for (int c = 0; c < model->columnCount(); ++c)
            if (model->headerData(c, Qt::Horizontal).toString() == name) return c;
        return -1;
    }

    static void clickHeader(CatalogBrowser& browser, int section)
    {
        QHeaderView* header = browser.view()->horizontalHeader();
        browser.view()->scrollTo(browser.model()->index(0, section));
        const QPoint at(header->sectionViewportPosition(section) + header->sectionSize(section) / 2,
                        header->height() / 2);
        QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, at);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        uitest::isolateSettings(m_dir.filePath(QStringLiteral("settings")));
        RM_SHARED_DATA(labels, "images/gzdecals_ring470/labels.csv");
        RM_SHARED_DATA(buta, "catalogs/buta2017_table2.csv");
        m_decals = m_dir.filePath(QStringLiteral("decals.rmproj"));
        uitest::buildDecalsProject(m_decals.toStdString(), true, true);
    }

    void opensCatalogWithLazyPages()
    {
        auto session = ProjectSession::open(m_decals);
        GalaxySelection selection;
        CatalogBrowser browser(&selection);
        browser.resize(900, 600);
        browser.show();
        browser.setSession(session.get());
        CatalogTableModel* model = browser.model();
        QCOMPARE(browser.currentSourceName(), QStringLiteral("gzd")); // the catalog with images comes first
        QCOMPARE(model->rowCount(), 377);
        QCOMPARE(model->columnCount(), 2 + 6);     // _ra, _dec, then the CSV's six columns
        QCOMPARE(browser.sourceBox()->count(), 3); // gzd, buta, and the target set
        browser.grab();
        QVERIFY2(model->pagesRead() <= 2, qPrintable(QString::number(model->pagesRead())));
        QVERIFY(!model->isRowLoaded(376));
        QCOMPARE(model->index(0, column(model, "iauname")).data().toString(),
                 QStringLiteral("J001655.18-002739.1"));
        QCOMPARE(model->index(0, column(model, "_ra")).data().toString(), QStringLiteral("4.229917"));

        browser.view()->scrollToBottom();
        browser.grab();
        QVERIFY(model->isRowLoaded(376));
        QVERIFY2(model->pagesRead() <= 4, qPrintable(QString::number(model->pagesRead())));
    }

    void sortsBySql()
    {
        auto session = ProjectSession::open(m_decals);
        GalaxySelection selection;
        CatalogBrowser browser(&selection);
        browser.resize(900, 600);
        browser.show();
        browser.setSession(session.get());
        CatalogTableModel* model = browser.model();
        const int col = column(model, "featured_fraction");
        QVERIFY(col > 0);
        const rm::Table table =
            session->store().loadTable(session->store().catalog("gzd").id, {"featured_fraction"});
        const auto& values = table.columns[0].reals;
        const double lo = *std::min_element(values.begin(), values.end());
        const double hi = *std::max_element(values.begin(), values.end());

        QSignalSpy ready(model, &CatalogTableModel::viewReady);
        clickHeader(browser, col);
        QVERIFY(ready.wait(10000));
        QCOMPARE(model->sortColumn(), col);
        QCOMPARE(model->index(0, col).data(Qt::EditRole).toDouble(), lo);
        QCOMPARE(model->rowCount(), 377);

        clickHeader(browser, col);
        QVERIFY(ready.wait(10000));
        QCOMPARE(model->sortOrder(), Qt::DescendingOrder);
        QCOMPARE(model->index(0, col).data(Qt::EditRole).toDouble(), hi);
        QVERIFY(model->index(1, col).data(Qt::EditRole).toDouble() <= hi);

        clickHeader(browser, col); // third click: back to the catalog's order
        QTRY_COMPARE(model->sortColumn(), -1);
        QCOMPARE(model->headerData(0, Qt::Vertical).toString(), QStringLiteral("0"));
    }

    void filtersBySql()
    {
        auto session = ProjectSession::open(m_decals);
        GalaxySelection selection;
        CatalogBrowser browser(&selection);
        browser.resize(900, 600);
        browser.show();
        browser.setSession(session.get());
        CatalogTableModel* model = browser.model();
        QSignalSpy ready(model, &CatalogTableModel::viewReady);

        QVERIFY(browser.applyFilter(QStringLiteral("ring = 1")));
        QVERIFY(ready.wait(10000));
        QCOMPARE(model->rowCount(), 187); // the README: 187 ring, 190 not ring
        const int ring = column(model, "ring");
        for (int r = 0; r < model->rowCount(); r += 17)
            QCOMPARE(model->index(r, ring).data().toString(), QStringLiteral("1"));
        QVERIFY(browser.summaryText().contains(QStringLiteral("187 of 377")));

        // A malformed filter is refused with a message naming the token; the view stays as it was.
        QVERIFY(!browser.applyFilter(QStringLiteral("ring = = 1")));
        QVERIFY2(browser.errorText().contains(QStringLiteral("'=' at character 8")),
                 qPrintable(browser.errorText()));
        QCOMPARE(model->rowCount(), 187);
        QCOMPARE(model->filter(), QStringLiteral("ring = 1"));
        QVERIFY(!browser.applyFilter(QStringLiteral("rings = 1")));
        QVERIFY2(browser.errorText().contains(QStringLiteral("unknown column 'rings'")),
                 qPrintable(browser.errorText()));
        QCOMPARE(model->rowCount(), 187);

        // Typed into the bar, applied with Enter.
        const rm::Table t =
            session->store().loadTable(session->store().catalog("gzd").id, {"ring", "featured_fraction"});
        int expected = 0;
        for (std::size_t i = 0; i < t.rowCount(); ++i)
            expected += t.columns[0].integers[i] == 1 && t.columns[1].reals[i] > 0.5;
        browser.filterEdit()->clear();
        QTest::keyClicks(browser.filterEdit(), QStringLiteral("featured_fraction > 0.5 and ring = 1"));
        QTest::keyClick(browser.filterEdit(), Qt::Key_Return);
        QVERIFY(ready.wait(10000));
        QCOMPARE(model->rowCount(), expected);
        QVERIFY(browser.errorText().isEmpty());

        QVERIFY(browser.applyFilter(QString()));
        QCOMPARE(model->rowCount(), 377); // the natural view needs no query
    }

    void sharesTheSelection()
    {
        auto session = ProjectSession::open(m_decals);
        GalaxySelection selection;
        CatalogBrowser browser(&selection);
        browser.resize(900, 600);
        browser.show();
        browser.setSession(session.get());
        const qint64 gzd = session->store().catalog("gzd").id;
        const rm::CatalogPositions positions = session->store().positions(gzd);
        QSignalSpy changed(&selection, &GalaxySelection::changed);
        QSignalSpy current(&selection, &GalaxySelection::currentChanged);

        QTableView* view = browser.view();
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {},
                          view->visualRect(browser.model()->index(2, 3)).center());
        QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::ShiftModifier,
                          view->visualRect(browser.model()->index(4, 3)).center());
        QTRY_COMPARE(selection.galaxies().size(), 3);
        QVERIFY(current.count() >= 1);
        const SelectedGalaxy& g = selection.galaxies()[1];
        QCOMPARE(g.id, (GalaxyId{gzd, 3}));
        QCOMPARE(g.ra, positions.ra[3]);
        QCOMPARE(g.dec, positions.dec[3]);
        QCOMPARE(selection.current()->id, (GalaxyId{gzd, 4}));

        // Another panel moves the current galaxy: the table follows without changing its selection.
        selection.setCurrent(SelectedGalaxy{{gzd, 300}}, this);
        QCOMPARE(view->currentIndex().row(), 300);
        QCOMPARE(selection.galaxies().size(), 3);
    }

    void listsTargetSets()
    {
        auto session = ProjectSession::open(m_decals);
        GalaxySelection selection;
        CatalogBrowser browser(&selection);
        browser.resize(900, 600);
        browser.show();
        browser.setSession(session.get());
        CatalogTableModel* model = browser.model();
        const rm::TargetSetReport report = rm::targetSetReport(session->store(), "gzd_balanced");

        QSignalSpy ready(model, &CatalogTableModel::viewReady);
        QVERIFY(browser.showSource(QStringLiteral("gzd_balanced")));
        QVERIFY(ready.wait(10000));
        QCOMPARE(model->rowCount(), int(report.total()));
        for (const char* name : {"catalog", "row", "label", "split", "origin"})
            QVERIFY2(column(model, name) >= 0, name);
        QCOMPARE(model->index(0, column(model, "catalog")).data().toString(), QStringLiteral("gzd"));
        // Its galaxies are rows of their catalogs, as everywhere else.
        QCOMPARE(model->galaxyAt(0).catalogId, session->store().catalog("gzd").id);

        QVERIFY(browser.applyFilter(QStringLiteral("split = 'test' and label = 1")));
        QVERIFY(ready.wait(10000));
        QCOMPARE(model->rowCount(), int(report.counts[rm::Test][1]));
    }

    void millionRowsStaySmooth()
    {
        const QString path = m_dir.filePath(QStringLiteral("million.rmproj"));
        constexpr std::size_t kRows = 1000000;
        QElapsedTimer timer;
        timer.start();
        {
            auto store = rm::ProjectStore::create(path.toStdString());
            store->addCatalog("million", uitest::millionRowCatalog(kRows), rm::CatalogRole::Parent);
        }
        qInfo("made the 1,000,000-row catalog in %.2f s", timer.elapsed() / 1000.0);

        GalaxySelection selection;
        CatalogBrowser browser(&selection);
        browser.resize(1000, 700);
        browser.show();
        timer.restart();
        auto session = ProjectSession::open(path);
        browser.setSession(session.get());
        browser.grab(); // painted: the first page is read
        const double openSeconds = timer.elapsed() / 1000.0;
        CatalogTableModel* model = browser.model();
        qInfo("1M-row catalog: opened and first page shown in %.3f s (%d page(s) read)", openSeconds,
              model->pagesRead());
        QCOMPARE(model->rowCount(), int(kRows));
        QVERIFY2(openSeconds < rmtest::timeBound(2.0),
                 qPrintable(QStringLiteral("opening took %1 s").arg(openSeconds)));
        QVERIFY(model->pagesRead() <= 2);

        timer.restart();
        browser.view()->scrollToBottom();
        browser.grab();
        const double endSeconds = timer.elapsed() / 1000.0;
        qInfo("1M-row catalog: scrolled to the end in %.3f s, %d page(s) read in all", endSeconds,
              model->pagesRead());
        QVERIFY(model->isRowLoaded(int(kRows) - 1));
        QVERIFY2(model->pagesRead() <= 4, qPrintable(QString::number(model->pagesRead())));
        QCOMPARE(model->index(int(kRows) - 1, column(model, "name")).data().toString(),
                 QStringLiteral("G1999999"));
        QVERIFY2(endSeconds < rmtest::timeBound(1.0), qPrintable(QString::number(endSeconds)));

        // Sort by z (descending) through the header: one background query, the GUI stays free.
        QSignalSpy ready(model, &CatalogTableModel::viewReady);
        const int z = column(model, "z");
        timer.restart();
        clickHeader(browser, z);
        clickHeader(browser, z);
        QVERIFY(ready.wait(60000));
        if (model->sortOrder() != Qt::DescendingOrder) QVERIFY(ready.wait(60000));
        browser.grab();
        qInfo("1M-row catalog: sorted by z in %.2f s (query %.2f s)", timer.elapsed() / 1000.0,
              model->lastQuerySeconds());
        QCOMPARE(model->sortOrder(), Qt::DescendingOrder);
        double zMax = 0;
        for (std::size_t i = 0; i < kRows; ++i)
            zMax = std::max(zMax, uitest::millionZ(i));
        QCOMPARE(model->index(0, z).data(Qt::EditRole).toDouble(), zMax);

        int expected = 0;
        for (std::size_t i = 0; i < kRows; ++i)
            expected += uitest::millionZ(i) < 0.003 && i % 10 == 0;
        timer.restart();
        QVERIFY(browser.applyFilter(QStringLiteral("z < 0.003 and note != ''")));
        QVERIFY(ready.wait(60000));
        qInfo("1M-row catalog: filtered to %d rows in %.2f s", model->rowCount(), timer.elapsed() / 1000.0);
        QCOMPARE(model->rowCount(), expected);

        // The whole natural view in the cutout grid (capped at 100,000): only what is painted is asked for.
        QVERIFY(browser.applyFilter(QString()));
        browser.view()->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
        model->setView(QString(), -1, Qt::AscendingOrder);
        CutoutBrowser cutouts(&selection);
        cutouts.resize(1000, 700);
        cutouts.setSession(session.get());
        cutouts.show();
        timer.restart();
        cutouts.setViewGalaxies(model->viewGalaxies(CutoutBrowser::kMaxGalaxies), QStringLiteral("million"));
        cutouts.grab();
        const double gridSeconds = timer.elapsed() / 1000.0;
        const int asked = session->thumbnails().requestsMade();
        qInfo("cutout grid of %d galaxies: laid out and painted in %.3f s; %d image load(s) asked for",
              cutouts.model()->rowCount(), gridSeconds, asked);
        QCOMPARE(cutouts.model()->rowCount(), CutoutBrowser::kMaxGalaxies);
        QVERIFY2(gridSeconds < rmtest::timeBound(2.0), qPrintable(QString::number(gridSeconds)));
        QVERIFY2(asked < 200, qPrintable(QString::number(asked)));
        cutouts.view()->scrollToBottom();
        cutouts.grab();
        QVERIFY(session->thumbnails().requestsMade() < 400);
    }
};

QTEST_MAIN(TestCatalogBrowser)
#include "test_catalog_browser.moc"
