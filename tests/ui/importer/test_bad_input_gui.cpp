// The bad-input corpus (tests/data/bad) in the workbench: the catalog page of File > Import... shows a
// malformed CSV or FITS file's error with the file and the place, stores nothing, and imports a Latin-1 file
// correctly; thumbnails of an HTML page saved as .jpg, a zero-byte file and a PNG whose header claims
// 20000 x 20000 pixels fail with their reason (tooltip), next to good ones that load; opening a file that is
// not a project, an empty one or one from a newer schema shows a message box, leaves the window usable and
// the file as it was.
#include "UiTestSupport.h"

#include "cutouts/CutoutBrowser.h"
#include "cutouts/CutoutModel.h"
#include "cutouts/ThumbnailLoader.h"
#include "importer/CatalogImportPage.h"
#include "importer/ImportWizard.h"
#include "importer/JobStatusBar.h"
#include "project/ProjectSession.h"
#include "shell/MainWindow.h"
#include "store/Database.h"
#include "tasks/BackgroundJob.h"

#include <QCryptographicHash>
#include <QMessageBox>
#include <QTableWidget>

using namespace rm::ui;

class TestBadInputGui : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_corpus;

    QString corpus(const char* relative) const { return m_corpus + "/" + QLatin1String(relative); }

    static QByteArray fileDigest(const QString& path)
    {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly)) return "missing";
        QByteArray d = QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex();
        for (const char* suffix : {"-wal", "-shm"})
            if (QFileInfo::exists(path + suffix)) d += QByteArray(" +") + suffix;
        return d;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        uitest::isolateSettings(m_dir.filePath(QStringLiteral("settings")));
        const QByteArray source = qgetenv("RINGMINER_SOURCE_DIR");
        QVERIFY2(!source.isEmpty(), "RINGMINER_SOURCE_DIR is not set (run through ctest)");
        m_corpus = QString::fromLocal8Bit(source) + "/tests/data/bad";
        QVERIFY2(QFileInfo::exists(m_corpus + "/README.md"), qPrintable(m_corpus));
    }

    void catalogPageShowsWhereAndWhy_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QStringList>("place");
        QTest::newRow("ragged CSV") << "catalogs/ragged_long.csv"
                                    << QStringList{"row 3", "expected 3 fields, found 4"};
        QTest::newRow("NaN ra") << "catalogs/nan_ra.csv" << QStringList{"row 2", "'ra'", "not finite"};
        QTest::newRow("ra in hours") << "catalogs/ra_hours.csv" << QStringList{"'ra'", "looks like hours"};
        QTest::newRow("HTML as CSV") << "catalogs/html_as.csv" << QStringList{"is an HTML page"};
        QTest::newRow("JPEG as catalog") << "images/good_a.jpg" << QStringList{"is a JPEG image"};
        QTest::newRow("empty file") << "catalogs/empty.csv" << QStringList{"the file is empty"};
        QTest::newRow("FITS NAXIS2 = 1e12")
            << "fits/naxis2_huge.fits" << QStringList{"NAXIS2 = 1000000000000", "holds only 0 bytes"};
        QTest::newRow("FITS TFORM garbage") << "fits/tform_garbage.fits" << QStringList{"HDU 2", "'Q7Z'"};
        QTest::newRow("FITS truncated")
            << "fits/truncated.fits" << QStringList{"NAXIS2 = 3", "only 40 bytes"};
    }

    void catalogPageShowsWhereAndWhy()
    {
        QFETCH(QString, file);
        QFETCH(QStringList, place);
        const QString project =
            m_dir.filePath(QStringLiteral("wizard_%1.rmproj").arg(QTest::currentDataTag()).replace(' ', '_'));
        rm::ProjectStore::create(project.toStdString());
        const QString path = m_corpus + "/" + file;
        ImportWizard wizard(project);
        wizard.show();
        CatalogImportPage* page = wizard.catalogPage();
        page->setFile(path);
        page->setCatalogName(QStringLiteral("bad"));
        page->preview();
        QVERIFY(wizard.job()->waitDone(20000));
        QVERIFY2(page->status()->showsError(), qPrintable(page->status()->message()));
        const QString message = page->status()->message();
        QVERIFY2(message.contains(QFileInfo(path).fileName()), qPrintable(message));
        for (const QString& p : place)
            QVERIFY2(message.contains(p), qPrintable("'" + p + "' not in: " + message));
        // Next: the same error, still on the catalog page, nothing stored.
        wizard.next();
        QVERIFY(wizard.job()->waitDone(20000));
        QCOMPARE(wizard.currentId(), int(ImportWizard::CatalogPageId));
        QVERIFY(page->status()->showsError());
        QVERIFY(rm::ProjectStore::open(project.toStdString())->catalogs().empty());
    }

    void catalogPageReadsLatin1()
    {
        const QString project = m_dir.filePath(QStringLiteral("latin1.rmproj"));
        rm::ProjectStore::create(project.toStdString());
        ImportWizard wizard(project);
        wizard.show();
        CatalogImportPage* page = wizard.catalogPage();
        page->setFile(corpus("catalogs/latin1.csv"));
        page->setCatalogName(QStringLiteral("latin1"));
        page->preview();
        QVERIFY(wizard.job()->waitDone(20000));
        QVERIFY2(!page->status()->showsError(), qPrintable(page->status()->message()));
        QCOMPARE(page->previewTable()->rowCount(), 2);
        bool found = false;
        for (int c = 0; c < page->previewTable()->columnCount(); ++c)
            if (auto* item = page->previewTable()->item(0, c))
                found |= item->text() == QString::fromUtf8("S\u00e9rsic");
        QVERIFY2(found, "the preview does not show 'Sérsic'");
        wizard.next();
        QVERIFY(wizard.job()->waitDone(20000));
        QCOMPARE(wizard.currentId(), int(ImportWizard::ImageSourcePageId));
        auto store = rm::ProjectStore::open(project.toStdString());
        const rm::Table t = store->loadTable(store->catalog("latin1").id, {"author"});
        QCOMPARE(QString::fromStdString(t.columns[0].text(1)), QString::fromUtf8("M\u00fcller"));
    }

    void badImagesFailTheirThumbnailsOnly()
    {
        const QString project = m_dir.filePath(QStringLiteral("images.rmproj"));
        const QString csv = m_dir.filePath(QStringLiteral("images.csv"));
        const QStringList files = {"good_a.jpg",      "html.jpg",      "zero.jpg",
                                   "huge_header.png", "truncated.jpg", "palette.png"};
        {
            QFile f(csv);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("name,ra,dec,file\n");
            for (int i = 0; i < files.size(); ++i)
                f.write(QStringLiteral("g%1,%2,%3,%4\n").arg(i).arg(10 + i).arg(i).arg(files[i]).toUtf8());
        }
        {
            auto store = rm::ProjectStore::create(project.toStdString());
            const auto id =
                store->addCatalog("imgs", rm::importCatalog(csv.toStdString()), rm::CatalogRole::Images);
            store->setImageSourceSpec(id, nlohmann::json{{"kind", "folder"},
                                                         {"dir", corpus("images").toStdString()},
                                                         {"template", "{file}"}}
                                              .dump());
        }
        MainWindow w;
        w.resize(1200, 800);
        w.show();
        QVERIFY(w.openProject(project));
        ProjectSession* session = w.session();
        QVERIFY(session);
        const qint64 catalogId = session->store().catalog("imgs").id;
        ThumbnailLoader& loader = session->thumbnails();
        for (int i = 0; i < files.size(); ++i)
            loader.request(GalaxyId{catalogId, i});
        const auto settled = [&] {
            for (int i = 0; i < files.size(); ++i)
                if (loader.image(GalaxyId{catalogId, i}).isNull() &&
                    loader.failure(GalaxyId{catalogId, i}).isEmpty())
                    return false;
            return true;
        };
        QTRY_VERIFY_WITH_TIMEOUT(settled(), 30000);
        QVERIFY(!loader.image(GalaxyId{catalogId, 0}).isNull());
        QVERIFY(!loader.image(GalaxyId{catalogId, 5}).isNull());
        const QStringList reasons = {{}, "HTML", "empty file", "20000 x 20000", "truncated JPEG", {}};
        for (int i = 1; i <= 4; ++i) {
            const QString failure = loader.failure(GalaxyId{catalogId, i});
            QVERIFY2(failure.contains(files[i]) && failure.contains(reasons[i]), qPrintable(failure));
        }
        // The grid says why in the tooltip.
        CutoutModel* model = w.cutoutBrowser()->model();
        bool tipNamesFile = false;
        for (int r = 0; r < model->rowCount(); ++r)
            tipNamesFile |= model->index(r).data(Qt::ToolTipRole).toString().contains("huge_header.png");
        QVERIFY(tipNamesFile);
    }

    void projectsThatCannotOpenSayWhy_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("reason");
        QTest::newRow("CSV as project") << "projects/not_sqlite.rmproj"
                                        << "not an SQLite database";
        QTest::newRow("HTML as project") << "projects/html.rmproj"
                                         << "not an SQLite database";
        QTest::newRow("zero-byte project") << "projects/zero.rmproj"
                                           << "the file is empty";
        QTest::newRow("newer schema") << "gen:newer"
                                      << "schema version 99";
    }

    void projectsThatCannotOpenSayWhy()
    {
        QFETCH(QString, file);
        QFETCH(QString, reason);
        const QString copy =
            m_dir.filePath(QStringLiteral("open_%1.rmproj").arg(QTest::currentDataTag()).replace(' ', '_'));
        if (file == "gen:newer") {
            rm::ProjectStore::create(copy.toStdString());
            rm::Database db(copy.toStdString(), false);
            db.exec("PRAGMA user_version = 99");
        } else {
            QVERIFY(QFile::copy(m_corpus + "/" + file, copy));
            QFile::setPermissions(copy, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        }
        const QByteArray before = fileDigest(copy);
        MainWindow w;
        w.show();
        QSignalSpy errors(&w, &MainWindow::errorReported);
        QVERIFY(!w.openProject(copy));
        QCOMPARE(errors.count(), 1);
        QVERIFY2(w.lastError().contains(copy) && w.lastError().contains(reason), qPrintable(w.lastError()));
        // A visible message box says it, and the window is still usable behind it.
        QMessageBox* box = nullptr;
        QTRY_VERIFY((box = w.findChild<QMessageBox*>()) != nullptr && box->isVisible());
        QVERIFY2(box->text().contains(reason), qPrintable(box->text()));
        box->accept();
        QVERIFY(w.showsWelcome());
        QVERIFY(!w.session());
        QCOMPARE(fileDigest(copy), before);
    }
};

QTEST_MAIN(TestBadInputGui)
#include "test_bad_input_gui.moc"
