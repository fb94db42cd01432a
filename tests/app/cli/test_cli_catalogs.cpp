// ringminer-cli end to end on the real catalogs: the exact --json forms scripts depend on, and bad input.
#include "TestData.h"

#include "store/ProjectStore.h"

#include <QtTest>

#include <unistd.h>

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

    void labelConflictsListedAndAccepted()
    {
        // A project of its own: the hand labels given here would change the other tests' target sets.
        QTemporaryDir dir;
        const QString project = dir.filePath("conflicts.rmproj");
        QCOMPARE(runCli({"project", "new", project}).exitCode, 0);
        const std::string labels = rmtest::sharedData("images/gzdecals_ring470/labels.csv");
        const std::string buta = rmtest::sharedData("catalogs/buta2017_table2.csv");
        QCOMPARE(runCli({"catalog", "import", project, QString::fromStdString(labels), "--name", "gzd",
                         "--role", "labelled", "--label-column", "ring"})
                     .exitCode,
                 0);
        QCOMPARE(runCli({"catalog", "import", project, QString::fromStdString(buta), "--name", "buta",
                         "--role", "rings"})
                     .exitCode,
                 0);
        QCOMPARE(runCli({"targets", "build", project, "--name", "gzd5", "--labelled", "gzd"}).exitCode, 0);
        auto r = runCli({"targets", "conflicts", project, "--target-set", "gzd5", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json().value("count").toInt(), 21); // the data README: 21 of the 75 Buta rings are ring=0
        const QJsonObject first = r.json().value("conflicts").toArray().at(0).toObject();
        QCOMPARE(first.value("label").toInt(), 0);
        QCOMPARE(first.value("other_catalog").toString(), QStringLiteral("buta"));
        QVERIFY(first.value("separation_arcsec").toDouble() < 5);
        // Rows are numbered as xmatch, catalog show and the browser number them (from 0): every conflict is a
        // pair xmatch reports, and its description names the same Buta row (it said row + 1 before).
        const auto xm = runCli({"xmatch", project, "gzd", "buta", "--radius", "5", "--json"});
        QCOMPARE(xm.exitCode, 0);
        QSet<QString> pairs;
        for (const QJsonValue& v : xm.json().value("conflict_rows").toArray())
            pairs.insert(QStringLiteral("%1~%2")
                             .arg(v.toObject().value("row_a").toInteger())
                             .arg(v.toObject().value("row_b").toInteger()));
        QCOMPARE(pairs.size(), 21);
        for (const QJsonValue& v : r.json().value("conflicts").toArray()) {
            const QJsonObject c = v.toObject();
            const QString pair =
                QStringLiteral("%1~%2").arg(c.value("row").toInteger()).arg(c.value("other_row").toInteger());
            QVERIFY2(pairs.contains(pair), qPrintable(pair));
            const QString description = c.value("description").toString();
            QVERIFY2(description.contains(QStringLiteral("(row %1, ").arg(c.value("other_row").toInteger())),
                     qPrintable(description));
        }
        r = runCli({"targets", "conflicts", project, "--target-set", "gzd5"});
        QVERIFY(r.out.contains("buta lists it as a ring") && r.out.contains("--accept-catalogs"));
        // The text names the galaxy's own catalog row too: gzd row 272 is J101755.30-012551.0, Buta row 774.
        QVERIFY2(r.out.contains(QStringLiteral("(gzd row 272)")) &&
                     r.out.contains(QStringLiteral("(row 774, ")),
                 qPrintable(r.out));
        QCOMPARE(runCli({"targets", "conflicts", project, "--target-set", "gzd5", "--radius", "0"}).exitCode,
                 1);

        r = runCli({"targets", "conflicts", project, "--target-set", "gzd5", "--accept-catalogs", "--json"});
        QCOMPARE(r.json().value("hand_labelled").toInt(), 21);
        r = runCli({"targets", "build", project, "--name", "gzd5r", "--labelled", "gzd", "--json"});
        QCOMPARE(r.json().value("positives").toInt(), 187 + 21); // hand labels override the catalog's
        r = runCli({"targets", "conflicts", project, "--target-set", "gzd5r", "--json"});
        QCOMPARE(r.json().value("count").toInt(), 0);
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

    // A continuous column is not a label: the import names the column and a bad value, and keeps nothing.
    void labelColumnMustHoldLabels()
    {
        RM_SHARED_DATA(labels, "images/gzdecals_ring470/labels.csv");
        auto r = runCli({"catalog", "import", m_project, QString::fromStdString(labels), "--name", "gzd_frac",
                         "--role", "labelled", "--label-column", "featured_fraction", "--json"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("featured_fraction") && r.err.contains("0.7065") && r.err.contains("row 1") &&
                     r.err.contains("not a label"),
                 qPrintable(r.err));
        // A wrong column name lists the columns there are.
        r = runCli({"catalog", "import", m_project, QString::fromStdString(labels), "--name", "gzd_frac",
                    "--role", "labelled", "--label-column", "rign", "--json"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("'rign'") && r.err.contains("iauname, file, ring, featured_fraction"),
                 qPrintable(r.err));
        r = runCli({"catalog", "list", m_project, "--json"});
        for (const auto& c : r.json().value("catalogs").toArray())
            QVERIFY(c.toObject().value("name").toString() != "gzd_frac");

        // One class only: the import says so.
        QTemporaryDir dir;
        QFile f(dir.filePath("allrings.csv"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("name,ra,dec,ring\ng1,10.0,20.0,1\ng2,10.1,20.1,1\n");
        f.close();
        r = runCli({"catalog", "import", m_project, f.fileName(), "--name", "allrings", "--role", "labelled",
                    "--label-column", "ring"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("2 rings and 0 non-rings"), qPrintable(r.err));
    }

    // Without an image source the set still builds, but it says at once that it cannot be trained yet.
    void targetSetSaysWhichCatalogsHaveNoImages()
    {
        auto r = runCli({"targets", "build", m_project, "--name", "noimages", "--labelled", "gzd", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json().value("trainable_offline").toBool(), false);
        const QJsonArray missing = r.json().value("images_missing").toArray();
        QCOMPARE(missing.size(), 1);
        QVERIFY2(missing[0].toString().contains("catalog 'gzd'") &&
                     missing[0].toString().contains("cutouts source"),
                 qPrintable(missing[0].toString()));
        r = runCli({"targets", "build", m_project, "--name", "noimages2", "--labelled", "gzd"});
        QVERIFY2(r.out.contains("warning: cannot train yet: catalog 'gzd'"), qPrintable(r.out));
        // train lists every problem before running anything.
        r = runCli({"train", m_project, "--target-sets", "noimages", "--experiment", "noimg", "--json"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("no image source") && r.err.contains("nothing was trained"),
                 qPrintable(r.err));
    }

    // A source that finds no image, or names a column the catalog lacks, is refused and not stored.
    void imageSourceTemplateChecked()
    {
        RM_SHARED_DATA(labels, "images/gzdecals_ring470/labels.csv");
        const QString folder = QFileInfo(QString::fromStdString(labels)).absolutePath();
        auto r = runCli({"cutouts", "source", m_project, "gzd", "--folder", folder, "--template",
                         "{nosuchcol}.jpg", "--json"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("nosuchcol") && r.err.contains("nothing was stored"), qPrintable(r.err));
        r = runCli({"cutouts", "source", m_project, "gzd", "--folder", folder, "--template", "{iauname}.png",
                    "--json"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("none of the first 20 rows"), qPrintable(r.err));
        r = runCli({"cutouts", "source", m_project, "gzd", "--json"});
        QVERIFY(r.json().value("spec").isNull()); // nothing stored
        r = runCli({"cutouts", "source", m_project, "gzd", "--folder", folder, "--template", "{iauname}.png",
                    "--allow-missing", "--json"});
        QCOMPARE(r.exitCode, 0);
        r = runCli(
            {"cutouts", "source", m_project, "gzd", "--folder", folder, "--template", "{file}", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json().value("present").toInt(), 20);
    }

    void xmatchSaysWhatItDidNotPrint()
    {
        auto r = runCli({"xmatch", m_project, "gzd", "buta", "--radius", "5", "--show-conflicts", "3"});
        QVERIFY2(r.out.contains("and 18 more conflicts not printed"), qPrintable(r.out));
        // Conflicts name the catalogs.
        QVERIFY2(r.out.contains("gzd labels it not ring") && r.out.contains("buta lists it as a ring"),
                 qPrintable(r.out));
    }

    void catalogShowHeaderCoversEveryValue()
    {
        auto r = runCli({"catalog", "show", m_project, "gzd", "--limit", "2"});
        QCOMPARE(r.exitCode, 0);
        const QStringList lines = r.out.split('\n', Qt::SkipEmptyParts);
        // columns line, header, 2 rows
        QVERIFY(lines.size() >= 4);
        const int header = lines.size() - 3;
        QVERIFY2(lines[header].startsWith("row | ra_deg | dec_deg"), qPrintable(lines[header]));
        QCOMPARE(lines[header].count(" | "), lines[header + 1].count(" | "));
    }

    // `catalog show --where` is the catalog browser's filter over the same core queries: the rows it prints
    // are exactly those a direct read of the stored table says match.
    void catalogShowWhere()
    {
        std::size_t expected = 0, nullZ = 0;
        {
            auto store = rm::ProjectStore::open(m_project.toStdString());
            const rm::Table t = store->loadTable(store->catalog("buta").id, {"z", "OV"});
            for (std::size_t r = 0; r < t.columns[0].size(); ++r) {
                const auto z = t.columns[0].number(r);
                nullZ += !z;
                expected += z && *z < 0.05 && !t.columns[1].text(r).empty();
            }
        }
        QVERIFY(expected > 100 && nullZ > 0);

        auto r = runCli({"catalog", "show", m_project, "buta", "--where", "z < 0.05 and OV != ''",
                         "--columns", "Names,z,ov", "--limit", "5", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QJsonObject j = r.json();
        QCOMPARE(j.value("matched").toInt(), int(expected));
        QCOMPARE(j.value("shown").toInt(), 5);
        QCOMPARE(j.value("rows").toInt(), 3962);
        const QJsonArray records = j.value("records").toArray();
        QCOMPARE(records.size(), 5);
        int previous = -1;
        for (const auto& v : records) {
            const QJsonObject o = v.toObject();
            QCOMPARE(o.keys(), (QStringList{"Names", "OV", "dec_deg", "ra_deg", "row", "z"}));
            QVERIFY(o.value("z").toDouble() < 0.05);
            QVERIFY(!o.value("OV").toString().isEmpty());
            QVERIFY(o.value("row").toInt() > previous); // the browser's unsorted order: by row
            previous = o.value("row").toInt();
        }

        r = runCli({"catalog", "show", m_project, "buta", "--where", "z < 0.05 and OV != ''", "--columns",
                    "Names,z,OV", "--limit", "0"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QStringLiteral("%1 of 3962 rows match").arg(expected)), qPrintable(r.out));
        const QStringList lines = r.out.split('\n', Qt::SkipEmptyParts);
        const int header = lines.indexOf("row | ra_deg | dec_deg | Names | z | OV");
        QVERIFY2(header >= 0, qPrintable(r.out));
        QCOMPARE(lines.size() - header - 1, int(expected)); // --limit 0: every matching row

        // Blank redshifts are NULL: JSON null, and `z is null` finds exactly them.
        r = runCli({"catalog", "show", m_project, "buta", "--where", "z is null", "--columns", "z", "--limit",
                    "3", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json().value("matched").toInt(), int(nullZ));
        QVERIFY(r.json().value("records").toArray().first().toObject().value("z").isNull());
    }

    void catalogShowBadWhereNamesThePosition()
    {
        auto r = runCli({"catalog", "show", m_project, "buta", "--where", "z < 0.05 and", "--json"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("bad --where filter") && r.err.contains("at character 13") &&
                     r.err.contains("found the end of the filter"),
                 qPrintable(r.err));
        // The expression again with a caret under the position.
        QVERIFY2(r.err.contains("    z < 0.05 and\n                ^"), qPrintable(r.err));
        QCOMPARE(r.json().value("ok").toBool(), false);
        r = runCli({"catalog", "show", m_project, "buta", "--where", "zz < 1"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("unknown column 'zz' at character 1") &&
                     r.err.contains("columns are: _ra, _dec"),
                 qPrintable(r.err));
        r = runCli({"catalog", "show", m_project, "buta", "--columns", "Names,nope"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("no column 'nope'"), qPrintable(r.err));
    }

    void typoInSubCommandNamesIt()
    {
        auto r = runCli({"catalog", "improt", m_project});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("unknown 'catalog' sub-command 'improt'") &&
                     r.err.contains("did you mean 'catalog import'"),
                 qPrintable(r.err));
        r = runCli({"runs", "lst", m_project});
        QVERIFY2(r.err.contains("'runs list'"), qPrintable(r.err));
        r = runCli({"xmach", m_project});
        QVERIFY2(r.err.contains("did you mean 'xmatch'"), qPrintable(r.err));
        r = runCli({"catalog"});
        QVERIFY2(r.err.contains("needs a sub-command") && r.err.contains("import"), qPrintable(r.err));
    }

    // A project this user cannot write opens read-only: reading verbs work, writing verbs fail first with
    // "read-only" and change nothing. Root may write anything, so as root the CLI runs as nobody.
    void readOnlyProjectOpensForReading()
    {
        QTemporaryDir dir;
        QFile::setPermissions(dir.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                              QFileDevice::ExeOwner | QFileDevice::ReadOther |
                                              QFileDevice::ExeOther | QFileDevice::ReadGroup |
                                              QFileDevice::ExeGroup);
        const QString project = dir.filePath("ro.rmproj");
        QCOMPARE(runCli({"project", "new", project}).exitCode, 0);
        const QString csv = dir.filePath("small.csv");
        {
            QFile f(csv);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("name,ra,dec\ng1,10.0,20.0\ng2,10.1,20.1\n");
        }
        QCOMPARE(runCli({"catalog", "import", project, csv, "--name", "small"}).exitCode, 0);
        QFile::setPermissions(csv, QFileDevice::ReadOwner | QFileDevice::ReadOther | QFileDevice::ReadGroup);
        QStringList asUser;
        if (::getuid() == 0)
            asUser = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
        else {
            QFile::setPermissions(project, QFileDevice::ReadOwner | QFileDevice::ReadOther);
            QFile::setPermissions(dir.path(), QFileDevice::ReadOwner | QFileDevice::ExeOwner);
        }
        auto r = runCli({"catalog", "list", project, "--json"}, 60000, asUser);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json().value("catalogs").toArray().size(), 1);
        r = runCli({"catalog", "show", project, "small"}, 60000, asUser);
        QVERIFY2(r.exitCode == 0 && r.out.contains("g2"), qPrintable(r.err));
        r = runCli({"catalog", "import", project, csv, "--name", "again", "--json"}, 60000, asUser);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("read-only") && r.err.contains("nothing was read"), qPrintable(r.err));
        QCOMPARE(r.json().value("ok").toBool(), false);
        r = runCli({"xmatch", project, "small", "small", "--radius", "1"}, 60000, asUser);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("read-only"), qPrintable(r.err));
        if (::getuid() != 0)
            QFile::setPermissions(dir.path(),
                                  QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        r = runCli({"catalog", "list", project, "--json"});
        QCOMPARE(r.json().value("catalogs").toArray().size(), 1); // nothing changed
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
