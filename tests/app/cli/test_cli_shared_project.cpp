// A project open in one process (the workbench's session) while ringminer-cli uses it, as the user guide does
// all along. Found following the guide: a second ProjectStore::open in the workbench's process (a training or
// mining worker) read the file's header with a plain open()/close(), which dropped every POSIX lock the
// process held on it; the next CLI command then thought it was the last connection, checkpointed and deleted
// the -wal and -shm files under the workbench, whose hand labels went to a deleted file and whose next open
// failed with "disk I/O error".
#include "TestData.h"

#include "catalog/CatalogReader.h"
#include "store/LabelStore.h"
#include "store/ProjectStore.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

using rmtest::runCli;

class TestCliSharedProject : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cliNextToAnOpenSessionKeepsItsWal()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString project = dir.filePath(QStringLiteral("shared.rmproj"));
        const std::string path = project.toStdString();
        const QString csv = dir.filePath(QStringLiteral("few.csv"));
        {
            QFile f(csv);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("name,ra,dec\nA,10.5,-5.25\nB,11.0,-5.5\nC,12.0,-6.0\n");
        }
        QCOMPARE(runCli({"project", "new", project}).exitCode, 0);

        // The workbench's session: one store held open for the whole test.
        auto session = rm::ProjectStore::open(path);
        const std::int64_t first =
            session->addCatalog("first", rm::importCatalog(csv.toStdString()), rm::CatalogRole::Other);
        QVERIFY(std::filesystem::exists(path + "-wal"));
        QVERIFY(std::filesystem::exists(path + "-shm"));

        // A worker of the same process opens the project too and lets it go (training, mining, import).
        for (int i = 0; i < 3; ++i)
            rm::ProjectStore::open(path).reset();

        // The CLI reads the project meanwhile (runs list, project info) and exits.
        auto r = runCli({"project", "info", project, "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(std::filesystem::exists(path + "-wal") && std::filesystem::exists(path + "-shm"),
                 "the CLI deleted the -wal/-shm files of a project another process has open");

        // What the session writes now is seen by the next process: a hand label and a second catalog.
        rm::LabelStore labels(session->db());
        labels.set({first, 1}, 11.0, -5.5, rm::HandLabel::Ring, "", "test");
        session->addCatalog("second", rm::importCatalog(csv.toStdString()), rm::CatalogRole::Other);
        r = runCli({"catalog", "list", project, "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QStringList names;
        for (const QJsonValue& v : r.json().value("catalogs").toArray())
            names << v.toObject().value("name").toString();
        QVERIFY2(names.contains(QStringLiteral("second")), qPrintable(names.join(',')));

        // And a worker can still open it (it failed with "disk I/O error").
        auto worker = rm::ProjectStore::open(path);
        rm::LabelStore workerLabels(worker->db());
        QVERIFY(workerLabels.current({first, 1}).has_value());
        worker.reset();
        session.reset();

        // Everything is in the file once the last connection is gone.
        auto reopened = rm::ProjectStore::open(path);
        QVERIFY(reopened->hasCatalog("second"));
        QVERIFY(rm::LabelStore(reopened->db()).current({first, 1}).has_value());
    }

    // The header check still names what a non-project file is.
    void notAProjectIsStillNamed()
    {
        QTemporaryDir dir;
        const QString page = dir.filePath(QStringLiteral("page.rmproj"));
        {
            QFile f(page);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("<!DOCTYPE html><html><body>Not found</body></html>\n");
        }
        const auto r = runCli({"project", "info", page});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("not an SQLite database")) &&
                     r.err.contains(QStringLiteral("<!DOCTYPE")),
                 qPrintable(r.err));
        const QString empty = dir.filePath(QStringLiteral("empty.rmproj"));
        {
            QFile f(empty);
            QVERIFY(f.open(QIODevice::WriteOnly));
        }
        const auto e = runCli({"project", "info", empty});
        QCOMPARE(e.exitCode, 1);
        QVERIFY2(e.err.contains(QStringLiteral("the file is empty")), qPrintable(e.err));
    }
};

QTEST_GUILESS_MAIN(TestCliSharedProject)
#include "test_cli_shared_project.moc"
