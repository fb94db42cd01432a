// checkFitsStructure: the walk over FITS headers that bounds every size by the file before cfitsio sees it.
#include "TestData.h"

#include "util/Error.h"
#include "util/FitsStructure.h"

#include <QtTest>

#include <fstream>

namespace {

std::string card(const std::string& text)
{
    std::string c = text;
    c.resize(80, ' ');
    return c;
}

// A header from cards, padded to whole 2880-byte blocks, with END.
std::string header(const std::vector<std::string>& cards)
{
    std::string h;
    for (const auto& c : cards)
        h += card(c);
    h += card("END");
    h.resize((h.size() + 2879) / 2880 * 2880, ' ');
    return h;
}

std::string padded(std::string data)
{
    data.resize((data.size() + 2879) / 2880 * 2880, '\0');
    return data;
}

const std::string kPrimary = header({"SIMPLE  =                    T", "BITPIX  =                    8",
                                     "NAXIS   =                    0", "EXTEND  =                    T"});

std::string table(long long naxis1, long long naxis2, long long tfields)
{
    return header({"XTENSION= 'BINTABLE'", "BITPIX  =                    8", "NAXIS   =                    2",
                   "NAXIS1  = " + std::to_string(naxis1), "NAXIS2  = " + std::to_string(naxis2),
                   "PCOUNT  =                    0", "GCOUNT  =                    1",
                   "TFIELDS = " + std::to_string(tfields), "TTYPE1  = 'RA      '", "TFORM1  = 'D       '"});
}

} // namespace

class TestFitsStructure : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    std::string write(const QString& name, const std::string& bytes)
    {
        const std::string path = m_dir.filePath(name).toStdString();
        std::ofstream(path, std::ios::binary) << bytes;
        return path;
    }

    // The message of the InputError checkFitsStructure throws, or "" when it accepts the file.
    QString errorOf(const std::string& path)
    {
        try {
            rm::checkFitsStructure(path);
            return {};
        } catch (const rm::InputError& e) {
            return QString::fromStdString(e.what());
        }
    }

private Q_SLOTS:
    void acceptsRealAndWellFormedFiles()
    {
        const std::string buta = rmtest::sharedData("catalogs/buta2017_table2.fits");
        QVERIFY2(!buta.empty(), "needs ../shared/data/catalogs/buta2017_table2.fits");
        QCOMPARE(errorOf(buta), QString());
        QCOMPARE(errorOf(write("ok.fits", kPrimary + table(8, 3, 1) + padded(std::string(24, '\1')))),
                 QString());
        // Bytes after the last HDU that are not an extension (padding some writers add) are not an error.
        QCOMPARE(errorOf(write("tail.fits", kPrimary + std::string(2880, '\0'))), QString());
        QCOMPARE(errorOf(write("tail100.fits", kPrimary + std::string(100, '\0'))), QString());
        // Compressed files are cfitsio's to read, once their declared size is plausible.
        const std::string gzipHead("\x1f\x8b\x08\0\0\0\0\0", 8);
        QCOMPARE(
            errorOf(write("c.fits.gz", gzipHead + std::string(100, 'x') + std::string("\x40\x0b\0\0", 4))),
            QString());
    }

    void refusesLyingSizesBeforeAnythingIsAllocated()
    {
        // NAXIS2 claims a billion rows in a file of a few blocks.
        QString e =
            errorOf(write("rows.fits", kPrimary + table(8, 1000000000, 1) + padded(std::string(24, 0))));
        QVERIFY2(e.contains("rows.fits") && e.contains("HDU 2") && e.contains("NAXIS2") &&
                     e.contains("truncated"),
                 qPrintable(e));
        // The product of the axes overflows 64 bits.
        e = errorOf(write("overflow.fits", kPrimary + table(4611686018427387904LL, 8, 1) + padded("x")));
        QVERIFY2(e.contains("HDU 2") && e.contains("NAXIS"), qPrintable(e));
        // TFIELDS of 10^14: cfitsio would calloc petabytes for the column table.
        e = errorOf(
            write("tfields.fits", kPrimary + table(8, 1, 100000000000000LL) + padded(std::string(8, 0))));
        QVERIFY2(e.contains("TFIELDS") && e.contains("0..999"), qPrintable(e));
        // "=x" in columns 9-10 is not a value indicator: cfitsio then has no NAXIS1 (found by the fuzzer).
        std::string noValue = table(24, 1, 1);
        noValue.replace(noValue.find("NAXIS1  = ") + 9, 1, ".");
        e = errorOf(write("novalue.fits", kPrimary + noValue + padded(std::string(24, 0))));
        QVERIFY2(e.contains("NAXIS1") && e.contains("out of place or not an integer"), qPrintable(e));
        e = errorOf(
            write("bitpix.fits", header({"SIMPLE  =                    T", "BITPIX  =                   12",
                                         "NAXIS   =                    0"})));
        QVERIFY2(e.contains("BITPIX") && e.contains("12"), qPrintable(e));
    }

    // cfitsio unpacks a compressed file into one buffer of the size the file declares (found by the fuzzers:
    // a 206-byte "zip" declaring 1.4 GB).
    void refusesCompressedFilesThatClaimToUnpackToGigabytes()
    {
        std::string zip = "PK\x03\x04" + std::string(26, '\0');
        zip[22] = zip[23] = zip[24] = zip[25] = '\x55';
        QString e = errorOf(write("bomb.fits", zip + std::string(176, ' ')));
        QVERIFY2(e.contains("bomb.fits") && e.contains("1431655765") && e.contains("200 times"),
                 qPrintable(e));
        const std::string gzipHead("\x1f\x8b\x08\0\0\0\0\0", 8);
        e = errorOf(write("bomb.fits.gz", gzipHead + std::string(100, 'x') + std::string("\0\0\0\x80", 4)));
        QVERIFY2(e.contains("2147483648"), qPrintable(e));
        e = errorOf(write("tiny.fits", "PK\x03"));
        QVERIFY2(e.contains("damaged zip"), qPrintable(e));
    }

    void refusesTruncatedAndForeignFiles()
    {
        const std::string buta = rmtest::sharedData("catalogs/buta2017_table2.fits");
        std::ifstream in(buta, std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        QString e = errorOf(write("half.fits", bytes.substr(0, bytes.size() / 2)));
        QVERIFY2(e.contains("half.fits") && e.contains("HDU 2") && e.contains("truncated"), qPrintable(e));
        std::string noEnd = card("SIMPLE  =                    T") + card("BITPIX  =                    8") +
                            card("NAXIS   =                    0");
        noEnd.resize(2 * 2880, ' ');
        e = errorOf(write("noend.fits", noEnd));
        QVERIFY2(e.contains("truncated"), qPrintable(e));
        // An END card shifted one column right is no END card (found by the FITS table fuzzer: cfitsio read
        // on and calloc'ed petabytes).
        std::string shifted = card("SIMPLE  =                    T") +
                              card("BITPIX  =                    8") +
                              card("NAXIS   =                    0") + card(" END");
        shifted.resize(2880, ' ');
        e = errorOf(write("shifted.fits", shifted + std::string(100, ' ')));
        QVERIFY2(e.contains("no END card"), qPrintable(e));
        e = errorOf(write("page.fits",
                          "<!DOCTYPE html><html><body>Not found</body></html>" + std::string(3000, ' ')));
        QVERIFY2(e.contains("not a readable FITS file"), qPrintable(e));
        e = errorOf(write("short.fits", "SIMPLE  =    T"));
        QVERIFY2(e.contains("truncated"), qPrintable(e));
    }
};

QTEST_GUILESS_MAIN(TestFitsStructure)
#include "test_fits_structure.moc"
