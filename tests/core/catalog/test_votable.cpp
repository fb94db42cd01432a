// VOTable import and export: astropy's TABLEDATA, BINARY and BINARY2 read with the same values, ours read
// back by astropy and by us (also as CSV and FITS), bad documents named by file and place, and the CLI's
// catalog import / catalog export / targets export round trip.
#include "TestData.h"

#include "catalog/CatalogReader.h"
#include "catalog/CatalogWriter.h"
#include "util/Error.h"

#include <QtTest>

#include <cmath>
#include <fstream>
#include <sstream>

using namespace rm;
using rmtest::runCli;

namespace {

const QString kPython = QStringLiteral("/usr/bin/python3");

QString script()
{
    return QDir(QString::fromLocal8Bit(qgetenv("RINGMINER_SOURCE_DIR")))
        .filePath(QStringLiteral("tests/core/catalog/votable_astropy.py"));
}

// Runs tests/core/catalog/votable_astropy.py; fails (never skips) when astropy is not there.
QByteArray python(const QStringList& args)
{
    QProcess p;
    p.start(kPython, QStringList{script()} + args);
    if (!p.waitForFinished(120000)) throw Error("/usr/bin/python3 votable_astropy.py did not finish");
    if (p.exitCode() != 0)
        throw Error("votable_astropy.py failed (this test needs python3-astropy under /usr/bin/python3): " +
                    p.readAllStandardError().toStdString());
    return p.readAllStandardOutput();
}

std::string writeFile(const QTemporaryDir& dir, const char* name, const std::string& content)
{
    const std::string path = dir.filePath(QString::fromUtf8(name)).toStdString();
    std::ofstream(path, std::ios::binary) << content;
    return path;
}

std::string readFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

template <typename F> std::optional<InputError> inputErrorOf(F&& f)
{
    try {
        f();
    } catch (const InputError& e) {
        return e;
    }
    return std::nullopt;
}

// The reference table of votable_astropy.py, as we expect to read it.
void checkReference(const ImportedCatalog& c, bool floatMag, bool units = true)
{
    QCOMPARE(c.table.rowCount(), std::size_t(4));
    QCOMPARE(c.position.raColumn, std::string("ra"));
    QCOMPARE(c.position.decColumn, std::string("dec"));
    const std::vector<double> ra{10.684708, 150.1, 359.999999, 0.0}, dec{41.26875, -2.5, 89.9, -90.0};
    for (std::size_t i = 0; i < 4; ++i) {
        QCOMPARE(c.ra[i], ra[i]);
        QCOMPARE(c.dec[i], dec[i]);
    }
    if (units) QCOMPARE(c.table.column("ra").unit, std::string("deg")); // CSV has no units
    const Column& id = c.table.column("id");
    QCOMPARE(id.type, ColumnType::Integer);
    QCOMPARE(id.integers[0], std::int64_t(1));
    QVERIFY(id.isNull(2));
    QCOMPARE(id.integers[3], std::int64_t(-9000000000LL));
    const Column& mag = c.table.column("mag");
    QCOMPARE(mag.type, ColumnType::Real);
    QVERIFY(mag.isNull(1));
    QCOMPARE(mag.reals[2], 17.25);
    QCOMPARE(mag.reals[3], floatMag ? double(-1.5f) : -1.5);
    const Column& small = c.table.column("small");
    QCOMPARE(small.type, ColumnType::Integer);
    QCOMPARE(small.integers[0], std::int64_t(-5));
    QCOMPARE(small.integers[2], std::int64_t(300));
    const Column& name = c.table.column("name");
    QCOMPARE(name.type, ColumnType::Text);
    QCOMPARE(name.texts[0], std::string("M31"));
    QCOMPARE(name.texts[1], std::string("NGC 1300 ring, \"x\""));
    QCOMPARE(name.texts[2], std::string("Zwicky \xc3\xbc"));
    QVERIFY(name.isNull(3));
    const Column& flag = c.table.column("flag");
    QCOMPARE(flag.type, ColumnType::Integer);
    QCOMPARE(flag.integers[0], std::int64_t(1));
    QCOMPARE(flag.integers[1], std::int64_t(0));
    QCOMPARE(flag.integers[2], std::int64_t(1));
}

} // namespace

class TestVoTable : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void readsAstropy_data()
    {
        QTest::addColumn<QString>("format");
        QTest::newRow("tabledata") << "tabledata";
        QTest::newRow("binary") << "binary";
        QTest::newRow("binary2") << "binary2";
    }
    void readsAstropy()
    {
        QFETCH(QString, format);
        const QString path = m_dir.filePath("astropy_" + format + ".vot");
        python({"write", format, path});
        const ImportedCatalog c = importCatalog(path.toStdString());
        QCOMPARE(c.format, CatalogFormat::VoTable);
        checkReference(c, true);
        // The same document under another name is still found by its content.
        const std::string copy = writeFile(m_dir, "astropy_copy.txt", readFile(path.toStdString()));
        QCOMPARE(importCatalog(copy).format, CatalogFormat::VoTable);
    }

    // Ours: read back by us from every format, and by astropy with the same values.
    void roundTrip()
    {
        const QString reference = m_dir.filePath("reference.vot");
        python({"write", "tabledata", reference});
        ImportedCatalog c = importCatalog(reference.toStdString());
        ExportTable t;
        t.name = "reference";
        t.table = c.table;
        t.ucds.assign(t.table.columnCount(), "");
        t.ucds[0] = "pos.eq.ra;meta.main";
        t.ucds[1] = "pos.eq.dec;meta.main";
        for (const char* name : {"ours.vot", "ours.csv", "ours.fits"}) {
            const std::string out = m_dir.filePath(name).toStdString();
            writeTable(out, t, exportFormatForPath(out));
            const ImportedCatalog back = importCatalog(out);
            checkReference(back, true, back.format != CatalogFormat::Csv);
            QCOMPARE(back.table.columnCount(), c.table.columnCount());
        }
        const std::string vot = readFile(m_dir.filePath("ours.vot").toStdString());
        QVERIFY(vot.find("ucd=\"pos.eq.ra;meta.main\"") != std::string::npos);
        QVERIFY(vot.find("unit=\"deg\"") != std::string::npos);

        const QJsonObject astropy =
            QJsonDocument::fromJson(python({"read", m_dir.filePath("ours.vot")})).object();
        QCOMPARE(astropy.value("ra").toObject().value("ucd").toString(), QString("pos.eq.ra;meta.main"));
        QCOMPARE(astropy.value("dec").toObject().value("ucd").toString(), QString("pos.eq.dec;meta.main"));
        QCOMPARE(astropy.value("ra").toObject().value("unit").toString(), QString("deg"));
        const QJsonArray ra = astropy.value("ra").toObject().value("values").toArray();
        for (int i = 0; i < 4; ++i)
            QCOMPARE(ra[i].toDouble(), c.ra[std::size_t(i)]);
        const QJsonArray id = astropy.value("id").toObject().value("values").toArray();
        QCOMPARE(id[0].toInteger(), 1);
        QVERIFY(id[2].isNull());
        QCOMPARE(id[3].toInteger(), -9000000000LL);
        const QJsonArray mag = astropy.value("mag").toObject().value("values").toArray();
        QVERIFY(mag[1].isNull());
        QCOMPARE(mag[2].toDouble(), 17.25);
        const QJsonArray name = astropy.value("name").toObject().value("values").toArray();
        QCOMPARE(name[1].toString(), QString("NGC 1300 ring, \"x\""));
        QCOMPARE(name[2].toString(), QString::fromUtf8("Zwicky \xc3\xbc"));
    }

    void positionsFromUcds()
    {
        // Column names no convention knows; the UCDs say which is the position.
        const std::string path = writeFile(
            m_dir, "ucd.vot",
            "<?xml version=\"1.0\"?>\n"
            "<VOTABLE version=\"1.3\" xmlns=\"http://www.ivoa.net/xml/VOTable/v1.3\"><RESOURCE><TABLE>\n"
            "<FIELD name=\"alpha\" datatype=\"double\" unit=\"deg\" ucd=\"pos.eq.ra;meta.main\"/>\n"
            "<FIELD name=\"delta\" datatype=\"double\" unit=\"deg\" ucd=\"pos.eq.dec;meta.main\"/>\n"
            "<FIELD name=\"n\" datatype=\"int\"><VALUES null=\"-1\"/></FIELD>\n"
            "<FIELD name=\"spectrum\" datatype=\"float\" arraysize=\"3\"/>\n"
            "<DATA><TABLEDATA>\n"
            "<TR><TD>12.5</TD><TD>-30.25</TD><TD>-1</TD><TD>1 2 3</TD></TR>\n"
            "<TR><TD>0x10</TD><TD>1</TD><TD>0x10</TD><TD>4 5 6</TD></TR>\n"
            "</TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>\n");
        auto bad = inputErrorOf([&] { importCatalog(path); });
        QVERIFY(bad); // 0x10 is not a number for a double
        QCOMPARE(bad->row(), std::size_t(2));
        QCOMPARE(bad->column(), std::string("alpha"));
        ImportOptions skip;
        skip.onBadRow = BadRowPolicy::Skip;
        const ImportedCatalog c = importCatalog(path, skip);
        QCOMPARE(c.position.raColumn, std::string("alpha"));
        QCOMPARE(c.table.rowCount(), std::size_t(1));
        QCOMPARE(c.ra[0], 12.5);
        QVERIFY(c.table.column("n").isNull(0)); // VALUES null
        QCOMPARE(c.table.columnIndex("spectrum"), -1);
        bool noted = false;
        for (const auto& n : c.notes)
            noted |= n.find("spectrum") != std::string::npos && n.find("array") != std::string::npos;
        QVERIFY2(noted, "the left-out array column is named in a note");
    }

    void badDocuments_data()
    {
        QTest::addColumn<QString>("content");
        QTest::addColumn<int>("row");
        QTest::addColumn<QString>("message");
        const QString head =
            "<?xml version=\"1.0\"?>\n<VOTABLE><RESOURCE><TABLE>\n"
            "<FIELD name=\"ra\" datatype=\"double\"/><FIELD name=\"dec\" datatype=\"double\"/>\n";
        QTest::newRow("mismatched tag") << head + "<DATA><TABLEDATA>\n<TR><TD>1</TD><TD>2</TDX></TR>\n"
                                        << 0 << "malformed XML at line 5";
        QTest::newRow("cut short") << head + "<DATA><TABLEDATA>\n<TR><TD>1</TD><TD>2</TD></TR>\n<TR><TD>1"
                                   << 0 << "truncated";
        QTest::newRow("not a votable") << "<?xml version=\"1.0\"?>\n<html><body/></html>\n"
                                       << 0 << "not a VOTable: the root element is <html>";
        QTest::newRow("missing cell")
            << head + "<DATA><TABLEDATA>\n<TR><TD>1</TD><TD>2</TD></TR>\n<TR><TD>1</TD></TR>\n"
                      "</TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>\n"
            << 2 << "<TR> at line 6 has 1 <TD> cells, the TABLE has 2 FIELDs";
        QTest::newRow("bad base64") << head +
                                           "<DATA><BINARY><STREAM encoding=\"base64\">@@@@</STREAM></BINARY>"
                                           "</DATA></TABLE></RESOURCE></VOTABLE>\n"
                                    << 0 << "<BINARY><STREAM> at line 4 is not valid base64";
        // One double (8 bytes) of a two-double row.
        QTest::newRow("truncated stream")
            << head + "<DATA><BINARY2><STREAM encoding=\"base64\">AEAkAAAAAAAA</STREAM></BINARY2>"
                      "</DATA></TABLE></RESOURCE></VOTABLE>\n"
            << 1 << "ends inside row 1 (field 'dec')";
        QTest::newRow("fits data") << head + "<DATA><FITS><STREAM href=\"x.fits\"/></FITS></DATA></TABLE>"
                                             "</RESOURCE></VOTABLE>\n"
                                   << 0 << "serialised as FITS";
        QTest::newRow("bad datatype")
            << "<VOTABLE><RESOURCE><TABLE><FIELD name=\"x\" datatype=\"real\"/></TABLE></RESOURCE></VOTABLE>"
            << 0 << "FIELD 'x' (line 1) has datatype 'real'";
    }
    void badDocuments()
    {
        QFETCH(QString, content);
        QFETCH(int, row);
        QFETCH(QString, message);
        const std::string path = writeFile(m_dir, "bad.vot", content.toStdString());
        const auto e = inputErrorOf([&] { importCatalog(path); });
        QVERIFY2(e, "a bad VOTable is refused");
        QVERIFY2(std::string(e->what()).find(message.toStdString()) != std::string::npos, e->what());
        QVERIFY2(std::string(e->what()).find("bad.vot") != std::string::npos, e->what());
        QCOMPARE(e->row(), std::size_t(row));
    }

    // ringminer-cli: import a VOTable, export the catalog in three formats, import each again with the
    // same positions; export a target set.
    void cliImportExport()
    {
        QVERIFY2(!rmtest::cliPath().isEmpty(), "RINGMINER_CLI is not set (run through ctest)");
        RM_SHARED_DATA(labels, "images/gzdecals_ring470/labels.csv");
        const QString project = m_dir.filePath("cli.rmproj");
        QCOMPARE(runCli({"project", "new", project}).exitCode, 0);
        const QString vot = m_dir.filePath("cli_astropy.vot");
        python({"write", "binary2", vot});
        auto r = runCli({"catalog", "import", project, vot, "--name", "X", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json().value("rows").toInt(), 4);
        QCOMPARE(r.json().value("format").toString(), QString("votable"));

        r = runCli({"catalog", "import", project, QString::fromStdString(labels), "--name", "gzd", "--role",
                    "labelled", "--label-column", "ring", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        for (const char* ext : {"vot", "csv", "fits"}) {
            const QString out = m_dir.filePath(QString("gzd_out.") + ext);
            r = runCli({"catalog", "export", project, "gzd", "--out", out, "--json"});
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
            QCOMPARE(r.json().value("rows").toInt(), 377);
            const ImportedCatalog back = importCatalog(out.toStdString());
            QCOMPARE(back.table.rowCount(), std::size_t(377));
            QCOMPARE(back.position.raColumn, std::string("_RAJ2000"));
            r = runCli({"catalog", "import", project, out, "--name", QString("gzd_") + ext, "--json"});
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
            r = runCli({"xmatch", project, "gzd", QString("gzd_") + ext, "--radius", "0.001", "--json"});
            QCOMPARE(r.json().value("matches").toInt(), 377);
        }
        const std::string votText = readFile(m_dir.filePath("gzd_out.vot").toStdString());
        QVERIFY(
            votText.find(
                "<FIELD name=\"_RAJ2000\" datatype=\"double\" unit=\"deg\" ucd=\"pos.eq.ra;meta.main\"/>") !=
            std::string::npos);

        r = runCli({"targets", "build", project, "--name", "t", "--labelled", "gzd", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QString targets = m_dir.filePath("targets.vot");
        r = runCli({"targets", "export", project, "t", "--out", targets, "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const ImportedCatalog t = importCatalog(targets.toStdString());
        QCOMPARE(t.table.rowCount(), std::size_t(377));
        QCOMPARE(t.table.column("label").type, ColumnType::Integer);
        QCOMPARE(t.table.column("split").texts[0].empty(), false);

        r = runCli({"catalog", "export", project, "gzd", "--out", m_dir.filePath("gzd.parquet")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(".vot"), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestVoTable)
#include "test_votable.moc"
