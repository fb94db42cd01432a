// The synthetic image source: a galaxy's cutout is rendered from its id alone (same id, same pixels, in any
// order and from any thread), different ids give different galaxies, the ring truth follows ring_fraction,
// the spec goes through the factory and back, and bad specs or blank ids are refused with the reason.
#include "imaging/ImageErrors.h"
#include "sources/ImageSource.h"
#include "sources/SyntheticImageSource.h"
#include "util/Error.h"

#include <QtTest>

#include <future>

using namespace rm;

namespace {

GalaxyRef galaxy(const std::string& id)
{
    GalaxyRef g;
    g.set("id", id);
    return g;
}

} // namespace

class TestSyntheticSource : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rendersTheSameGalaxyForTheSameId()
    {
        const auto source = makeImageSource(nlohmann::json{{"kind", "synthetic"}, {"size", 48}});
        QCOMPARE(source->kind(), std::string("synthetic"));
        const Image a = source->load(galaxy("G000017"));
        QCOMPARE(a.width, 48);
        QCOMPARE(a.height, 48);
        QCOMPARE(a.channels, 3);
        // Rendered again (after others, and on another thread): identical pixels.
        source->load(galaxy("G000018"));
        auto later = std::async(std::launch::async, [&] { return source->load(galaxy("G000017")); });
        QVERIFY(later.get().pixels == a.pixels);
        QVERIFY(source->load(galaxy("G000018")).pixels != a.pixels);
        // A galaxy, not a blank: the centre is brighter than the corner.
        const auto at = [&](int x, int y) { return int(a.pixels[(std::size_t(y) * 48 + x) * 3 + 1]); };
        QVERIFY2(at(24, 24) > at(1, 1) + 20, qPrintable(QString("%1 vs %2").arg(at(24, 24)).arg(at(1, 1))));
        // Another seed is another survey.
        const auto other = makeImageSource(nlohmann::json{{"kind", "synthetic"}, {"size", 48}, {"seed", 7}});
        QVERIFY(other->load(galaxy("G000017")).pixels != a.pixels);
    }

    void ringTruthFollowsTheFraction()
    {
        const SyntheticImageSource quarter("id", 16, 42, 0.25), none("id", 16, 42, 0.0),
            all("id", 16, 42, 1.0);
        int rings = 0;
        for (int i = 0; i < 4000; ++i) {
            const std::string id = "row" + std::to_string(i);
            rings += quarter.ringTruth(id);
            QVERIFY(!none.ringTruth(id));
            QVERIFY(all.ringTruth(id));
        }
        // Binomial(4000, 0.25): sd 27.
        QVERIFY2(rings > 1000 - 110 && rings < 1000 + 110, qPrintable(QString::number(rings)));
    }

    void specRoundTripsThroughTheFactory()
    {
        const nlohmann::json spec = {
            {"kind", "synthetic"}, {"id_column", "objid"}, {"size", 32}, {"seed", 5}, {"ring_fraction", 0.1}};
        const auto source = makeImageSource(spec);
        QCOMPARE(source->spec(), spec);
        QCOMPARE(makeImageSource(source->spec())->spec(), spec);
        GalaxyRef g;
        g.set("objid", "1237648720693755918");
        QCOMPARE(source->probe(g), ImagePresence::Present);
        QVERIFY(source->locate(g).empty()); // no files
        QCOMPARE(source->load(g).width, 32);
    }

    void refusesBadSpecsAndBlankIds()
    {
        auto refuses = [](const nlohmann::json& spec, const char* why) {
            try {
                makeImageSource(spec);
            } catch (const Error& e) {
                QVERIFY2(std::string(e.what()).find(why) != std::string::npos, e.what());
                return;
            }
            QFAIL(qPrintable(QString::fromStdString("accepted " + spec.dump())));
        };
        refuses({{"kind", "synthetic"}, {"size", 4}}, "\"size\" must be 8..1024");
        refuses({{"kind", "synthetic"}, {"ring_fraction", 1.5}}, "\"ring_fraction\" must be in [0, 1]");
        refuses({{"kind", "synthetic"}, {"id_column", 3}}, "bad spec");

        const auto source = makeImageSource(nlohmann::json{{"kind", "synthetic"}});
        QCOMPARE(source->probe(galaxy("")), ImagePresence::Missing);
        QVERIFY_THROWS_EXCEPTION(ImageMissingError, source->load(galaxy("")));
        GalaxyRef noId;
        noId.set("name", "x");
        QCOMPARE(source->probe(noId), ImagePresence::Missing);
        try {
            source->load(noId);
            QFAIL("loaded a galaxy with no id column");
        } catch (const ImageMissingError& e) {
            QVERIFY2(std::string(e.what()).find("has no column 'id'") != std::string::npos, e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestSyntheticSource)
#include "test_synthetic_source.moc"
