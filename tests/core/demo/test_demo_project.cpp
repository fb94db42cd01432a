// The built-in demo project as core makes it (for `demo make` and the welcome panel): the survey's three
// catalogs in a project with their image source, a magnitude-matched target set whose images load, and a
// second call on the same folder refused before anything is rendered.
#include "TestData.h"

#include "demo/DemoProject.h"
#include "imaging/ImageDecode.h"
#include "store/ProjectStore.h"
#include "targets/TargetSetBuilder.h"
#include "util/Error.h"

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <set>

using namespace rm;

class TestDemoProject : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void makesTheProjectWithCatalogsAndATargetSet()
    {
        RM_REQUIRE_IMAGE_DECODING();
        QTemporaryDir dir;
        DemoSurveyOptions o;
        o.outDir = dir.path().toStdString();
        o.rings = 12;
        o.nonRings = 30;
        o.imageSize = 64;
        o.threads = 2;
        std::size_t reports = 0;
        o.progress = [&](std::size_t, std::size_t) { return ++reports > 0; };
        std::vector<std::string> lines;
        const DemoProjectResult demo = makeDemoProject(o, [&](const std::string& l) { lines.push_back(l); });

        QCOMPARE(demo.project, demoProjectPath(o.outDir));
        QVERIFY(std::filesystem::exists(demo.project));
        QCOMPARE(demo.survey.images, std::size_t(42));
        QVERIFY(reports > 0);
        QCOMPARE(demo.rows.at("rings"), std::int64_t(12));
        QCOMPARE(demo.rows.at("parent"), std::int64_t(30));
        QCOMPARE(demo.rows.at("labelled"), std::int64_t(42));
        QVERIFY(demo.hasTargetSet);
        QVERIFY(!lines.empty()); // the builder said what it did

        auto store = ProjectStore::open(demo.project);
        std::set<std::string> names;
        for (const CatalogInfo& c : store->catalogs()) {
            names.insert(c.name);
            const auto spec = store->imageSourceSpec(c.id);
            QVERIFY2(spec && spec->find("\"folder\"") != std::string::npos, c.name.c_str());
        }
        QCOMPARE(names, (std::set<std::string>{"labelled", "parent", "rings"}));
        QCOMPARE(store->meta("demo.seed").value_or(""), std::string("42"));

        const std::vector<Target> targets = loadTargets(*store, "demo");
        std::size_t rings = 0;
        for (const Target& t : targets)
            rings += t.label == 1;
        QCOMPARE(rings, std::size_t(12)); // every ring, against matched negatives
        QVERIFY(targets.size() > rings);
        QCOMPARE(demo.targetSet.total(), targets.size());

        // Made again on the same folder: refused at once, the project untouched.
        const auto before = std::filesystem::last_write_time(demo.project);
        o.progress = [](std::size_t, std::size_t) -> bool {
            throw std::logic_error("rendered although the project exists");
        };
        QVERIFY_THROWS_EXCEPTION(Error, makeDemoProject(o));
        QCOMPARE(std::filesystem::last_write_time(demo.project), before);
    }

    void refusesADemoWithoutRings()
    {
        QTemporaryDir dir;
        DemoSurveyOptions o;
        o.outDir = dir.path().toStdString();
        o.rings = 0;
        try {
            makeDemoProject(o);
            QFAIL("no error");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("ring") != std::string::npos, e.what());
        }
        QVERIFY(!std::filesystem::exists(demoProjectPath(o.outDir)));
    }
};

QTEST_GUILESS_MAIN(TestDemoProject)
#include "test_demo_project.moc"
