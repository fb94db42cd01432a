// The sky actions of a galaxy, offscreen: the inspector's sky button menu and the context menus of the cutout
// grid and of a result gallery offer the four viewers and the copy actions; copying fills the clipboard, and
// opening goes to QDesktopServices, caught here by a URL handler (a test never starts a browser).
#include "UiTestSupport.h"

#include "cutouts/CutoutBrowser.h"
#include "cutouts/CutoutModel.h"
#include "inspector/GalaxyInspector.h"
#include "inspector/SkyMenu.h"
#include "labels/LabelKeys.h"
#include "project/ProjectSession.h"
#include "results/GalleryGrid.h"
#include "selection/GalaxySelection.h"
#include "sky/SkyLinks.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDesktopServices>
#include <QListView>
#include <QMenu>
#include <QUrlQuery>

#include <memory>

using namespace rm::ui;

// Receives what QDesktopServices::openUrl would have given the browser.
class UrlCatcher : public QObject
{
    Q_OBJECT
public:
    QList<QUrl> urls;
public Q_SLOTS:
    void open(const QUrl& url) { urls.append(url); }
};

namespace {

QAction* action(QMenu* menu, const char* name)
{
    for (QAction* a : menu->actions())
        if (a->objectName() == QLatin1String(name)) return a;
    return nullptr;
}

} // namespace

class TestSkyMenu : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_project;
    UrlCatcher m_catcher;

    // Checks a menu made for the galaxy at (ra, dec) whose IAU name is iau.
    void checkMenu(QMenu* menu, double ra, double dec, const QString& iau)
    {
        QVERIFY(menu);
        const char* viewers[] = {"openLegacySurveys", "openSdssNavigate", "openEsaSky", "openAladinLite"};
        const QStringList hosts{"www.legacysurvey.org", "skyserver.sdss.org", "sky.esa.int",
                                "aladin.cds.unistra.fr"};
        for (int i = 0; i < 4; ++i) {
            QAction* a = action(menu, viewers[i]);
            QVERIFY2(a, viewers[i]);
            QCOMPARE(a->data().toUrl().host(), hosts[i]);
        }
        const QUrl legacy = action(menu, "openLegacySurveys")->data().toUrl();
        QCOMPARE(QUrlQuery(legacy).queryItemValue("ra").toDouble(), std::round(ra * 1e6) / 1e6);
        QCOMPARE(QUrlQuery(legacy).queryItemValue("dec").toDouble(), std::round(dec * 1e6) / 1e6);

        // Opening goes through QDesktopServices: caught, not sent to a browser.
        m_catcher.urls.clear();
        action(menu, "openAladinLite")->trigger();
        QCOMPARE(m_catcher.urls.size(), 1);
        QCOMPARE(m_catcher.urls[0].host(), QString("aladin.cds.unistra.fr"));

        QClipboard* clipboard = QApplication::clipboard();
        action(menu, kCopySexagesimalAction)->trigger();
        QCOMPARE(clipboard->text(), QString::fromStdString(rm::formatSexagesimalPosition(ra, dec)));
        QVERIFY(clipboard->text().contains(':'));
        action(menu, kCopyDecimalAction)->trigger();
        QCOMPARE(clipboard->text(), QString::fromStdString(rm::formatDecimalPosition(ra, dec)));
        action(menu, kCopyIauNameAction)->trigger();
        QCOMPARE(clipboard->text(), iau);
    }

private Q_SLOTS:
    void initTestCase()
    {
        uitest::isolateSettings(m_dir.filePath("settings"));
        RM_SHARED_DATA(labels, "images/gzdecals_ring470/labels.csv");
        m_project = m_dir.filePath("sky.rmproj");
        uitest::buildDecalsProject(m_project.toStdString(), false);
        QDesktopServices::setUrlHandler("https", &m_catcher, "open");
    }
    void cleanupTestCase() { QDesktopServices::unsetUrlHandler("https"); }

    void plainMenu()
    {
        QMenu menu;
        addSkyActions(&menu, 150.1, 2.5);
        checkMenu(&menu, 150.1, 2.5, "J100024.00+023000.0");
    }

    // The real galaxies: the IAU name copied is the catalog's own iauname.
    void gridsAndInspector()
    {
        auto session = ProjectSession::open(m_project);
        QVERIFY(session);
        const auto gzd = session->store().catalog("gzd");
        GalaxySelection selection;
        std::vector<GalaxyId> galaxies;
        for (qint64 row = 0; row < 5; ++row)
            galaxies.push_back({gzd.id, row});
        const rm::Table names = session->store().loadTable(gzd.id, {"iauname"});
        const auto positions = session->store().positions(gzd.id);

        CutoutBrowser browser(&selection);
        browser.setSession(session.get());
        browser.setViewGalaxies(galaxies, "five");
        QTRY_VERIFY(browser.model()->rowCount() >= 5);
        {
            const QModelIndex index = browser.model()->index(2, 0);
            const GalaxyId id = index.data(CutoutModel::GalaxyRole).value<GalaxyId>();
            std::unique_ptr<QMenu> menu(browser.contextMenuFor(index));
            checkMenu(menu.get(), positions.ra[std::size_t(id.row)], positions.dec[std::size_t(id.row)],
                      QString::fromStdString(names.columns[0].texts[std::size_t(id.row)]));
            QVERIFY(!browser.contextMenuFor(QModelIndex())); // an empty spot has no menu
        }

        GalleryGrid gallery(&selection);
        gallery.setSession(session.get());
        gallery.setGalaxies(galaxies, {}, 0.5);
        QTRY_VERIFY(gallery.model()->rowCount() >= 5);
        {
            const QModelIndex index = gallery.model()->index(4, 0);
            const GalaxyId id = index.data(CutoutModel::GalaxyRole).value<GalaxyId>();
            std::unique_ptr<QMenu> menu(gallery.contextMenuFor(index));
            checkMenu(menu.get(), positions.ra[std::size_t(id.row)], positions.dec[std::size_t(id.row)],
                      QString::fromStdString(names.columns[0].texts[std::size_t(id.row)]));
        }

        LabelKeys keys(&selection);
        GalaxyInspector inspector(&selection, &keys);
        inspector.setSession(session.get());
        SelectedGalaxy g;
        g.id = galaxies[1];
        selection.setCurrent(g, nullptr);
        QTRY_VERIFY(inspector.skyMenu()->actions().size() >= 7);
        checkMenu(inspector.skyMenu(), positions.ra[1], positions.dec[1],
                  QString::fromStdString(names.columns[0].texts[1]));
    }
};

QTEST_MAIN(TestSkyMenu)
#include "test_sky_menu.moc"
