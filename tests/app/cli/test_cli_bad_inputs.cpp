// The bad-input corpus (tests/data/bad/README.md) walked through the real ringminer-cli with --json: every
// case either imports/decodes with the right values, or fails with an error object that names the file and
// the place (row, column, keyword, tensor, byte), and leaves the project as it was (same content in every
// table, integrity_check ok). The CLI runs with its address space bounded (1 GiB), so a lying header that
// makes it allocate what the header claims (1.2 GB for a 20000 x 20000 image, terabytes for NAXIS2 = 1e12)
// fails the case instead of passing by luck.
#include "TestData.h"

#include "imaging/ImageDecode.h"
#include "store/Database.h"

#include <QCryptographicHash>
#include <QtTest>

#include <algorithm>
#include <functional>
#include <sys/resource.h>

#if defined(__SANITIZE_ADDRESS__)
#define RM_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RM_TEST_ASAN 1
#endif
#endif

namespace {

enum class Kind
{
    Import,  // catalog import PROJECT FILE --name N (+ args)
    Image,   // one row of a folder image source, decoded by `cutouts cache`
    Weights, // a matrix model's "pretrained" file, checked by `train`
    Project, // the project file itself: `project info` and `catalog import` into it
};

struct Case
{
    const char* name;
    Kind kind;
    QString file;           // under tests/data/bad, or "gen/..." made by initTestCase
    bool accepted = false;  // imports / decodes (then `check` asserts the values)
    QStringList place = {}; // what the error must say besides the file name
    int row = 0;            // the JSON error's "row" (0: none expected)
    QString column = {};    // the JSON error's "column" (empty: none expected)
    QStringList extra = {}; // more arguments
    std::function<void(const QJsonObject& summary, const QJsonObject& shown)> check = {};
};

QJsonObject record(const QJsonObject& shown, int i)
{
    return shown.value("records").toArray().at(i).toObject();
}

const std::vector<Case>& corpus()
{
    static const std::vector<Case> cases = {
        // ---- CSV and whitespace catalogs: refused with file, row and column ----
        {"ragged row (extra field)",
         Kind::Import,
         "catalogs/ragged_long.csv",
         false,
         {"row 3", "expected 3 fields, found 4"},
         3},
        {"ragged row (missing field)",
         Kind::Import,
         "catalogs/ragged_short.csv",
         false,
         {"row 2", "expected 3 fields, found 2"},
         2},
        {"ragged whitespace table",
         Kind::Import,
         "catalogs/ragged.txt",
         false,
         {"row 2", "expected 2 fields, found 3"},
         2},
        {"unterminated quote",
         Kind::Import,
         "catalogs/unterminated_quote.csv",
         false,
         {"row 2", "unterminated quoted field"},
         2},
        {"NaN ra", Kind::Import, "catalogs/nan_ra.csv", false, {"row 2", "ra nan is not finite"}, 2, "ra"},
        {"Inf dec",
         Kind::Import,
         "catalogs/inf_dec.csv",
         false,
         {"row 3", "dec inf is not finite"},
         3,
         "dec"},
        {"ra out of range",
         Kind::Import,
         "catalogs/ra_out_of_range.csv",
         false,
         {"row 2", "ra 361.5 is out of range"},
         2,
         "ra"},
        {"dec out of range",
         Kind::Import,
         "catalogs/dec_out_of_range.csv",
         false,
         {"row 1", "dec -91 is out of range"},
         1,
         "dec"},
        {"blank ra", Kind::Import, "catalogs/ra_blank.csv", false, {"row 2", "ra is blank"}, 2, "ra"},
        {"ra not a number",
         Kind::Import,
         "catalogs/ra_text.csv",
         false,
         {"row 2", "'ten' is not a number"},
         2,
         "ra"},
        {"bad sexagesimal ra",
         Kind::Import,
         "catalogs/bad_sexagesimal.csv",
         false,
         {"row 2", "'25 10 00.0' is not a valid sexagesimal"},
         2,
         "RAJ2000"},
        {"bad IAU name",
         Kind::Import,
         "catalogs/bad_iau_name.csv",
         false,
         {"row 3", "'J999999.99+999999.9' is not an IAU name"},
         3,
         "iauname"},
        {"ra in hours",
         Kind::Import,
         "catalogs/ra_hours.csv",
         false,
         {"column 'ra'", "looks like hours", "between 0.5 and 21.4"},
         0,
         "ra"},
        {"empty file (0 bytes)", Kind::Import, "catalogs/empty.csv", false, {"the file is empty"}},
        {"only blank lines", Kind::Import, "catalogs/blank_lines.csv", false, {"the file is empty"}},
        {"no position columns",
         Kind::Import,
         "catalogs/no_positions.csv",
         false,
         {"no sky position columns", "columns: name, mag"}},
        {"HTML saved as .csv", Kind::Import, "catalogs/html_as.csv", false, {"is an HTML page"}},
        {"JPEG imported as a catalog",
         Kind::Import,
         "images/good_a.jpg",
         false,
         {"is a JPEG image, not a text catalog", "NUL byte at byte"}},
        {"PNG imported as a catalog",
         Kind::Import,
         "images/one_by_one.png",
         false,
         {"is a PNG image, not a text catalog"}},
        {"label column holds a non-label",
         Kind::Import,
         "catalogs/label_not_label.csv",
         false,
         {"row 2", "'maybe' is not a label"},
         2,
         "ring",
         {"--role", "labelled", "--label-column", "ring"}},
        // ---- CSV: accepted with the right values ----
        {"UTF-8 byte-order mark",
         Kind::Import,
         "catalogs/bom.csv",
         true,
         {},
         0,
         {},
         {},
         [](const QJsonObject& s, const QJsonObject& shown) {
             QCOMPARE(s.value("rows").toInt(), 2);
             QCOMPARE(shown.value("columns").toArray().at(0).toObject().value("name").toString(), "name");
             QCOMPARE(record(shown, 0).value("ra_deg").toDouble(), 10.5);
             QCOMPARE(record(shown, 0).value("dec_deg").toDouble(), -20.25);
         }},
        {"CRLF line ends",
         Kind::Import,
         "catalogs/crlf.csv",
         true,
         {},
         0,
         {},
         {},
         [](const QJsonObject& s, const QJsonObject& shown) {
             QCOMPARE(s.value("rows").toInt(), 3);
             QCOMPARE(record(shown, 0).value("z").toDouble(), 0.031);
             QVERIFY(record(shown, 1).value("z").isNull()); // a blank before \r\n is blank
             QCOMPARE(record(shown, 2).value("name").toString(), "g3");
         }},
        {"quoted newline and quotes",
         Kind::Import,
         "catalogs/quoted_newline.csv",
         true,
         {},
         0,
         {},
         {},
         [](const QJsonObject& s, const QJsonObject& shown) {
             QCOMPARE(s.value("rows").toInt(), 3);
             QCOMPARE(record(shown, 0).value("note").toString(), "two\nlines");
             QCOMPARE(record(shown, 1).value("note").toString(), "say \"ring\"");
             QCOMPARE(record(shown, 2).value("ra_deg").toDouble(), 12.5);
         }},
        {"Latin-1 text",
         Kind::Import,
         "catalogs/latin1.csv",
         true,
         {},
         0,
         {},
         {},
         [](const QJsonObject& s, const QJsonObject& shown) {
             QCOMPARE(s.value("rows").toInt(), 2);
             QVERIFY2(s.value("notes").toArray().at(0).toString().contains("read as Latin-1"),
                      qPrintable(QJsonDocument(s).toJson()));
             QCOMPARE(record(shown, 0).value("author").toString(), QString::fromUtf8("S\u00e9rsic"));
             QCOMPARE(record(shown, 1).value("author").toString(), QString::fromUtf8("M\u00fcller"));
         }},
        {"duplicate ids",
         Kind::Import,
         "catalogs/duplicate_ids.csv",
         true,
         {},
         0,
         {},
         {},
         [](const QJsonObject& s, const QJsonObject& shown) {
             QCOMPARE(s.value("rows").toInt(), 3); // rows are rows: a catalog may list a galaxy twice
             QCOMPARE(record(shown, 0).value("objid").toInt(), 1001);
             QCOMPARE(record(shown, 1).value("objid").toInt(), 1001);
         }},
        {"duplicate column names",
         Kind::Import,
         "catalogs/duplicate_header.csv",
         true,
         {},
         0,
         {},
         {},
         [](const QJsonObject&, const QJsonObject& shown) {
             QCOMPARE(record(shown, 1).value("z").toDouble(), 0.03);
             QCOMPARE(record(shown, 1).value("z_2").toDouble(), 0.04);
         }},
        {"header only",
         Kind::Import,
         "catalogs/header_only.csv",
         true,
         {},
         0,
         {},
         {},
         [](const QJsonObject& s, const QJsonObject&) { QCOMPARE(s.value("rows").toInt(), 0); }},
        {"ra in hours, columns named",
         Kind::Import,
         "catalogs/ra_hours.csv",
         true,
         {},
         0,
         {},
         {"--ra", "ra", "--dec", "dec"},
         [](const QJsonObject& s, const QJsonObject& shown) {
             QCOMPARE(s.value("rows").toInt(), 12);
             QCOMPARE(record(shown, 0).value("ra_deg").toDouble(), 0.5);
         }},
        // ---- FITS tables ----
        {"FITS truncated in the data",
         Kind::Import,
         "fits/truncated.fits",
         false,
         {"NAXIS2 = 3", "NAXIS1 = 24", "holds only 40 bytes", "at byte 5760"}},
        {"FITS NAXIS2 = 1e12 (lying)",
         Kind::Import,
         "fits/naxis2_huge.fits",
         false,
         {"NAXIS2 = 1000000000000", "holds only 0 bytes"}},
        {"FITS NAXIS1 = 2^40 (lying)",
         Kind::Import,
         "fits/naxis1_huge.fits",
         false,
         {"HDU 2", "NAXIS1 = 1099511627776", "holds only 0 bytes"}},
        {"FITS TFORM wider than the row",
         Kind::Import,
         "fits/tform_lying.fits",
         false,
         {"HDU 2", "NAXIS1 = 24", "sum of column widths: 100000016"}},
        {"FITS TFORM garbage", Kind::Import, "fits/tform_garbage.fits", false, {"HDU 2", "TFORM", "'Q7Z'"}},
        {"text named .fits", Kind::Import, "fits/not_fits.fits", false, {"not a readable FITS file"}},
        {"zero-byte .fits", Kind::Import, "fits/zero.fits", false, {"not a readable FITS file"}},
        {"FITS image, no table", Kind::Import, "fits/image_only.fits", false, {"no binary or ASCII table"}},
        {"FITS NaN ra", Kind::Import, "fits/nan_ra.fits", false, {"row 2", "ra is blank"}, 2, "ra"},
        {"FITS --hdu past the end",
         Kind::Import,
         "fits/trailing_bytes.fits",
         false,
         {"there is no HDU 5", "has 2 readable HDUs"},
         0,
         {},
         {"--hdu", "5"}},
        {"real FITS cut at 100 kB",
         Kind::Import,
         "gen/buta_cut.fits",
         false,
         {"NAXIS2 = 3962", "the file is truncated"}},
        {"FITS with trailing bytes",
         Kind::Import,
         "fits/trailing_bytes.fits",
         true,
         {},
         0,
         {},
         {},
         [](const QJsonObject& s, const QJsonObject& shown) {
             QCOMPARE(s.value("rows").toInt(), 3);
             QCOMPARE(record(shown, 2).value("ra_deg").toDouble(), 12.0);
             QCOMPARE(record(shown, 2).value("name").toString(), "g2");
         }},
        // ---- images, decoded by `cutouts cache` (a bad image is listed, never a crash) ----
        {"HTML saved as .jpg", Kind::Image, "images/html.jpg", false, {"is an HTML/XML page"}},
        {"zero-byte .jpg", Kind::Image, "images/zero.jpg", false, {"empty file"}},
        {"truncated JPEG", Kind::Image, "images/truncated.jpg", false, {"truncated JPEG", "300 bytes"}},
        {"text named .png", Kind::Image, "images/text.png", false, {"not a JPEG or PNG image"}},
        {"PNG header 20000x20000",
         Kind::Image,
         "images/huge_header.png",
         false,
         {"PNG header (IHDR)", "20000 x 20000", "refused before decoding"}},
        {"JPEG header 20000x20000",
         Kind::Image,
         "images/huge_header.jpg",
         false,
         {"SOF at byte", "20000 x 20000", "refused before decoding"}},
        {"JPEG segment past the end",
         Kind::Image,
         "images/bad_segment.jpg",
         false,
         {"segment at byte 20", "60000 bytes"}},
        {"1x1 PNG", Kind::Image, "images/one_by_one.png", true},
        {"16-bit PNG", Kind::Image, "images/grey16.png", true},
        {"palette PNG", Kind::Image, "images/palette.png", true},
        {"CMYK JPEG", Kind::Image, "images/cmyk.jpg", true},
        {"grey JPEG", Kind::Image, "images/grey.jpg", true},
        // ---- safetensors weights (a matrix model's "pretrained"), checked before anything trains ----
        {"safetensors header past EOF",
         Kind::Weights,
         "weights/header_past_eof.safetensors",
         false,
         {"header length 1000", "past the end of the file (99 bytes)"}},
        {"safetensors header length 2^62",
         Kind::Weights,
         "weights/header_absurd.safetensors",
         false,
         {"header length 4611686018427387904 is implausible"}},
        {"safetensors offsets past end",
         Kind::Weights,
         "weights/offsets_past_end.safetensors",
         false,
         {"tensor 'conv.weight'", "ends at byte 4000000", "only 16 bytes"}},
        {"safetensors shape overflows",
         Kind::Weights,
         "weights/shape_overflow.safetensors",
         false,
         {"tensor 'conv.weight'", "needs more than 2^64 bytes"}},
        {"safetensors header not JSON",
         Kind::Weights,
         "weights/not_json.safetensors",
         false,
         {"header is not valid JSON"}},
        {"safetensors 3 bytes",
         Kind::Weights,
         "weights/short.safetensors",
         false,
         {"3 bytes, shorter than the 8-byte header length"}},
        {"safetensors unknown dtype",
         Kind::Weights,
         "weights/bad_dtype.safetensors",
         false,
         {"tensor 'conv.weight'", "unsupported dtype 'F8'"}},
        {"safetensors overlapping tensors",
         Kind::Weights,
         "weights/overlap.safetensors",
         false,
         {"tensor 'b' overlaps"}},
        {"pickle named .safetensors",
         Kind::Weights,
         "weights/pickle.safetensors",
         false,
         {"is a Python pickle", "never unpickles"}},
        // ---- project files ----
        {"project that is a CSV",
         Kind::Project,
         "projects/not_sqlite.rmproj",
         false,
         {"not an SQLite database", "name,ra,dec"}},
        {"project that is HTML",
         Kind::Project,
         "projects/html.rmproj",
         false,
         {"not an SQLite database", "<!DOCTYPE html>"}},
        {"zero-byte project", Kind::Project, "projects/zero.rmproj", false, {"the file is empty (0 bytes)"}},
        {"project from a newer schema",
         Kind::Project,
         "gen/newer.rmproj",
         false,
         {"schema version 99", "newer than this RingMiner understands"}},
        {"truncated project",
         Kind::Project,
         "gen/truncated.rmproj",
         false,
         {"the project file is truncated", "its SQLite header says", "restore it from a copy"}},
    };
    return cases;
}

// SHA-256 of every table's rows (in a canonical order) and of the project's files folder listing, after
// checking PRAGMA integrity_check.
QByteArray projectDigest(const QString& path)
{
    rm::Database db(path.toStdString(), false);
    if (db.queryText("PRAGMA integrity_check").value_or("") != "ok") return "integrity_check failed";
    QCryptographicHash h(QCryptographicHash::Sha256);
    std::vector<std::string> tables;
    for (auto st = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
         st.step();)
        tables.push_back(st.text(0));
    for (const std::string& t : tables) {
        h.addData(QByteArray::fromStdString("\n# " + t + "\n"));
        std::vector<std::string> rows;
        auto st = db.prepare("SELECT * FROM \"" + t + "\"");
        while (st.step()) {
            std::string row;
            for (int c = 0; c < st.columnCount(); ++c)
                row += (st.isNull(c) ? std::string("\x01") : st.text(c)) + '\x1f';
            rows.push_back(std::move(row));
        }
        std::sort(rows.begin(), rows.end());
        for (const auto& r : rows)
            h.addData(QByteArray::fromStdString(r + '\n'));
    }
    QDirIterator it(path + ".files", QDir::Files, QDirIterator::Subdirectories);
    QStringList files;
    while (it.hasNext()) {
        it.next();
        files << it.filePath() + " " + QString::number(it.fileInfo().size());
    }
    files.sort();
    h.addData(files.join('\n').toUtf8());
    return h.result().toHex();
}

QByteArray fileDigest(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return "missing";
    QByteArray d = QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex();
    for (const char* suffix : {"-wal", "-shm", "-journal"})
        if (QFileInfo::exists(path + suffix)) d += QByteArray(" +") + suffix; // SQLite made side files
    return d;
}

} // namespace

class TestCliBadInputs : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_corpus;    // tests/data/bad
    QString m_project;   // the project the catalog cases import into
    QString m_images;    // the project whose target set holds every image case
    QJsonObject m_cache; // `cutouts cache --json` over the image cases
    int m_imported = 0;
    int m_catalogs = 1; // "base", then each accepted case

    QString path(const QString& file) const
    {
        return file.startsWith("gen/") ? m_dir.filePath(file) : m_corpus + "/" + file;
    }

    // ringminer-cli with its address space bounded: an allocation of what a lying header claims fails.
    static rmtest::CliResult run(const QStringList& args)
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("MALLOC_ARENA_MAX", "2"); // glibc reserves 64 MB of address space per thread arena
        p.setProcessEnvironment(env);
#ifndef RM_TEST_ASAN // ASan reserves terabytes of shadow memory up front
        p.setChildProcessModifier([] {
            const rlimit limit{1ul << 30, 1ul << 30};
            ::setrlimit(RLIMIT_AS, &limit);
        });
#endif
        p.start(rmtest::cliPath(), args);
        rmtest::CliResult r;
        if (!p.waitForFinished(120000)) {
            p.kill();
            r.err = "timed out";
            return r;
        }
        r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = QString::fromUtf8(p.readAllStandardOutput());
        r.err = QString::fromUtf8(p.readAllStandardError());
        return r;
    }

    // The error object: ok false, the file named in the message and its "file" field, and each place.
    void checkError(const Case& c, const rmtest::CliResult& r, const QString& file)
    {
        const QJsonObject j = r.json();
        const QString context =
            QStringLiteral("exit %1\nstdout: %2\nstderr: %3").arg(r.exitCode).arg(r.out, r.err);
        QVERIFY2(r.exitCode == 1, qPrintable(context));
        QVERIFY2(j.value("ok") == QJsonValue(false), qPrintable(context));
        const QString error = j.value("error").toString();
        QVERIFY2(error.contains(file), qPrintable("the error does not name " + file + ": " + error));
        QVERIFY2(j.value("file").toString() == file, qPrintable(context));
        for (const QString& p : c.place)
            QVERIFY2(error.contains(p), qPrintable("the error does not say '" + p + "': " + error));
        QCOMPARE(j.value("row").toInt(), c.row);
        QCOMPARE(j.value("column").toString(), c.column);
        QVERIFY2(!r.err.contains("terminate called") && !r.err.contains("std::bad_alloc"), qPrintable(r.err));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!rmtest::cliPath().isEmpty(), "RINGMINER_CLI is not set (run through ctest)");
        const QByteArray source = qgetenv("RINGMINER_SOURCE_DIR");
        QVERIFY2(!source.isEmpty(), "RINGMINER_SOURCE_DIR is not set (run through ctest)");
        m_corpus = QString::fromLocal8Bit(source) + "/tests/data/bad";
        QVERIFY2(QFileInfo::exists(m_corpus + "/README.md"), qPrintable(m_corpus));
        QVERIFY(QDir(m_dir.path()).mkpath("gen"));

        // The project the catalog cases import into, with one catalog already in it.
        m_project = m_dir.filePath("catalogs.rmproj");
        QCOMPARE(run({"project", "new", m_project}).exitCode, 0);
        auto r = run({"catalog", "import", m_project, path("catalogs/crlf.csv"), "--name", "base", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));

        // Generated cases: a real FITS table cut short, a project from a newer schema, a truncated project.
        RM_SHARED_DATA(butaFits, "catalogs/buta2017_table2.fits");
        QFile in(QString::fromStdString(butaFits));
        QVERIFY(in.open(QIODevice::ReadOnly));
        QFile cut(path("gen/buta_cut.fits"));
        QVERIFY(cut.open(QIODevice::WriteOnly));
        cut.write(in.read(100000));
        cut.close();
        const QString newer = path("gen/newer.rmproj");
        QCOMPARE(run({"project", "new", newer}).exitCode, 0);
        QCOMPARE(run({"catalog", "import", newer, path("catalogs/bom.csv"), "--name", "b"}).exitCode, 0);
        {
            rm::Database db(newer.toStdString(), false);
            db.exec("PRAGMA user_version = 99");
        }
        QFile whole(m_project);
        QVERIFY(whole.open(QIODevice::ReadOnly));
        const QByteArray bytes = whole.readAll();
        QVERIFY(bytes.size() > 8192);
        QFile truncated(path("gen/truncated.rmproj"));
        QVERIFY(truncated.open(QIODevice::WriteOnly));
        truncated.write(bytes.left(bytes.size() / 2));
        truncated.close();

        // Every image case is one row of a labelled catalog whose images come from the corpus folder; one
        // `cutouts cache` decodes them all (two good images keep both classes).
        m_images = m_dir.filePath("images.rmproj");
        QCOMPARE(run({"project", "new", m_images}).exitCode, 0);
        QFile csv(m_dir.filePath("images.csv"));
        QVERIFY(csv.open(QIODevice::WriteOnly));
        csv.write("name,ra,dec,file,ring\ng0,10.0,1.0,good_a.jpg,1\ng1,11.0,2.0,good_b.jpg,0\n");
        int i = 2;
        for (const Case& c : corpus()) {
            if (c.kind != Kind::Image) continue;
            csv.write(QStringLiteral("g%1,%2,%3,%4,%5\n")
                          .arg(i)
                          .arg(10.0 + i)
                          .arg(1.0 + i)
                          .arg(QFileInfo(c.file).fileName())
                          .arg(i % 2)
                          .toUtf8());
            ++i;
        }
        csv.close();
        r = run({"catalog", "import", m_images, csv.fileName(), "--name", "imgs", "--role", "labelled",
                 "--label-column", "ring"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = run({"cutouts", "source", m_images, "imgs", "--folder", m_corpus + "/images", "--template",
                 "{file}", "--check", "100"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = run({"targets", "build", m_images, "--name", "bad", "--labelled", "imgs"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = run({"cutouts", "cache", m_images, "--target-set", "bad", "--size", "16", "--threads", "2",
                 "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        m_cache = r.json();
        QCOMPARE(m_cache.value("records").toInt(), i);
    }

    void corpusIsLargeEnough()
    {
        QVERIFY(corpus().size() >= 40);
        // Every committed file is a case (or a good image the cases need), and every case's file exists.
        QSet<QString> named;
        for (const Case& c : corpus()) {
            named.insert(c.file);
            QVERIFY2(QFileInfo::exists(path(c.file)), qPrintable(c.file));
        }
        QDirIterator it(m_corpus, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString rel = QDir(m_corpus).relativeFilePath(it.next());
            if (rel == "README.md" || rel == "make_corpus.py" || rel == "images/good_b.jpg") continue;
            QVERIFY2(named.contains(rel), qPrintable(rel + " is in tests/data/bad but no case uses it"));
        }
    }

    void walk_data()
    {
        QTest::addColumn<int>("index");
        for (std::size_t i = 0; i < corpus().size(); ++i)
            QTest::newRow(corpus()[i].name) << int(i);
    }

    void walk()
    {
        QFETCH(int, index);
        const Case& c = corpus()[static_cast<std::size_t>(index)];
        const QString file = path(c.file);
        switch (c.kind) {
        case Kind::Import: {
            const QByteArray before = projectDigest(m_project);
            const QString name = QStringLiteral("case%1").arg(++m_imported);
            const auto r =
                run(QStringList{"catalog", "import", m_project, file, "--name", name, "--json"} + c.extra);
            if (c.accepted) {
                QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
                QCOMPARE(r.json().value("ok").toBool(), true);
                ++m_catalogs;
                const auto shown = run({"catalog", "show", m_project, name, "--limit", "0", "--json"});
                QVERIFY2(shown.exitCode == 0, qPrintable(shown.out + shown.err));
                c.check(r.json(), shown.json());
                return;
            }
            checkError(c, r, file);
            // Nothing imported, nothing half-written: every table's rows as before (one CLI start per case;
            // the suite runs on busy machines).
            QCOMPARE(projectDigest(m_project), before);
            break;
        }
        case Kind::Image: {
            // The cache lists the file with its reason and the galaxy (catalog:row) it belongs to.
            QString error, key;
            for (const auto& e : m_cache.value("errors").toArray())
                if (e.toObject().value("error").toString().contains(file)) {
                    error = e.toObject().value("error").toString();
                    key = e.toObject().value("key").toString();
                }
            if (c.accepted) {
                QVERIFY2(error.isEmpty(), qPrintable(error));
                const rm::Image image = rm::decodeImageFile(file.toStdString());
                QCOMPARE(image.channels, 3);
                const auto px = [&](int ch) { return int(image.pixels[static_cast<std::size_t>(ch)]); };
                const QString n = QFileInfo(file).fileName();
                if (n == "one_by_one.png") {
                    QCOMPARE(image.width, 1);
                    QCOMPARE(image.height, 1);
                    QCOMPARE(px(0), 255);
                    QCOMPARE(px(1), 128);
                    QCOMPARE(px(2), 0);
                } else if (n == "grey16.png") { // 40000 of 65535 is 155.6 of 255
                    QVERIFY2(px(0) >= 155 && px(0) <= 156 && px(1) == px(0) && px(2) == px(0),
                             qPrintable(QString::number(px(0))));
                } else if (n == "palette.png") {
                    QCOMPARE(px(0), 30);
                    QCOMPARE(px(1), 144);
                    QCOMPARE(px(2), 255);
                } else if (n == "cmyk.jpg") { // C=0 M=Y=255 K=0 is red
                    QVERIFY2(px(0) > 200 && px(1) < 60 && px(2) < 60,
                             qPrintable(QStringLiteral("%1 %2 %3").arg(px(0)).arg(px(1)).arg(px(2))));
                } else if (n == "grey.jpg") {
                    QVERIFY(std::abs(px(0) - 77) <= 2 && px(1) == px(0) && px(2) == px(0));
                }
                return;
            }
            QVERIFY2(!error.isEmpty(), qPrintable(file + " is not among the cache's errors: " +
                                                  QJsonDocument(m_cache).toJson()));
            QVERIFY2(key.startsWith("1:"), qPrintable(key)); // catalog 1, its row
            for (const QString& p : c.place)
                QVERIFY2(error.contains(p), qPrintable("the error does not say '" + p + "': " + error));
            QVERIFY2(!error.contains("Insufficient memory") && !error.contains("OpenCV"), qPrintable(error));
            break;
        }
        case Kind::Weights: {
            const QString matrix = m_dir.filePath("matrix.json");
            QFile m(matrix);
            QVERIFY(m.open(QIODevice::WriteOnly | QIODevice::Truncate));
            m.write(QJsonDocument(QJsonObject{{"name", "weights"},
                                              {"target_sets", QJsonArray{"bad"}},
                                              {"modes", QJsonArray{"all_layers"}},
                                              {"models", QJsonArray{QJsonObject{{"name", "m"},
                                                                                {"arch", "simple_cnn"},
                                                                                {"in_chans", 3},
                                                                                {"pretrained", file}}}}})
                        .toJson());
            m.close();
            const QByteArray before = projectDigest(m_images);
            const auto r = run({"train", m_images, "--matrix", matrix, "--json"});
            checkError(c, r, file);
            QVERIFY2(r.json().value("error").toString().contains("nothing was trained"), qPrintable(r.out));
            QCOMPARE(projectDigest(m_images), before);
            break;
        }
        case Kind::Project: {
            // A copy: the cases must not touch the corpus; byte-identical afterwards, no -wal/-shm made.
            const QString copy = m_dir.filePath("p_" + QFileInfo(file).fileName());
            QFile::remove(copy);
            QVERIFY(QFile::copy(file, copy));
            QFile::setPermissions(copy, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
            const QByteArray before = fileDigest(copy);
            auto r = run({"project", "info", copy, "--json"});
            checkError(c, r, copy);
            r = run({"catalog", "import", copy, path("catalogs/bom.csv"), "--name", "x", "--json"});
            checkError(c, r, copy);
            QCOMPARE(fileDigest(copy), before);
            break;
        }
        }
    }

    // Rejected imports with --skip-bad: the rows that can be kept are, the bad one is listed with its place.
    void skipBadKeepsTheRest()
    {
        const auto r = run({"catalog", "import", m_project, path("catalogs/nan_ra.csv"), "--name", "skipped",
                            "--skip-bad", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.json().value("rows").toInt(), 2);
        QCOMPARE(r.json().value("skipped").toInt(), 1);
        QVERIFY2(r.err.contains("nan_ra.csv, row 2, column 'ra'"), qPrintable(r.err));
    }

    // Untrusted files: none of the corpus made a process crash, and the catalog project is intact.
    void projectsStillIntact()
    {
        // "base", the accepted cases and the --skip-bad import: no refused case left a catalog behind.
        const auto r = run({"catalog", "list", m_project, "--json"});
        QCOMPARE(r.json().value("catalogs").toArray().size(), m_catalogs + 1);
        rm::Database db(m_project.toStdString(), false);
        QCOMPARE(QString::fromStdString(db.queryText("PRAGMA integrity_check").value_or("")), QString("ok"));
        rm::Database images(m_images.toStdString(), false);
        QCOMPARE(QString::fromStdString(images.queryText("PRAGMA integrity_check").value_or("")),
                 QString("ok"));
    }
};

QTEST_GUILESS_MAIN(TestCliBadInputs)
#include "test_cli_bad_inputs.moc"
