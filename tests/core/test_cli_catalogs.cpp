// ringminer-cli end to end on the real catalogs: the exact --json forms scripts depend on, and bad input.
#include "TestData.h"

#include <QtTest>

using rmtest::runCli;

class TestCliCatalogs : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_project;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!rmtest::cliPath().isEmpty(), "RINGMINER_CLI is not set (run through ctest)");
        m_project = m_dir.filePath("cli.rmproj");
        auto r = runCli({"project", "new", m_project, "--json"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.json().value("ok").toBool(), true);
    }

    void importsRealCatalogs()
    {
        RM_SHARED_DATA(butaCsv, "catalogs/buta2017_table2.csv");
        RM_SHARED_DATA(butaFits, "catalogs/buta2017_table2.fits");
        RM_SHARED_DATA(labels, "images/gzdecals_ring470/labels.csv");
        RM_SHARED_DATA(chen, "catalogs/chen2025_desi_rings_radec.txt");
        auto r = runCli({"catalog", "import", m_project, QString::fromStdString(butaCsv), "--name", "buta",
                         "--role", "rings", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json().value("rows").toInt(), 3962);
        QCOMPARE(r.json().value("skipped").toInt(), 0);
        r = runCli({"catalog", "import", m_project, QString::fromStdString(butaFits), "--name", "buta_fits",
                    "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json().value("rows").toInt(), 3962);
        r = runCli({"catalog", "import", m_project, QString::fromStdString(labels), "--name", "gzd", "--role",
                    "labelled", "--label-column", "ring", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json().value("rows").toInt(), 377);
        r = runCli(
            {"catalog", "import", m_project, QString::fromStdString(chen), "--name", "chen", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json().value("rows").toInt(), 5173);

        r = runCli({"catalog", "list", m_project, "--json"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.json().value("catalogs").toArray().size(), 4);
        r = runCli({"catalog", "list", m_project});
        QVERIFY(r.out.contains("buta_fits"));
    }

    void crossMatchAndConflicts()
    {
        auto r = runCli({"xmatch", m_project, "gzd", "buta", "--radius", "5", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json().value("matches").toInt(), 75);
        QCOMPARE(r.json().value("conflicts").toInt(), 21);
        // The same galaxies from CSV and FITS: every row matches its twin.
        r = runCli({"xmatch", m_project, "buta", "buta_fits", "--radius", "0.01", "--json"});
        QCOMPARE(r.json().value("matches").toInt(), 3962);
        r = runCli({"xmatch", m_project, "gzd", "buta", "--radius", "5"});
        QVERIFY2(r.out.contains("75 of 377"), qPrintable(r.out + r.err));
    }

    void targetSets()
    {
        auto r = runCli(
            {"targets", "build", m_project, "--name", "gzd5", "--labelled", "gzd", "--seed", "1", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json().value("total").toInt(), 377);
        QCOMPARE(r.json().value("positives").toInt(), 187);
        r = runCli({"targets", "show", m_project, "gzd5", "--json"});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject splits = r.json().value("splits").toObject();
        const int trainRing = splits.value("train").toObject().value("ring").toInt();
        const int testRing = splits.value("test").toObject().value("ring").toInt();
        QCOMPARE(trainRing, 131); // round(0.7 * 187)
        QCOMPARE(testRing, 187 - 131 - 28);
        r = runCli({"targets", "show", m_project, "gzd5"});
        QVERIFY(r.out.contains("train"));
        r = runCli({"targets", "show", m_project, "nope"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains("gzd5"));
    }

    void badRowsAbortOrSkip()
    {
        QTemporaryDir dir;
        const QString bad = dir.filePath("bad.csv");
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("name,ra,dec\ng1,10.0,20.0\ng2,10.1,20.1\ng3,10.2,95.0\ng4,10.3,20.3\n");
        f.close();
        auto r = runCli({"catalog", "import", m_project, bad, "--name", "bad", "--json"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("bad.csv") && r.err.contains("row 3") && r.err.contains("dec"),
                 qPrintable(r.err));
        QCOMPARE(r.json().value("ok").toBool(), false);
        // Aborted: the project is unchanged.
        r = runCli({"catalog", "list", m_project, "--json"});
        QCOMPARE(r.json().value("catalogs").toArray().size(), 4);
        r = runCli({"catalog", "import", m_project, bad, "--name", "bad", "--skip-bad", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json().value("rows").toInt(), 3);
        QCOMPARE(r.json().value("skipped").toInt(), 1);
        QVERIFY(r.err.contains("row 3"));
    }

    void usageErrors()
    {
        auto r = runCli({"catalog", "import", m_project});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("usage"));
        r = runCli({"frobnicate"});
        QCOMPARE(r.exitCode, 2);
        r = runCli({"xmatch", m_project, "gzd", "buta", "--radius", "five"});
        QCOMPARE(r.exitCode, 2);
        r = runCli({"project", "info", m_dir.filePath("none.rmproj"), "--json"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains("no project"));
    }
};

QTEST_GUILESS_MAIN(TestCliCatalogs)
#include "test_cli_catalogs.moc"
