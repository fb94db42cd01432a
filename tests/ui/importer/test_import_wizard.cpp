// File > Import… end to end on the real data: the Galaxy Zoo DECaLS labels.csv imported as a labelled catalog
// (positions found from its IAU names), its image folder checked live ("found 377 of 377 images") and stored,
// a cross-match with Buta 2017 showing the label conflicts, a target set built with its step counts; then the
// project store is checked for all of it. A malformed catalog shows its error located by file, row and
// column, and with "skip bad rows" imports the rest.
#include "UiTestSupport.h"

#include "cutouts/ImageSources.h"
#include "importer/CatalogImportPage.h"
#include "importer/CrossMatchPage.h"
#include "importer/ImageSourcePage.h"
#include "importer/ImportWizard.h"
#include "importer/JobStatusBar.h"
#include "importer/TargetSetPage.h"
#include "project/ProjectSession.h"
#include "shell/MainWindow.h"
#include "tasks/BackgroundJob.h"

#include <QAbstractButton>
#include <QAction>
#include <QMenuBar>
#include <QTableWidget>
#include <QTreeWidget>

#include <nlohmann/json.hpp>

using namespace rm::ui;

class TestImportWizard : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    static QString totalOf(QTreeWidget* splits)
    {
        const int n = splits->topLevelItemCount();
        return n ? splits->topLevelItem(n - 1)->text(3) : QString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        uitest::isolateSettings(m_dir.filePath(QStringLiteral("settings")));
    }

    void importsCatalogImagesMatchAndTargets()
    {
        RM_SHARED_DATA(labels, "images/gzdecals_ring470/labels.csv");
        RM_SHARED_DATA(buta, "catalogs/buta2017_table2.csv");
        const QString project = m_dir.filePath(QStringLiteral("wizard.rmproj"));
        {
            auto store = rm::ProjectStore::create(project.toStdString());
            // The second catalog of the cross-match, imported the CLI's way beforehand.
            store->addCatalog("buta", rm::importCatalog(buta), rm::CatalogRole::Rings);
        }
        QElapsedTimer timer;
        timer.start();
        ImportWizard wizard(project);
        wizard.show();
        QVERIFY(QTest::qWaitForWindowExposed(&wizard));
        QCOMPARE(wizard.currentId(), int(ImportWizard::CatalogPageId));

        // (a) the catalog: preview first, then Next stores it and moves on.
        CatalogImportPage* catalog = wizard.catalogPage();
        catalog->setFile(QString::fromStdString(labels));
        catalog->setCatalogName(QStringLiteral("gzd"));
        catalog->setRole(QStringLiteral("labelled"));
        catalog->setLabelColumn(QStringLiteral("ring"));
        catalog->preview();
        QVERIFY(wizard.job()->busy()); // on the worker, not here
        QVERIFY(wizard.job()->waitDone(20000));
        QVERIFY2(!catalog->status()->showsError(), qPrintable(catalog->status()->message()));
        QCOMPARE(catalog->detectedPosition(), QStringLiteral("iauname (IAU names)"));
        QVERIFY(catalog->previewTable()->rowCount() > 10);
        QCOMPARE(catalog->issuesTree()->topLevelItemCount(), 0);
        wizard.next();
        QVERIFY(wizard.job()->waitDone(20000));
        QVERIFY2(!catalog->status()->showsError(), qPrintable(catalog->status()->message()));
        QCOMPARE(catalog->importedCatalog(), QStringLiteral("gzd"));
        QCOMPARE(wizard.currentId(), int(ImportWizard::ImageSourcePageId));

        // (b) the image folder, checked live as it is typed in.
        ImageSourcePage* images = wizard.imageSourcePage();
        images->setCatalog(QStringLiteral("gzd"));
        images->setKind(QStringLiteral("folder"));
        images->setFolder(uitest::decalsImageDir(), QStringLiteral("{iauname}.png")); // they are JPEGs
        QTRY_VERIFY_WITH_TIMEOUT(images->foundImages() >= 0 && !wizard.job()->busy(), 20000);
        QVERIFY2(images->checkText().contains(QStringLiteral("found 0 of 377 images")),
                 qPrintable(images->checkText()));
        QVERIFY(images->checkText().contains(QStringLiteral("first missing")));
        images->setFolder(uitest::decalsImageDir(), QStringLiteral("{file}"));
        QTRY_VERIFY_WITH_TIMEOUT(images->foundImages() == 377 && !wizard.job()->busy(), 20000);
        QVERIFY2(images->checkText().contains(QStringLiteral("found 377 of 377 images")),
                 qPrintable(images->checkText()));
        wizard.next();
        QVERIFY(wizard.job()->waitDone(20000));
        QCOMPARE(wizard.currentId(), int(ImportWizard::CrossMatchPageId));

        // (c) cross-match with Buta 2017: the result stays on the page until Next again.
        CrossMatchPage* match = wizard.crossMatchPage();
        match->setCatalogs(QStringLiteral("gzd"), QStringLiteral("buta"));
        match->setRadius(5.0);
        wizard.next();
        QVERIFY(wizard.job()->waitDone(20000));
        QCOMPARE(wizard.currentId(), int(ImportWizard::CrossMatchPageId));
        qInfo("cross-match: %s", qPrintable(match->resultText()));
        QVERIFY2(match->resultText().contains(QStringLiteral("<b>75 of 377</b>")),
                 qPrintable(match->resultText()));
        QCOMPARE(match->conflictCount(), 21); // labelled ring=0 here, yet listed by Buta (README)
        wizard.next();
        QCOMPARE(wizard.currentId(), int(ImportWizard::TargetSetPageId));

        // (d) a target set from the labelled catalog.
        TargetSetPage* targets = wizard.targetSetPage();
        rm::TargetSetSpec spec;
        spec.name = "gzd_wizard";
        spec.labelled = "gzd";
        spec.seed = 7;
        targets->setSpec(spec);
        QCOMPARE(targets->spec().labelled, std::string("gzd"));
        wizard.button(QWizard::FinishButton)->click(); // builds; the report stays
        QVERIFY(wizard.job()->waitDone(30000));
        QVERIFY2(targets->built(), qPrintable(targets->status()->message()));
        QVERIFY(targets->stepsTree()->topLevelItemCount() >= 2);
        QCOMPARE(totalOf(targets->splitsTree()), QStringLiteral("377"));
        QVERIFY(wizard.isVisible());
        wizard.button(QWizard::FinishButton)->click();
        QVERIFY(!wizard.isVisible());
        QCOMPARE(wizard.result(), int(QDialog::Accepted));
        QVERIFY(wizard.changedProject());
        qInfo("wizard end to end: %lld ms", timer.elapsed());

        // All of it is in the project.
        auto store = rm::ProjectStore::open(project.toStdString());
        const rm::CatalogInfo gzd = store->catalog("gzd");
        QCOMPARE(gzd.rowCount, std::size_t(377));
        QCOMPARE(gzd.role, rm::CatalogRole::Labelled);
        QCOMPARE(gzd.labelColumn, std::string("ring"));
        const auto source = store->imageSourceSpec(gzd.id);
        QVERIFY(source.has_value());
        const auto sourceJson = nlohmann::json::parse(*source);
        QCOMPARE(sourceJson.at("template").get<std::string>(), std::string("{file}"));
        QCOMPARE(QDir(QString::fromStdString(sourceJson.at("dir").get<std::string>())),
                 QDir(uitest::decalsImageDir()));
        rm::Statement xm = store->db().prepare("SELECT count(*), max(matched_rows) FROM crossmatches");
        QVERIFY(xm.step());
        QCOMPARE(xm.integer(0), std::int64_t(1));
        QCOMPARE(xm.integer(1), std::int64_t(75));
        const rm::TargetSetReport report = rm::targetSetReport(*store, "gzd_wizard");
        QCOMPARE(report.total(), std::size_t(377));
        QCOMPARE(rm::targetSetSpec(*store, "gzd_wizard").seed, std::uint64_t(7));

        // The workbench shows the images through the stored source.
        MainWindow w;
        w.show();
        QVERIFY(w.openProject(project));
        QVERIFY(w.session()->imageSources().hasSource(gzd.id));
    }

    void malformedCatalogShowsWhereAndWhy()
    {
        const QString project = m_dir.filePath(QStringLiteral("bad.rmproj"));
        rm::ProjectStore::create(project.toStdString());
        const QString csv = m_dir.filePath(QStringLiteral("broken.csv"));
        {
            QFile f(csv);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(
                "name,ra,dec,z\nA,10.5,-5.25,0.01\nB,11.0,-5.5,0.02\nC,abc,-6.0,0.03\nD,12.0,-6.5,0.04\n");
        }
        ImportWizard wizard(project);
        wizard.show();
        CatalogImportPage* page = wizard.catalogPage();
        page->setFile(csv);
        page->preview();
        QVERIFY(wizard.job()->waitDone(10000));
        QVERIFY(page->status()->showsError());
        const QString message = page->status()->message();
        qInfo("error shown: %s", qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("broken.csv")) &&
                     message.contains(QStringLiteral("row 3")) && message.contains(QStringLiteral("'ra'")),
                 qPrintable(message));
        QVERIFY(message.contains(QStringLiteral("skip bad rows")));
        QCOMPARE(page->issuesTree()->topLevelItemCount(), 1);
        QCOMPARE(page->issuesTree()->topLevelItem(0)->text(1), QStringLiteral("3"));
        QCOMPARE(page->issuesTree()->topLevelItem(0)->text(2), QStringLiteral("ra"));
        // Next with Abort: the import fails the same way and nothing is stored.
        wizard.next();
        QVERIFY(wizard.job()->waitDone(10000));
        QCOMPARE(wizard.currentId(), int(ImportWizard::CatalogPageId));
        QVERIFY(page->status()->showsError());
        QVERIFY(!rm::ProjectStore::open(project.toStdString())->hasCatalog("broken"));

        // Skip bad rows: the other three are imported, the bad one listed.
        page->setSkipBadRows(true);
        page->preview();
        QVERIFY(wizard.job()->waitDone(10000));
        QVERIFY2(!page->status()->showsError(), qPrintable(page->status()->message()));
        QCOMPARE(page->issuesTree()->topLevelItemCount(), 1);
        QCOMPARE(page->previewTable()->rowCount(), 3);
        QCOMPARE(page->detectedPosition(), QStringLiteral("ra / dec (degrees)"));
        wizard.next();
        QVERIFY(wizard.job()->waitDone(10000));
        QCOMPARE(wizard.currentId(), int(ImportWizard::ImageSourcePageId));
        QCOMPARE(rm::ProjectStore::open(project.toStdString())->catalog("broken").rowCount, std::size_t(3));
    }

    void opensFromTheFileMenu()
    {
        const QString project = m_dir.filePath(QStringLiteral("menu.rmproj"));
        MainWindow w;
        w.show();
        QVERIFY(w.newProject(project));
        QAction* import = nullptr;
        for (QAction* a : w.menuBar()->actions().first()->menu()->actions())
            if (a->text().startsWith(QStringLiteral("&Import"))) import = a;
        QVERIFY(import);
        import->trigger();
        auto* wizard = w.findChild<ImportWizard*>();
        QVERIFY(wizard);
        QTRY_VERIFY(wizard->isVisible());
        QCOMPARE(wizard->projectPath(), w.session()->path());
        wizard->reject();
    }
};

QTEST_MAIN(TestImportWizard)
#include "test_import_wizard.moc"
