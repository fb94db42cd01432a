// Positions for people and sky-viewer links (core/sky/SkyLinks.h): sexagesimal and decimal text, IAU names
// (truncated, and equal to the real Galaxy Zoo DECaLS names they were parsed from), and each viewer's URL.
#include "TestData.h"

#include "catalog/CatalogReader.h"
#include "sky/SkyCoords.h"
#include "sky/SkyLinks.h"

#include <QUrl>
#include <QUrlQuery>
#include <QtTest>

using namespace rm;

class TestSkyLinks : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void formats_data()
    {
        QTest::addColumn<double>("ra");
        QTest::addColumn<double>("dec");
        QTest::addColumn<QString>("sexagesimal");
        QTest::addColumn<QString>("decimal");
        QTest::addColumn<QString>("iau");
        QTest::newRow("south") << 4.23 << -0.46086111 << "00:16:55.20 -00:27:39.1"
                               << "4.230000 -0.460861"
                               << "J001655.20-002739.0"; // the IAU name truncates 39.0999"
        QTest::newRow("north") << 150.1 << 2.5 << "10:00:24.00 +02:30:00.0"
                               << "150.100000 +2.500000"
                               << "J100024.00+023000.0";
        QTest::newRow("minus zero dec") << 0.25 << -0.0 << "00:01:00.00 -00:00:00.0"
                                        << "0.250000 -0.000000"
                                        << "J000100.00-000000.0";
        QTest::newRow("seconds carry when rounded")
            << 359.99999999 << 89.99999999 << "00:00:00.00 +90:00:00.0"
            << "0.000000 +90.000000"
            << "J235959.99+895959.9";
        QTest::newRow("wrapped ra") << -15.0 << -45.5 << "23:00:00.00 -45:30:00.0"
                                    << "345.000000 -45.500000"
                                    << "J230000.00-453000.0";
    }
    void formats()
    {
        QFETCH(double, ra);
        QFETCH(double, dec);
        QFETCH(QString, sexagesimal);
        QFETCH(QString, decimal);
        QFETCH(QString, iau);
        QCOMPARE(QString::fromStdString(formatSexagesimalPosition(ra, dec)), sexagesimal);
        QCOMPARE(QString::fromStdString(formatDecimalPosition(ra, dec)), decimal);
        QCOMPARE(QString::fromStdString(iauName(ra, dec)), iau);
        // The name parses back to within its last digit, never past the position.
        const auto p = parseIauName(iauName(ra, dec));
        QVERIFY(p);
        QVERIFY(angularSeparationArcsec(p->first, p->second, std::fmod(ra + 360.0, 360.0), dec) < 0.2);
    }

    // The real names of the 377 Galaxy Zoo DECaLS galaxies: parsed to positions on import, written back the
    // same, character for character.
    void realIauNamesRoundTrip()
    {
        RM_SHARED_DATA(labels, "images/gzdecals_ring470/labels.csv");
        const ImportedCatalog c = importCatalog(labels);
        QCOMPARE(c.position.kind, PositionKind::IauName);
        const Column& names = c.table.column("iauname");
        QCOMPARE(c.table.rowCount(), std::size_t(377));
        for (std::size_t i = 0; i < c.table.rowCount(); ++i)
            QCOMPARE(QString::fromStdString(iauName(c.ra[i], c.dec[i])),
                     QString::fromStdString(names.texts[i]));
    }

    void viewerUrls()
    {
        const double ra = 150.1, dec = 2.5;
        QSet<QString> hosts;
        for (const SkyViewer v : allSkyViewers()) {
            const QUrl url(QString::fromStdString(skyViewerUrl(v, ra, dec)), QUrl::StrictMode);
            QVERIFY2(url.isValid() && url.scheme() == "https", skyViewerUrl(v, ra, dec).c_str());
            QVERIFY(!QString::fromUtf8(skyViewerName(v)).isEmpty());
            hosts.insert(url.host());
            const QUrlQuery q(url);
            if (q.hasQueryItem("ra")) {
                QCOMPARE(q.queryItemValue("ra").toDouble(), ra);
                QCOMPARE(q.queryItemValue("dec").toDouble(), dec);
            } else {
                // "RA +DEC" in one target: the + is encoded, so it is not read as a space.
                QCOMPARE(q.queryItemValue("target", QUrl::FullyDecoded), QString("150.100000 +2.500000"));
            }
        }
        QCOMPARE(hosts, (QSet<QString>{"www.legacysurvey.org", "skyserver.sdss.org", "sky.esa.int",
                                       "aladin.cds.unistra.fr"}));
        const QUrl legacy(QString::fromStdString(skyViewerUrl(SkyViewer::LegacySurveys, ra, -dec)));
        QCOMPARE(QUrlQuery(legacy).queryItemValue("dec").toDouble(), -dec);
        QCOMPARE(QUrlQuery(legacy).queryItemValue("layer"), QString("ls-dr10"));
        const QUrl aladin(QString::fromStdString(skyViewerUrl(SkyViewer::AladinLite, ra, -dec)));
        QCOMPARE(QUrlQuery(aladin).queryItemValue("target", QUrl::FullyDecoded),
                 QString("150.100000 -2.500000"));
    }
};

QTEST_APPLESS_MAIN(TestSkyLinks)
#include "test_sky_links.moc"
