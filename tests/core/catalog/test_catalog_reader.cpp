// Catalog import on the real catalogs of ../shared/data (every file, Buta CSV against Buta FITS, IAU names
// against sexagesimal) and on small files written here to pin down CSV/FITS/whitespace details and bad rows.
#include "TestData.h"
#include "TimingBounds.h"

#include "catalog/CatalogReader.h"
#include "sky/SkyCoords.h"
#include "util/Error.h"

#include <QElapsedTimer>
#include <QtTest>

#include <fitsio.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>

using namespace rm;

Q_DECLARE_METATYPE(rm::PositionKind)

namespace {

std::string writeFile(const QTemporaryDir& dir, const char* name, const std::string& content)
{
    const std::string path = dir.filePath(QString::fromUtf8(name)).toStdString();
    std::ofstream(path, std::ios::binary) << content;
    return path;
}

// The InputError thrown by importCatalog, or a failed test.
template <typename F> std::optional<InputError> inputErrorOf(F&& f)
{
    try {
        f();
    } catch (const InputError& e) {
        return e;
    }
    return std::nullopt;
}

#define EXPECT_INPUT_ERROR(var, expr)                                                                        \
    const std::optional<InputError> var = inputErrorOf([&] { (void)(expr); });                               \
    QVERIFY2(var.has_value(), "expected an rm::InputError")

bool contains(const char* text, const std::string& part)
{
    return std::string(text).find(part) != std::string::npos;
}

std::vector<std::string> texts(const Column& c)
{
    std::vector<std::string> out;
    for (std::size_t r = 0; r < c.size(); ++r)
        out.push_back(c.text(r));
    return out;
}

// Writes a binary table through cfitsio: every column kind the reader handles, plus a vector column it skips.
void writeBinaryFits(const std::string& path, const std::vector<double>& ra, const std::vector<double>& dec)
{
    fitsfile* f = nullptr;
    int status = 0;
    const std::string bang = "!" + path; // cfitsio: overwrite
    fits_create_file(&f, bang.c_str(), &status);
    char* names[] = {const_cast<char*>("RA"),   const_cast<char*>("DEC"),  const_cast<char*>("objid"),
                     const_cast<char*>("flag"), const_cast<char*>("name"), const_cast<char*>("mag"),
                     const_cast<char*>("cnt"),  const_cast<char*>("vec")};
    char* forms[] = {const_cast<char*>("1D"), const_cast<char*>("1D"),  const_cast<char*>("1K"),
                     const_cast<char*>("1L"), const_cast<char*>("12A"), const_cast<char*>("1E"),
                     const_cast<char*>("1J"), const_cast<char*>("3D")};
    char* units[] = {const_cast<char*>("deg"), const_cast<char*>("deg"), const_cast<char*>(""),
                     const_cast<char*>(""),    const_cast<char*>(""),    const_cast<char*>("mag"),
                     const_cast<char*>(""),    const_cast<char*>("")};
    fits_create_tbl(f, BINARY_TBL, 0, 8, names, forms, units, "CAT", &status);
    long tnull = -99;
    fits_write_key(f, TLONG, "TNULL7", &tnull, "null count", &status);
    fits_set_btblnull(f, 7, tnull, &status);
    const auto n = static_cast<LONGLONG>(ra.size());
    fits_write_col(f, TDOUBLE, 1, 1, 1, n, const_cast<double*>(ra.data()), &status);
    fits_write_col(f, TDOUBLE, 2, 1, 1, n, const_cast<double*>(dec.data()), &status);
    std::vector<LONGLONG> ids;
    std::vector<char> flags;
    std::vector<std::string> nameStore;
    std::vector<char*> namePtrs;
    std::vector<float> mags;
    std::vector<long> counts;
    std::vector<double> vec;
    for (LONGLONG i = 0; i < n; ++i) {
        ids.push_back(1237645941824356443LL + i);
        flags.push_back(i % 2 ? 1 : 0);
        nameStore.push_back(i % 3 == 0 ? std::string("") : "gal " + std::to_string(i) + "  ");
        mags.push_back(i % 4 == 1 ? std::numeric_limits<float>::quiet_NaN() : 15.5f + i);
        counts.push_back(i % 5 == 2 ? tnull : i * 10);
        for (int k = 0; k < 3; ++k)
            vec.push_back(i + 0.1 * k);
    }
    for (auto& s : nameStore)
        namePtrs.push_back(s.data());
    fits_write_col(f, TLONGLONG, 3, 1, 1, n, ids.data(), &status);
    fits_write_col(f, TLOGICAL, 4, 1, 1, n, flags.data(), &status);
    fits_write_col(f, TSTRING, 5, 1, 1, n, namePtrs.data(), &status);
    fits_write_col(f, TFLOAT, 6, 1, 1, n, mags.data(), &status);
    fits_write_col(f, TLONG, 7, 1, 1, n, counts.data(), &status);
    fits_write_col(f, TDOUBLE, 8, 1, 1, 3 * n, vec.data(), &status);
    fits_close_file(f, &status);
    if (status) {
        char text[FLEN_STATUS];
        fits_get_errstatus(status, text);
        QFAIL(qPrintable(QStringLiteral("writing the test FITS failed: %1").arg(text)));
    }
}

// Writes an ASCII table from raw field text (right-justified), to test the field decoding itself: blank
// numbers, TNULL strings, Fortran D exponents, the implied decimal point of Fw.d and an undecodable integer.
void writeAsciiFits(const std::string& path, const std::vector<std::vector<std::string>>& rows)
{
    fitsfile* f = nullptr;
    int status = 0;
    const std::string bang = "!" + path;
    fits_create_file(&f, bang.c_str(), &status);
    const char* namesC[] = {"RA", "DEC", "N", "NAME", "MAG", "Z"};
    const char* formsC[] = {"F10.5", "F10.5", "I6", "A8", "D12.4", "F8.3"};
    const char* unitsC[] = {"deg", "deg", "", "", "mag", ""};
    std::vector<char*> names, forms, units;
    for (int i = 0; i < 6; ++i) {
        names.push_back(const_cast<char*>(namesC[i]));
        forms.push_back(const_cast<char*>(formsC[i]));
        units.push_back(const_cast<char*>(unitsC[i]));
    }
    fits_create_tbl(f, ASCII_TBL, static_cast<LONGLONG>(rows.size()), 6, names.data(), forms.data(),
                    units.data(), "ASCII", &status);
    fits_write_key(f, TSTRING, "TNULL3", const_cast<char*>("-999"), "null", &status);
    long rowLength = 0;
    fits_read_key(f, TLONG, "NAXIS1", &rowLength, nullptr, &status);
    const int widths[] = {10, 10, 6, 8, 12, 8};
    for (std::size_t r = 0; r < rows.size(); ++r) {
        std::string line(static_cast<std::size_t>(rowLength), ' ');
        for (int c = 0; c < 6; ++c) {
            long tbcol = 0;
            fits_read_key(f, TLONG, ("TBCOL" + std::to_string(c + 1)).c_str(), &tbcol, nullptr, &status);
            const std::string& v = rows[r][static_cast<std::size_t>(c)];
            line.replace(static_cast<std::size_t>(tbcol - 1 + widths[c]) - v.size(), v.size(), v);
        }
        fits_write_tblbytes(f, static_cast<LONGLONG>(r + 1), 1, rowLength,
                            reinterpret_cast<unsigned char*>(line.data()), &status);
    }
    fits_close_file(f, &status);
    if (status) {
        char text[FLEN_STATUS];
        fits_get_errstatus(status, text);
        QFAIL(qPrintable(QStringLiteral("writing the test ASCII FITS failed: %1").arg(text)));
    }
}

} // namespace

class TestCatalogReader : public QObject
{
    Q_OBJECT

private slots:
    // ---------------------------------------------------------------- real data

    void realCatalogsImport_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("rows");
        QTest::addColumn<PositionKind>("kind");
        QTest::addColumn<QString>("raColumn");
        QTest::newRow("buta csv") << "catalogs/buta2017_table2.csv" << 3962 << PositionKind::Degrees
                                  << "_RAJ2000";
        QTest::newRow("buta fits") << "catalogs/buta2017_table2.fits" << 3962 << PositionKind::Degrees
                                   << "_RAJ2000";
        QTest::newRow("nair") << "catalogs/nair_abraham2010_no_ring.csv" << 11437 << PositionKind::Degrees
                              << "RAdeg";
        QTest::newRow("abraham") << "catalogs/abraham2024_sdss_ring_predictions.csv" << 29420
                                 << PositionKind::Degrees << "ra";
        QTest::newRow("gz2") << "catalogs/gz2_hart16_sample2000.csv" << 2000 << PositionKind::Degrees << "ra";
        QTest::newRow("chen rings") << "catalogs/chen2025_desi_rings_radec.txt" << 5173
                                    << PositionKind::Degrees << "ra";
        QTest::newRow("chen norings")
            << "catalogs/chen2025_desi_norings_radec.txt" << 15000 << PositionKind::Degrees << "ra";
        QTest::newRow("krishnakumar")
            << "catalogs/krishnakumar_ps1_ring_candidates.csv" << 1967 << PositionKind::Degrees << "RA";
        QTest::newRow("gzd labels") << "images/gzdecals_ring470/labels.csv" << 377 << PositionKind::IauName
                                    << "iauname";
    }
    void realCatalogsImport()
    {
        QFETCH(QString, file);
        QFETCH(int, rows);
        QFETCH(PositionKind, kind);
        QFETCH(QString, raColumn);
        // RM_SHARED_DATA wants a literal; the same loud check for a data-driven name.
        const std::string path = rmtest::sharedData(file.toUtf8().constData());
        QVERIFY2(!path.empty(),
                 qPrintable(QStringLiteral("missing real data file %1/%2 (see ../shared/data/README.md)")
                                .arg(rmtest::sharedDataDir(), file)));
        for (BadRowPolicy policy : {BadRowPolicy::Abort, BadRowPolicy::Skip}) {
            ImportOptions options;
            options.onBadRow = policy;
            const ImportedCatalog cat = importCatalog(path, options);
            QCOMPARE(cat.table.rowCount(), std::size_t(rows));
            QCOMPARE(cat.ra.size(), std::size_t(rows));
            QCOMPARE(cat.dec.size(), std::size_t(rows));
            QCOMPARE(cat.sourceRow.size(), std::size_t(rows));
            QVERIFY2(cat.skipped.empty(), cat.skipped.empty() ? "" : cat.skipped.front().message().c_str());
            QVERIFY(cat.position.kind == kind);
            QCOMPARE(QString::fromStdString(cat.position.raColumn), raColumn);
            for (std::size_t i = 0; i < cat.ra.size(); ++i) {
                QVERIFY(validPosition(cat.ra[i], cat.dec[i]));
                QCOMPARE(cat.sourceRow[i], i + 1);
            }
            for (const Column& c : cat.table.columns)
                QCOMPARE(c.size(), std::size_t(rows));
        }
    }

    void butaCsvAndFitsAgree()
    {
        RM_SHARED_DATA(csvPath, "catalogs/buta2017_table2.csv");
        RM_SHARED_DATA(fitsPath, "catalogs/buta2017_table2.fits");
        const ImportedCatalog csv = importCatalog(csvPath);
        const ImportedCatalog fits = importCatalog(fitsPath);
        QCOMPARE(csv.format, CatalogFormat::Csv);
        QCOMPARE(fits.format, CatalogFormat::Fits);
        QCOMPARE(csv.ra.size(), fits.ra.size());
        for (std::size_t i = 0; i < csv.ra.size(); ++i) {
            QVERIFY2(std::fabs(csv.ra[i] - fits.ra[i]) < 1e-6, qPrintable(QString("row %1 ra").arg(i + 1)));
            QVERIFY2(std::fabs(csv.dec[i] - fits.dec[i]) < 1e-6,
                     qPrintable(QString("row %1 dec").arg(i + 1)));
        }
        for (const char* name : {"OV", "IV", "Fam", "ST", "CVRHS", "Names", "RAJ2000", "DEJ2000"}) {
            const Column& a = csv.table.column(name);
            const Column& b = fits.table.column(name);
            QVERIFY2(a.type == ColumnType::Text, name);
            QVERIFY2(b.type == ColumnType::Text, name);
            QVERIFY2(texts(a) == texts(b), name); // FITS pads with blanks; the reader trims them
        }
        // Quoted CSV fields with embedded commas.
        QCOMPARE(csv.table.column("IV").text(0), std::string("(r,bl)"));
        QCOMPARE(csv.table.column("CVRHS").text(0), std::string("SB(r,bl)ab:"));
        QCOMPARE(csv.table.column("OV").text(1), std::string("(R2PL)"));
        QVERIFY(csv.table.column("OV").isNull(0)); // blank cell
        // Numbers agree too, blanks included: z has 241 blank cells in both.
        for (const char* name : {"recno", "PGCName", "T"}) {
            QVERIFY2(csv.table.column(name).type == ColumnType::Integer, name);
            QVERIFY2(fits.table.column(name).type == ColumnType::Integer, name);
        }
        QVERIFY(texts(csv.table.column("recno")) == texts(fits.table.column("recno")));
        QVERIFY(texts(csv.table.column("T")) == texts(fits.table.column("T")));
        // The two VizieR exports differ on a missing PGC number: the FITS field is blank (null), the CSV says
        // 0.
        const Column& pgcCsv = csv.table.column("PGCName");
        const Column& pgcFits = fits.table.column("PGCName");
        std::size_t missing = 0;
        for (std::size_t r = 0; r < pgcCsv.size(); ++r) {
            if (pgcFits.isNull(r)) {
                ++missing;
                QCOMPARE(pgcCsv.integers[r], std::int64_t(0));
            } else {
                QCOMPARE(pgcCsv.integers[r], pgcFits.integers[r]);
            }
        }
        QCOMPARE(missing, std::size_t(232));
        for (const char* name : {"z", "F"}) {
            const Column& a = csv.table.column(name);
            const Column& b = fits.table.column(name);
            QVERIFY2(a.type == ColumnType::Real && b.type == ColumnType::Real, name);
            std::size_t nulls = 0;
            for (std::size_t r = 0; r < a.size(); ++r) {
                QCOMPARE(a.isNull(r), b.isNull(r));
                nulls += a.isNull(r);
                if (!a.isNull(r)) QVERIFY(std::fabs(*a.number(r) - *b.number(r)) < 1e-9);
            }
            if (std::string(name) == "z") QCOMPARE(nulls, std::size_t(241));
        }
        QCOMPARE(fits.table.column("_RAJ2000").unit, std::string("deg"));
        QCOMPARE(fits.table.columnCount(), std::size_t(18));
        QCOMPARE(csv.table.columnCount(), std::size_t(18));
    }

    // The sexagesimal RAJ2000/DEJ2000 of Buta give the same positions as VizieR's computed degrees.
    void butaSexagesimalMatchesDegrees()
    {
        RM_SHARED_DATA(path, "catalogs/buta2017_table2.csv");
        ImportOptions options;
        options.raColumn = "RAJ2000";
        options.decColumn = "DEJ2000";
        const ImportedCatalog sexa = importCatalog(path, options);
        const ImportedCatalog deg = importCatalog(path);
        QVERIFY(sexa.position.kind == PositionKind::Sexagesimal);
        QCOMPARE(sexa.ra.size(), deg.ra.size());
        for (std::size_t i = 0; i < deg.ra.size(); ++i)
            QVERIFY(angularSeparationArcsec(sexa.ra[i], sexa.dec[i], deg.ra[i], deg.dec[i]) < 0.01);
        QVERIFY(std::fabs(sexa.ra[0] - 15.0 * (7 + 24 / 60.0 + 20.75 / 3600.0)) < 1e-12);
        QVERIFY(std::fabs(sexa.dec[0] - (42 + 9 / 60.0 + 0.6 / 3600.0)) < 1e-12);
        // The same from the FITS file's string columns.
        RM_SHARED_DATA(fitsPath, "catalogs/buta2017_table2.fits");
        const ImportedCatalog fitsSexa = importCatalog(fitsPath, options);
        QVERIFY(fitsSexa.position.kind == PositionKind::Sexagesimal);
        QCOMPARE(fitsSexa.ra, sexa.ra);
        QCOMPARE(fitsSexa.dec, sexa.dec);
    }

    void gzdLabelsIauNames()
    {
        RM_SHARED_DATA(path, "images/gzdecals_ring470/labels.csv");
        const ImportedCatalog cat = importCatalog(path);
        QVERIFY(cat.position.kind == PositionKind::IauName);
        QCOMPARE(cat.position.raColumn, std::string("iauname"));
        const Column& names = cat.table.column("iauname");
        // Every name against the sexagesimal parse of its own digits: JHHMMSS.ss+DDMMSS.s.
        for (std::size_t i = 0; i < names.size(); ++i) {
            const std::string n = names.text(i);
            QCOMPARE(n.size(), std::size_t(19));
            const auto ra = parseSexagesimalRa(n.substr(1, 2) + " " + n.substr(3, 2) + " " + n.substr(5, 5));
            const auto dec =
                parseSexagesimalDec(n.substr(10, 3) + " " + n.substr(13, 2) + " " + n.substr(15, 4));
            QVERIFY2(ra && dec, n.c_str());
            QVERIFY2(std::fabs(*ra - cat.ra[i]) < 1e-9 && std::fabs(*dec - cat.dec[i]) < 1e-9, n.c_str());
        }
        // Worked by hand. J001655.18-002739.1: 15 * (16/60 + 55.18/3600) and -(27/60 + 39.1/3600).
        QCOMPARE(names.text(0), std::string("J001655.18-002739.1"));
        QVERIFY(std::fabs(cat.ra[0] - 4.2299166666667) < 1e-9);
        QVERIFY(std::fabs(cat.dec[0] - -0.46086111111111) < 1e-9); // the sign of -00
        // J005130.07-011511.2: 15 * (51/60 + 30.07/3600) and -(1 + 15/60 + 11.2/3600).
        QCOMPARE(names.text(1), std::string("J005130.07-011511.2"));
        QVERIFY(std::fabs(cat.ra[1] - 12.875291666667) < 1e-9);
        QVERIFY(std::fabs(cat.dec[1] - -1.2531111111111) < 1e-9);
        // The label column is an integer 0/1 with the documented balance.
        const Column& ring = cat.table.column("ring");
        QVERIFY(ring.type == ColumnType::Integer);
        std::int64_t rings = 0;
        for (std::size_t i = 0; i < ring.size(); ++i)
            rings += ring.integers[i];
        QCOMPARE(rings, std::int64_t(187));
        QVERIFY(cat.table.column("featured_fraction").type == ColumnType::Real);
    }

    void gz2AndAbrahamColumns()
    {
        RM_SHARED_DATA(gz2Path, "catalogs/gz2_hart16_sample2000.csv");
        RM_SHARED_DATA(abrahamPath, "catalogs/abraham2024_sdss_ring_predictions.csv");
        const ImportedCatalog gz2 = importCatalog(gz2Path);
        QCOMPARE(gz2.table.columns.front().name, std::string("index")); // the unnamed pandas index
        QVERIFY(gz2.table.columns.front().type == ColumnType::Integer);
        QVERIFY(gz2.table.column("dr7objid").type == ColumnType::Integer);
        QVERIFY(gz2.table.column("rastring").type == ColumnType::Text);
        QVERIFY(gz2.table.column("gz2_class").type == ColumnType::Text);
        QCOMPARE(gz2.table.columnCount(), std::size_t(232));
        // rastring/decstring (sexagesimal) agree with ra/dec.
        ImportOptions options;
        options.raColumn = "rastring";
        options.decColumn = "decstring";
        const ImportedCatalog sexa = importCatalog(gz2Path, options);
        QVERIFY(sexa.position.kind == PositionKind::Sexagesimal);
        // The real file lost the sign of "-00" in decstring (42 rows with -1 < dec < 0 read "+00:..."):
        // exactly the bug the -00 handling exists for. Everywhere else the two agree.
        const Column& decstring = gz2.table.column("decstring");
        std::size_t lostSign = 0;
        for (std::size_t i = 0; i < gz2.ra.size(); ++i) {
            if (gz2.dec[i] < 0 && sexa.dec[i] > 0) {
                ++lostSign;
                QVERIFY(gz2.dec[i] > -1 && decstring.text(i).rfind("+00:", 0) == 0);
                QVERIFY(angularSeparationArcsec(sexa.ra[i], -sexa.dec[i], gz2.ra[i], gz2.dec[i]) < 0.2);
                continue;
            }
            QVERIFY(angularSeparationArcsec(sexa.ra[i], sexa.dec[i], gz2.ra[i], gz2.dec[i]) < 0.2);
        }
        QCOMPARE(lostSign, std::size_t(42));

        const ImportedCatalog ab = importCatalog(abrahamPath);
        const Column& objid = ab.table.column("objid");
        QVERIFY(objid.type == ColumnType::Integer); // 19-digit ids fit int64 and stay exact
        QCOMPARE(objid.integers[0], std::int64_t(1237645941824356443LL));
        QVERIFY(ab.table.column("Label").type == ColumnType::Text);
        QCOMPARE(ab.table.column("Label").text(0), std::string("Rings"));
    }

    // ---------------------------------------------------------------- bad rows

    void badRows_data()
    {
        QTest::addColumn<QString>("content");
        QTest::addColumn<int>("row");
        QTest::addColumn<QString>("column");
        QTest::addColumn<QString>("reason");
        const QString header = "id,ra,dec,name\n";
        QTest::newRow("dec 95 at row 3")
            << header + "1,10.5,1.5,a\n2,11.5,2.5,b\n3,12.5,95.2,c\n4,13.5,4.5,d\n"
            << 3 << "dec"
            << "dec 95.2 is out of range [-90, 90]";
        QTest::newRow("missing field") << header + "1,10.5,1.5,a\n2,11.5,b\n3,12.5,3.5,c\n4,13.5,4.5,d\n"
                                       << 2 << ""
                                       << "expected 4 fields, found 3";
        QTest::newRow("extra field") << header + "1,10.5,1.5,a\n2,11.5,2.5,b\n3,12.5,3.5,c,x\n4,13.5,4.5,d\n"
                                     << 3 << ""
                                     << "expected 4 fields, found 5";
        QTest::newRow("non-numeric ra") << header + "1,10.5,1.5,a\n2,11.5,2.5,b\n3,12.5,3.5,c\n4,abc,4.5,d\n"
                                        << 4 << "ra"
                                        << "ra 'abc' is not a number";
        QTest::newRow("nan dec") << header + "1,10.5,1.5,a\n2,11.5,nan,b\n3,12.5,3.5,c\n4,13.5,4.5,d\n"
                                 << 2 << "dec"
                                 << "dec nan is not finite";
        QTest::newRow("blank ra") << header + "1,,1.5,a\n2,11.5,2.5,b\n3,12.5,3.5,c\n4,13.5,4.5,d\n"
                                  << 1 << "ra"
                                  << "ra is blank";
        QTest::newRow("negative ra") << header + "1,10.5,1.5,a\n2,11.5,2.5,b\n3,-12.5,3.5,c\n4,13.5,4.5,d\n"
                                     << 3 << "ra"
                                     << "ra -12.5 is out of range [0, 360]";
        QTest::newRow("after comments")
            << "# a comment\n" + header +
                   "# another\n1,10.5,1.5,a\n\n2,11.5,inf,b\n  \n3,12.5,3.5,c\n#\n4,13.5,4.5,d"
            << 2 << "dec"
            << "dec inf is not finite";
    }
    void badRows()
    {
        QFETCH(QString, content);
        QFETCH(int, row);
        QFETCH(QString, column);
        QFETCH(QString, reason);
        QTemporaryDir dir;
        const std::string path = writeFile(dir, "bad.csv", content.toStdString());

        EXPECT_INPUT_ERROR(e, importCatalog(path));
        QCOMPARE(QString::fromStdString(e->file()), QString::fromStdString(path));
        QCOMPARE(e->row(), std::size_t(row));
        QCOMPARE(QString::fromStdString(e->column()), column);
        QCOMPARE(QString::fromStdString(e->reason()), reason);
        QVERIFY(contains(e->what(), path));
        QVERIFY(contains(e->what(), "row " + std::to_string(row)));
        if (!column.isEmpty()) QVERIFY(contains(e->what(), "column '" + column.toStdString() + "'"));

        ImportOptions skip;
        skip.onBadRow = BadRowPolicy::Skip;
        const ImportedCatalog cat = importCatalog(path, skip);
        const std::size_t rows = 4; // data rows in every case
        QCOMPARE(cat.skipped.size(), std::size_t(1));
        QCOMPARE(cat.skipped[0].row, std::size_t(row));
        QCOMPARE(QString::fromStdString(cat.skipped[0].column), column);
        QCOMPARE(QString::fromStdString(cat.skipped[0].reason), reason);
        QCOMPARE(cat.table.rowCount(), rows - 1);
        QCOMPARE(cat.ra.size(), rows - 1);
        // Alignment: the id column, the source row and the position all describe the same row.
        const Column& id = cat.table.column("id");
        QVERIFY(id.type == ColumnType::Integer);
        QVERIFY(cat.table.column("ra").type == ColumnType::Real); // not poisoned by the skipped cell
        QVERIFY(cat.table.column("dec").type == ColumnType::Real);
        for (std::size_t i = 0; i < cat.ra.size(); ++i) {
            QVERIFY(cat.sourceRow[i] != std::size_t(row));
            QCOMPARE(std::size_t(id.integers[i]), cat.sourceRow[i]);
            QCOMPARE(cat.ra[i], 9.5 + double(cat.sourceRow[i]));
        }
    }

    // Several bad rows: Skip lists them in file order; Abort stops at the first.
    void manyBadRows()
    {
        QTemporaryDir dir;
        const std::string path = writeFile(
            dir, "bad.csv", "id,ra,dec\n1,10,1\n2,10,95\n3,10\n4,x,4\n5,10,nan\n6,10,6\n7,10,7,0\n");
        ImportOptions skip;
        skip.onBadRow = BadRowPolicy::Skip;
        const ImportedCatalog cat = importCatalog(path, skip);
        QCOMPARE(cat.skipped.size(), std::size_t(5));
        const std::size_t expected[] = {2, 3, 4, 5, 7};
        for (std::size_t i = 0; i < 5; ++i)
            QCOMPARE(cat.skipped[i].row, expected[i]);
        QVERIFY(contains(cat.skipped[0].message().c_str(), "row 2, column 'dec': dec 95 is out of range"));
        QCOMPARE(cat.sourceRow, (std::vector<std::size_t>{1, 6}));
        QCOMPARE(cat.table.column("id").integers, (std::vector<std::int64_t>{1, 6}));
        EXPECT_INPUT_ERROR(e, importCatalog(path));
        QCOMPARE(e->row(), std::size_t(2));
        // A malformed row before the first bad position is reported first.
        const std::string early = writeFile(dir, "early.csv", "id,ra,dec\n1,10,1\n2,10\n3,10,95\n");
        EXPECT_INPUT_ERROR(e2, importCatalog(early));
        QCOMPARE(e2->row(), std::size_t(2));
    }

    void badRowsInFits()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("bad.fits").toStdString();
        writeBinaryFits(path, {10, 20, 30, 40}, {1, 2, 95.5, 4});
        EXPECT_INPUT_ERROR(e, importCatalog(path));
        QCOMPARE(e->row(), std::size_t(3));
        QCOMPARE(e->column(), std::string("DEC"));
        QVERIFY(contains(e->what(), "dec 95.5 is out of range"));
        ImportOptions skip;
        skip.onBadRow = BadRowPolicy::Skip;
        const ImportedCatalog cat = importCatalog(path, skip);
        QCOMPARE(cat.ra, (std::vector<double>{10, 20, 40}));
        QCOMPARE(cat.sourceRow, (std::vector<std::size_t>{1, 2, 4}));
        QCOMPARE(cat.table.column("objid").integers.back(), std::int64_t(1237645941824356443LL + 3));
    }

    void brokenFiles_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("reason");
        QTest::newRow("empty csv") << "empty.csv" << QByteArray() << "empty";
        QTest::newRow("only comments") << "comments.csv" << QByteArray("# nothing\n\n# here\n") << "empty";
        QTest::newRow("empty txt") << "empty.txt" << QByteArray() << "empty";
        QTest::newRow("empty fits") << "empty.fits" << QByteArray() << "FITS";
        QTest::newRow("not a fits") << "text.fits" << QByteArray("hello, this is not FITS\n") << "FITS";
        QTest::newRow("unterminated quote")
            << "quote.csv" << QByteArray("ra,dec,n\n1,2,\"abc\n3,4,x\n") << "unterminated";
        QTest::newRow("no position columns")
            << "nopos.csv" << QByteArray("a,b,c\n1,2,3\n") << "columns: a, b, c";
        QTest::newRow("three numbers")
            << "three.txt" << QByteArray("1 2 3\n4 5 6\n") << "columns: col1, col2, col3";
        QTest::newRow("names not iau")
            << "names.csv" << QByteArray("name,x\nNGC 1300,1\n") << "columns: name, x";
    }
    void brokenFiles()
    {
        QFETCH(QString, name);
        QFETCH(QByteArray, content);
        QFETCH(QString, reason);
        QTemporaryDir dir;
        const std::string path = writeFile(dir, name.toUtf8().constData(), content.toStdString());
        EXPECT_INPUT_ERROR(e, importCatalog(path));
        QCOMPARE(e->file(), path);
        QVERIFY2(contains(e->what(), reason.toStdString()), e->what());
        QVERIFY(contains(e->what(), path));
    }

    void truncatedFits()
    {
        RM_SHARED_DATA(real, "catalogs/buta2017_table2.fits");
        QTemporaryDir dir;
        std::ifstream in(real, std::ios::binary);
        const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        for (std::size_t keep : {std::size_t(100), std::size_t(2880), all.size() / 2, all.size() - 2880}) {
            const std::string path = writeFile(dir, "cut.fits", all.substr(0, keep));
            EXPECT_INPUT_ERROR(e, importCatalog(path));
            QCOMPARE(e->file(), path);
            QVERIFY2(std::string(e->what()).size() > path.size() + 10, e->what());
        }
    }

    void missingFileAndOptionColumns()
    {
        QTemporaryDir dir;
        EXPECT_INPUT_ERROR(e, importCatalog(dir.filePath("nope.csv").toStdString()));
        QVERIFY(contains(e->what(), "cannot open"));
        const std::string path = writeFile(dir, "c.csv", "x,y,ra,dec\n1,2,3,4\n");
        ImportOptions options;
        options.raColumn = "alpha";
        options.decColumn = "delta";
        EXPECT_INPUT_ERROR(e2, importCatalog(path, options));
        QCOMPARE(e2->column(), std::string("alpha"));
        QVERIFY(contains(e2->what(), "x, y, ra, dec"));
        options.raColumn = "x";
        options.decColumn = "y";
        const ImportedCatalog cat = importCatalog(path, options);
        QCOMPARE(cat.ra, std::vector<double>{1});
        QCOMPARE(cat.position.raColumn, std::string("x"));
    }

    // ---------------------------------------------------------------- formats

    void csvDetails()
    {
        QTemporaryDir dir;
        const std::string content = "\xEF\xBB\xBF# exported by hand\r\n"
                                    ",ra,dec,note,code,big,mixed,flag\r\n"
                                    "0,10.0,-1.0,\"line one\nline two\",007,123456789012345678901,1,\r\n"
                                    "1,+20.0,+2.0,\"say \"\"hi\"\", then, go\",042,5,2.5,x\r\n"
                                    "# a comment between rows\r\n"
                                    "2,30,3,,001,6,nan,\r\n";
        const std::string path = writeFile(dir, "details.csv", content);
        const ImportedCatalog cat = importCatalog(path);
        const Table& t = cat.table;
        QCOMPARE(t.rowCount(), std::size_t(3));
        QCOMPARE(t.columns[0].name, std::string("index"));
        QCOMPARE(t.column("note").text(0), std::string("line one\nline two"));
        QCOMPARE(t.column("note").text(1), std::string("say \"hi\", then, go"));
        QVERIFY(t.column("note").isNull(2));
        QVERIFY(t.column("code").type == ColumnType::Text); // leading zeros: an identifier
        QCOMPARE(t.column("code").text(0), std::string("007"));
        QVERIFY(t.column("big").type == ColumnType::Text); // beyond int64: kept exact as text
        QCOMPARE(t.column("big").text(0), std::string("123456789012345678901"));
        QVERIFY(t.column("mixed").type == ColumnType::Real);
        QVERIFY(std::isnan(t.column("mixed").reals[2]) && !t.column("mixed").isNull(2)); // NaN is not blank
        QVERIFY(t.column("flag").type == ColumnType::Text);
        QVERIFY(t.column("flag").isNull(0) && t.column("flag").isNull(2));
        QCOMPARE(cat.ra, (std::vector<double>{10, 20, 30}));
        QCOMPARE(cat.dec, (std::vector<double>{-1, 2, 3}));
        QCOMPARE(cat.sourceRow, (std::vector<std::size_t>{1, 2, 3}));
    }

    void headerOnlyImportsNothing()
    {
        QTemporaryDir dir;
        const ImportedCatalog cat = importCatalog(writeFile(dir, "h.csv", "ra,dec,z\n"));
        QCOMPARE(cat.table.rowCount(), std::size_t(0));
        QCOMPARE(cat.table.columnCount(), std::size_t(3));
        QVERIFY(cat.ra.empty());
    }

    void textSniffing_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<CatalogFormat>("format");
        QTest::addColumn<QString>("raColumn");
        QTest::newRow("whitespace radec")
            << "p.txt" << QByteArray("# ra dec\n10.5   1.5\n\t11.5\t2.5\n12.5 3.5")
            << CatalogFormat::Whitespace << "ra";
        QTest::newRow("whitespace header")
            << "p.dat" << QByteArray("id RA_deg DEC_deg\n1 10.5 1.5\n2 11.5 2.5\n3 12.5 3.5\n")
            << CatalogFormat::Whitespace << "RA_deg";
        QTest::newRow("tsv header") << "p.tsv"
                                    << QByteArray("id\tra\tdec\n1\t10.5\t1.5\n2\t11.5\t2.5\n3\t12.5\t3.5\n")
                                    << CatalogFormat::Csv << "ra";
        QTest::newRow("tabs in txt") << "p.txt"
                                     << QByteArray(
                                            "id\tRAdeg\tDEdeg\n1\t10.5\t1.5\n2\t11.5\t\n3\t12.5\t3.5\n")
                                     << CatalogFormat::Csv << "RAdeg";
        QTest::newRow("commas in dat")
            << "p.dat" << QByteArray("ra,dec\n10.5,1.5\n11.5,2.5\n12.5,3.5\n") << CatalogFormat::Csv << "ra";
        QTest::newRow("headerless commas")
            << "p.txt" << QByteArray("10.5,1.5\n11.5,2.5\n12.5,3.5\n") << CatalogFormat::Csv << "ra";
        QTest::newRow("sexagesimal")
            << "p.csv"
            << QByteArray("RAJ2000,DEJ2000\n00 42 00,-00 30 00\n00:46:00,+00:30:00\n00h50m00s,+01d30m00s\n")
            << CatalogFormat::Csv << "RAJ2000";
    }
    void textSniffing()
    {
        QFETCH(QString, name);
        QFETCH(QByteArray, content);
        QFETCH(CatalogFormat, format);
        QFETCH(QString, raColumn);
        QTemporaryDir dir;
        ImportOptions skip;
        skip.onBadRow = BadRowPolicy::Skip; // "tabs in txt" has one blank dec
        const ImportedCatalog cat =
            importCatalog(writeFile(dir, name.toUtf8().constData(), content.toStdString()), skip);
        QCOMPARE(cat.format, format);
        QCOMPARE(QString::fromStdString(cat.position.raColumn), raColumn);
        QCOMPARE(cat.ra.size() + cat.skipped.size(), std::size_t(3));
        QCOMPARE(cat.ra.front(), 10.5);
        QCOMPARE(cat.dec.front(), name == "p.csv" ? -0.5 : 1.5);
        QCOMPARE(cat.ra.back(), 12.5);
    }

    void whitespaceMoreColumnsNeedOptions()
    {
        QTemporaryDir dir;
        const std::string path = writeFile(dir, "three.txt", "10.5 1.5 0.1\n11.5 2.5 0.2\n");
        ImportOptions options;
        options.raColumn = "col1";
        options.decColumn = "col2";
        const ImportedCatalog cat = importCatalog(path, options);
        QCOMPARE(cat.table.columnCount(), std::size_t(3));
        QCOMPARE(cat.table.columns[2].name, std::string("col3"));
        QCOMPARE(cat.dec, (std::vector<double>{1.5, 2.5}));
    }

    void fitsBinaryTable_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("plain") << "cat.fits";
        QTest::newRow("gzip") << "cat.fits.gz"; // cfitsio writes and reads gzip by the name
    }
    void fitsBinaryTable()
    {
        QFETCH(QString, name);
        QTemporaryDir dir;
        const std::string path = dir.filePath(name).toStdString();
        std::vector<double> ra, dec;
        for (int i = 0; i < 25000; ++i) { // more than one read chunk
            ra.push_back(0.01 * i);
            dec.push_back(-60 + 0.004 * i);
        }
        writeBinaryFits(path, ra, dec);
        if (name.endsWith(".gz")) { // really compressed, so the gzip path is what is tested
            QFile file(QString::fromStdString(path));
            QVERIFY(file.open(QIODevice::ReadOnly));
            QCOMPARE(file.read(2), QByteArray("\x1f\x8b"));
        }
        std::vector<std::size_t> progress;
        ImportOptions options;
        options.progress = [&](std::size_t done, std::size_t total) {
            progress.push_back(done);
            return total == 25000;
        };
        const ImportedCatalog cat = importCatalog(path, options);
        QCOMPARE(cat.format, CatalogFormat::Fits);
        QCOMPARE(cat.ra, ra);
        QCOMPARE(cat.dec, dec);
        QVERIFY(progress.size() >= 3 && progress.back() == 25000);
        // The vector column cannot be kept in a flat table, and the import says so rather than dropping it
        // silently.
        QCOMPARE(cat.notes.size(), std::size_t(1));
        QVERIFY2(cat.notes[0].find("'vec'") != std::string::npos, cat.notes[0].c_str());
        const Table& t = cat.table;
        QCOMPARE(t.columnCount(), std::size_t(7)); // the 3-element vector column is left out
        QVERIFY(t.columnIndex("vec") < 0);
        QVERIFY(t.column("objid").type == ColumnType::Integer);
        QCOMPARE(t.column("objid").integers[7], std::int64_t(1237645941824356443LL + 7));
        QVERIFY(t.column("flag").type == ColumnType::Integer);
        QCOMPARE(t.column("flag").integers[0], std::int64_t(0));
        QCOMPARE(t.column("flag").integers[1], std::int64_t(1));
        QVERIFY(t.column("name").type == ColumnType::Text);
        QVERIFY(t.column("name").isNull(0));                      // blank string
        QCOMPARE(t.column("name").text(1), std::string("gal 1")); // trailing blanks trimmed
        QVERIFY(t.column("mag").type == ColumnType::Real);
        QCOMPARE(t.column("mag").unit, std::string("mag"));
        QCOMPARE(t.column("RA").unit, std::string("deg"));
        QVERIFY(t.column("mag").isNull(1)); // NaN
        QCOMPARE(*t.column("mag").number(2), 17.5);
        QVERIFY(t.column("cnt").type == ColumnType::Integer);
        QVERIFY(t.column("cnt").isNull(2)); // TNULL
        QCOMPARE(t.column("cnt").integers[3], std::int64_t(30));
    }

    void fitsAsciiTable()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("ascii.fits").toStdString();
        writeAsciiFits(path, {{"10.5", "1.5", "1", "a", "1.55D+01", "0.057"},
                              {"11.5", "2.5", "", "b", "", ""},
                              {"12.5", "3.5", "-999", "", "1.6E1", "1234"},
                              {"13.5", "4.5", "x1", "d", "1.7D1", "0.1"},
                              {"14.5", "95.0", "5", "e", "1.8D1", "0.2"}});
        EXPECT_INPUT_ERROR(e, importCatalog(path));
        QCOMPARE(e->row(), std::size_t(4));
        QCOMPARE(e->column(), std::string("N"));
        QCOMPARE(e->reason(), std::string("'x1' is not an integer"));

        ImportOptions skip;
        skip.onBadRow = BadRowPolicy::Skip;
        const ImportedCatalog cat = importCatalog(path, skip);
        QCOMPARE(cat.sourceRow, (std::vector<std::size_t>{1, 2, 3}));
        QCOMPARE(cat.skipped.size(), std::size_t(2));
        QCOMPARE(cat.skipped[0].row, std::size_t(4));
        QCOMPARE(cat.skipped[1].row, std::size_t(5));
        QCOMPARE(cat.skipped[1].column, std::string("DEC"));
        const Table& t = cat.table;
        QVERIFY(t.column("N").type == ColumnType::Integer);
        QCOMPARE(t.column("N").integers[0], std::int64_t(1));
        QVERIFY(t.column("N").isNull(1)); // blank
        QVERIFY(t.column("N").isNull(2)); // TNULL3
        QVERIFY(t.column("NAME").type == ColumnType::Text);
        QVERIFY(t.column("NAME").isNull(2));
        QVERIFY(t.column("MAG").type == ColumnType::Real);
        QCOMPARE(*t.column("MAG").number(0), 15.5); // D exponent
        QVERIFY(t.column("MAG").isNull(1));
        QCOMPARE(*t.column("MAG").number(2), 16.0);
        QCOMPARE(t.column("MAG").unit, std::string("mag"));
        QCOMPARE(*t.column("Z").number(0), 0.057);
        QVERIFY(t.column("Z").isNull(1));
        QCOMPARE(*t.column("Z").number(2), 1.234); // F8.3 without a point: three implied decimals
    }

    void cancelling()
    {
        QTemporaryDir dir;
        std::string content = "ra,dec\n";
        for (int i = 0; i < 25000; ++i)
            content += "10.5,1.5\n";
        const std::string path = writeFile(dir, "big.csv", content);
        std::size_t calls = 0;
        ImportOptions options;
        options.progress = [&](std::size_t rows, std::size_t) {
            ++calls;
            return rows < 20000;
        };
        try {
            importCatalog(path, options);
            QFAIL("expected cancellation");
        } catch (const InputError&) {
            QFAIL("cancellation is not an input error");
        } catch (const Error& e) {
            QCOMPARE(std::string(e.what()), std::string("import cancelled"));
        }
        QCOMPARE(calls, std::size_t(2)); // at 10000 and at 20000 rows
    }

    // ---------------------------------------------------------------- speed

    // A million rows by ten columns: prints the import time (Release target: under 3 s) and only fails when
    // something is badly wrong.
    void millionRowTiming()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("million.csv").toStdString();
        {
            std::FILE* f = std::fopen(path.c_str(), "wb");
            QVERIFY(f);
            std::fputs("objid,ra,dec,mag_g,mag_r,z,size,class,flag,count\n", f);
            for (int i = 0; i < 1000000; ++i)
                std::fprintf(f, "%lld,%.7f,%.7f,%.4f,%.4f,%.5f,%.3f,%s,%d,%d\n", 1237645941824356443LL + i,
                             (i * 0.00036), -80.0 + i * 0.00016, 14 + (i % 700) * 0.01, 13 + (i % 500) * 0.01,
                             (i % 3000) * 0.0001, (i % 900) * 0.1, i % 3 ? "spiral" : "elliptical", i % 2,
                             i % 1000);
            std::fclose(f);
        }
        QElapsedTimer timer;
        timer.start();
        const ImportedCatalog cat = importCatalog(path);
        const qint64 ms = timer.elapsed();
        qInfo("imported 1,000,000 rows x 10 columns (%.1f MB) in %.2f s",
              QFileInfo(QString::fromStdString(path)).size() / 1e6, ms / 1000.0);
        QCOMPARE(cat.table.rowCount(), std::size_t(1000000));
        QVERIFY(cat.table.column("objid").type == ColumnType::Integer);
        QVERIFY(cat.table.column("class").type == ColumnType::Text);
        QVERIFY(cat.table.column("count").type == ColumnType::Integer);
        QVERIFY(ms < rmtest::timeBound(30000));
    }

    // Position columns in the shapes catalogs come in, found without --ra/--dec; which pair was chosen is
    // said; several fitting pairs are an error listing them.
    void positionPairs_data()
    {
        QTest::addColumn<QString>("csv");
        QTest::addColumn<QString>("ra"); // the chosen columns, or empty when the import must fail
        QTest::addColumn<QString>("dec");
        QTest::addColumn<QString>("said"); // in the position note, or in the error
        QTest::newRow("objra/objdec") << "id,objra,objdec,z\n1,10.5,-3.2,0.1\n2,200.25,45.5,0.2\n"
                                      << "objra"
                                      << "objdec"
                                      << "the only pair of RA/Dec-like columns";
        QTest::newRow("ra_deg/dec_deg") << "id,ra_deg,dec_deg\n1,10.5,-3.2\n"
                                        << "ra_deg"
                                        << "dec_deg"
                                        << "known column-name convention";
        QTest::newRow("RA_ICRS/DE_ICRS with errors and proper motions")
            << "id,e_RA_ICRS,e_DE_ICRS,RA_ICRS,DE_ICRS,pmRA,pmDE,RAerr,DEerr\n1,0.1,0.1,10.5,-3.2,5,3,0.2,0."
               "2\n"
            << "RA_ICRS"
            << "DE_ICRS"
            << "known column-name convention";
        QTest::newRow("RAJ2000/DEJ2000 sexagesimal") << "id,RAJ2000,DEJ2000\n1,10 20 30.5,-03 12 00\n"
                                                     << "RAJ2000"
                                                     << "DEJ2000"
                                                     << "sexagesimal";
        QTest::newRow("RAJ2000/DEJ2000 degrees") << "id,RAJ2000,DEJ2000\n1,155.127,-3.2\n"
                                                 << "RAJ2000"
                                                 << "DEJ2000"
                                                 << "(degrees)";
        QTest::newRow("_RAJ2000/_DEJ2000")
            << "_RAJ2000,_DEJ2000,RAJ2000,DEJ2000\n155.127,-3.2,10 20 30.5,-03 12 00\n"
            << "_RAJ2000"
            << "_DEJ2000"
            << "(degrees)";
        QTest::newRow("ALPHA_J2000/DELTA_J2000") << "NUMBER,ALPHA_J2000,DELTA_J2000\n1,10.5,-3.2\n"
                                                 << "ALPHA_J2000"
                                                 << "DELTA_J2000"
                                                 << "in range";
        QTest::newRow("ra_hms/dec_dms") << "id,ra_hms,dec_dms\n1,10:20:30.5,-03:12:00\n"
                                        << "ra_hms"
                                        << "dec_dms"
                                        << "sexagesimal";
        QTest::newRow("target_ra/target_dec, one out of range beside")
            << "id,target_ra,target_dec,raw_ra,raw_dec\n1,10.5,-3.2,400,-3.2\n"
            << "target_ra"
            << "target_dec"
            << "the only pair";
        QTest::newRow("ambiguous")
            << "id,objra,objdec,ra_1,dec_1\n1,10.5,-3.2,10.6,-3.3\n"
            << ""
            << ""
            << "several pairs of RA/Dec-like columns have values in range: objra/objdec, "
               "ra_1/dec_1; choose one with --ra COLUMN --dec COLUMN";
        QTest::newRow("out of range only") << "id,target_ra,target_dec\n1,400,-3.2\n"
                                           << ""
                                           << ""
                                           << "RA/Dec-like pairs whose values are not positions: "
                                              "target_ra/target_dec";
    }
    void positionPairs()
    {
        QFETCH(QString, csv);
        QFETCH(QString, ra);
        QFETCH(QString, dec);
        QFETCH(QString, said);
        QTemporaryDir dir;
        const std::string path = writeFile(dir, "pairs.csv", csv.toStdString());
        if (ra.isEmpty()) {
            const auto e = inputErrorOf([&] { importCatalog(path); });
            QVERIFY2(e, "the import must fail");
            QVERIFY2(std::string(e->what()).find(said.toStdString()) != std::string::npos, e->what());
            return;
        }
        const ImportedCatalog cat = importCatalog(path);
        QCOMPARE(QString::fromStdString(cat.position.raColumn), ra);
        QCOMPARE(QString::fromStdString(cat.position.decColumn), dec);
        QVERIFY2(cat.positionNote.find(said.toStdString()) != std::string::npos, cat.positionNote.c_str());
        QVERIFY2(cat.positionNote.find(ra.toStdString() + "/" + dec.toStdString()) != std::string::npos,
                 cat.positionNote.c_str());
        QVERIFY(validPosition(cat.ra[0], cat.dec[0]));
        // --ra/--dec settle an ambiguity.
        ImportOptions options;
        options.raColumn = ra.toStdString();
        options.decColumn = dec.toStdString();
        QCOMPARE(importCatalog(path, options).position.raColumn, ra.toStdString());
    }
};

QTEST_APPLESS_MAIN(TestCatalogReader)
#include "test_catalog_reader.moc"
