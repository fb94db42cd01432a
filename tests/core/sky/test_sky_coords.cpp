// Sexagesimal and IAU-name parsing: the accepted spellings, the values they give, and the near misses that
// must be rejected rather than rounded into range.
#include "sky/SkyCoords.h"

#include <QtTest>

#include <cmath>

using namespace rm;

namespace {

double hms(double h, double m, double s)
{
    return 15.0 * (h + m / 60.0 + s / 3600.0);
}
double dms(double d, double m, double s)
{
    return d + m / 60.0 + s / 3600.0;
}

} // namespace

class TestSkyCoords : public QObject
{
    Q_OBJECT

private slots:
    void raGood_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<double>("degrees");
        QTest::newRow("spaces") << "07 24 20.75" << hms(7, 24, 20.75);
        QTest::newRow("colons") << "07:24:20.75" << hms(7, 24, 20.75);
        QTest::newRow("letters") << "07h24m20.75s" << hms(7, 24, 20.75);
        QTest::newRow("letters spaced") << " 07h 24m 20.75s " << hms(7, 24, 20.75);
        QTest::newRow("one-digit hour") << "7:24:20.75" << hms(7, 24, 20.75);
        QTest::newRow("zero wraps to 0") << "00 00 00" << 0.0;
        QTest::newRow("zero with fraction") << "00:00:00.000" << 0.0;
        QTest::newRow("last second") << "23 59 59.999" << hms(23, 59, 59.999);
        QTest::newRow("hours minutes") << "12 30" << 187.5;
        QTest::newRow("decimal minutes") << "12 30.5" << hms(12, 30.5, 0);
        QTest::newRow("gz2 rastring") << "00:16:55.18" << hms(0, 16, 55.18);
    }
    void raGood()
    {
        QFETCH(QString, text);
        QFETCH(double, degrees);
        const auto v = parseSexagesimalRa(text.toStdString());
        QVERIFY2(v.has_value(), qPrintable(text));
        QVERIFY2(std::fabs(*v - degrees) < 1e-9, qPrintable(QString::number(*v, 'g', 17)));
        QVERIFY(*v >= 0.0 && *v < 360.0);
    }

    void raBad_data()
    {
        QTest::addColumn<QString>("text");
        for (const char* s : {"",
                              "   ",
                              "abc",
                              "24 00 00",
                              "25:00:00",
                              "07 60 00",
                              "07 24 60",
                              "07 24 60.0",
                              "-07 24 20",
                              "+07 24 20",
                              "07",
                              "111.0864583",
                              "7.5 30 00",
                              "07 24.5 30",
                              "07 24 20.75 12",
                              "07 24 20.75x",
                              "07::24:20",
                              "07:24:",
                              "1e1 00 00",
                              "07h24d20s",
                              "07 24 20.75s junk",
                              "0x7 24 20"})
            QTest::newRow(s[0] ? s : "(empty)") << QString::fromLatin1(s);
    }
    void raBad()
    {
        QFETCH(QString, text);
        QVERIFY2(!parseSexagesimalRa(text.toStdString()).has_value(), qPrintable(text));
    }

    void decGood_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<double>("degrees");
        QTest::newRow("buta") << "+42 09 00.6" << dms(42, 9, 0.6);
        QTest::newRow("unsigned") << "42 09 00.6" << dms(42, 9, 0.6);
        QTest::newRow("minus zero colons") << "-00:27:39.1" << -dms(0, 27, 39.1);
        QTest::newRow("minus zero spaces") << "-00 27 39.1" << -dms(0, 27, 39.1);
        QTest::newRow("minus zero seconds only") << "-00 00 30" << -dms(0, 0, 30);
        QTest::newRow("plus zero") << "+00 00 30" << dms(0, 0, 30);
        QTest::newRow("letters") << "+42d09m00.6s" << dms(42, 9, 0.6);
        QTest::newRow("degree sign") << "+42\xC2\xB0"
                                        "09'00.6\""
                                     << dms(42, 9, 0.6);
        QTest::newRow("south pole") << "-90 00 00" << -90.0;
        QTest::newRow("north pole") << "+90:00:00" << 90.0;
        QTest::newRow("degrees minutes") << "-12 30.5" << -dms(12, 30.5, 0);
    }
    void decGood()
    {
        QFETCH(QString, text);
        QFETCH(double, degrees);
        const auto v = parseSexagesimalDec(text.toUtf8().toStdString());
        QVERIFY2(v.has_value(), qPrintable(text));
        QVERIFY2(std::fabs(*v - degrees) < 1e-9, qPrintable(QString::number(*v, 'g', 17)));
        if (text.startsWith('-')) QVERIFY(std::signbit(*v) || *v < 0); // the sign of -00 is kept
    }

    void decBad_data()
    {
        QTest::addColumn<QString>("text");
        for (const char* s :
             {"", "x", "+91 00 00", "+90 00 01", "-90 00 00.1", "+42 60 00", "+42 09 60", "+-42 09 00", "42",
              "+42.5 09 00", "+42 09 00.6 1", "+42 09 00.6s x", "--1 00 00"})
            QTest::newRow(s[0] ? s : "(empty)") << QString::fromLatin1(s);
    }
    void decBad()
    {
        QFETCH(QString, text);
        QVERIFY2(!parseSexagesimalDec(text.toStdString()).has_value(), qPrintable(text));
    }

    void iauGood_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<double>("ra");
        QTest::addColumn<double>("dec");
        // Worked by hand: J001655.18-002739.1 is 00h16m55.18s, -00d27m39.1s.
        QTest::newRow("gzd labels first") << "J001655.18-002739.1" << 4.2299166666667 << -0.46086111111111;
        QTest::newRow("gzd labels second") << "J005130.07-011511.2" << 12.875291666667 << -1.2531111111111;
        QTest::newRow("sdss prefix") << "SDSS J123456.78+012345.6" << hms(12, 34, 56.78) << dms(1, 23, 45.6);
        QTest::newRow("2mass implied point")
            << "2MASX J07242070+4209004" << hms(7, 24, 20.70) << dms(42, 9, 0.4);
        QTest::newRow("minutes only") << "J0724+4209" << hms(7, 24, 0) << dms(42, 9, 0);
        QTest::newRow("decimal minutes") << "J0724.5-4209" << hms(7, 24.5, 0) << -dms(42, 9, 0);
        QTest::newRow("nair jid") << "J155146.83-000618.62" << hms(15, 51, 46.83) << -dms(0, 6, 18.62);
        QTest::newRow("corner") << "J235959.99+895959.9" << hms(23, 59, 59.99) << dms(89, 59, 59.9);
        QTest::newRow("origin") << "J000000.00+000000.0" << 0.0 << 0.0;
    }
    void iauGood()
    {
        QFETCH(QString, text);
        QFETCH(double, ra);
        QFETCH(double, dec);
        const auto p = parseIauName(text.toStdString());
        QVERIFY2(p.has_value(), qPrintable(text));
        QVERIFY2(std::fabs(p->first - ra) < 1e-9, qPrintable(QString::number(p->first, 'g', 17)));
        QVERIFY2(std::fabs(p->second - dec) < 1e-9, qPrintable(QString::number(p->second, 'g', 17)));
    }

    void iauBad_data()
    {
        QTest::addColumn<QString>("text");
        for (const char* s :
             {"", "J", "NGC 1300", "J001655.18", "J001655.18*002739.1", "J241655.18-002739.1",
              "J006055.18-002739.1", "J001660.00-002739.1", "J001655.18-912739.1", "J001655.18-006039.1",
              "J001655.18-002739.1x", "J00165-00273", "J001655.-002739.1", "001655.18-002739.1", "J+001655"})
            QTest::newRow(s[0] ? s : "(empty)") << QString::fromLatin1(s);
    }
    void iauBad()
    {
        QFETCH(QString, text);
        QVERIFY2(!parseIauName(text.toStdString()).has_value(), qPrintable(text));
    }

    // The IAU name and the sexagesimal spelling of the same position must agree exactly.
    void iauMatchesSexagesimal()
    {
        const auto p = parseIauName("J001655.18-002739.1");
        QVERIFY(p.has_value());
        QCOMPARE(p->first, *parseSexagesimalRa("00 16 55.18"));
        QCOMPARE(p->second, *parseSexagesimalDec("-00 27 39.1"));
    }
};

QTEST_APPLESS_MAIN(TestSkyCoords)
#include "test_sky_coords.moc"
