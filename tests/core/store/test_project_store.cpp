// The project store: schema, catalogs round-trip, atomic imports, hand labels with history and undo.
#include "TestData.h"

#include "store/CatalogReplace.h"
#include "store/LabelStore.h"
#include "store/ProjectStore.h"
#include "util/Error.h"

#include <QtTest>

#include <filesystem>

#include <unistd.h>

#include <cmath>
#include <fstream>

using namespace rm;

class TestProjectStore : public QObject
{
    Q_OBJECT

    static ImportedCatalog smallCatalog(std::size_t n)
    {
        ImportedCatalog c;
        c.path = "/tmp/small.csv";
        c.format = CatalogFormat::Csv;
        c.table.addColumn("name", ColumnType::Text);
        c.table.addColumn("z", ColumnType::Real);
        c.table.addColumn("n", ColumnType::Integer);
        c.table.addColumn("odd \"name\"", ColumnType::Text);
        Column& name = c.table.columns[0];
        Column& z = c.table.columns[1];
        Column& n_ = c.table.columns[2];
        Column& quote = c.table.columns[3];
        for (std::size_t i = 0; i < n; ++i) {
            name.appendText("g" + std::to_string(i));
            if (i % 3 == 0)
                z.appendNull();
            else
                z.appendReal(0.01 * i);
            n_.appendInteger(static_cast<std::int64_t>(i) * 1000000000000LL);
            quote.appendText(i % 2 ? "(R1)" : "");
            c.ra.push_back(10.0 + i * 0.001);
            c.dec.push_back(-5.0 + i * 0.001);
            c.sourceRow.push_back(i + 2);
        }
        c.position = {PositionKind::Degrees, "ra", "dec"};
        return c;
    }

private Q_SLOTS:
    void createsWalProjectWithSchema()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.rmproj").toStdString();
        auto store = ProjectStore::create(path);
        QCOMPARE(store->schemaVersion(), ProjectStore::kSchemaVersion);
        QCOMPARE(store->db().queryText("PRAGMA journal_mode").value_or(""), std::string("wal"));
        QCOMPARE(store->db().queryInt("PRAGMA foreign_keys").value_or(0), 1);
        QVERIFY(store->meta("created_at").has_value());
        QVERIFY_THROWS_EXCEPTION(Error, ProjectStore::create(path)); // never overwrite a project
    }

    void refusesFilesThatAreNotProjects()
    {
        QTemporaryDir dir;
        const std::string junk = dir.filePath("junk.rmproj").toStdString();
        std::ofstream(junk)
            << "this is not a database, just some text that is long enough to look like a file";
        try {
            ProjectStore::open(junk);
            QFAIL("opened a text file as a project");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("not a RingMiner project"), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(Error, ProjectStore::open(dir.filePath("missing.rmproj").toStdString()));
    }

    // An I/O problem is named for what it is, with the path, not taken for "not a RingMiner project".
    void ioErrorsGiveTheirReason()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.rmproj").toStdString();
        {
            auto store = ProjectStore::create(path);
            store->addCatalog("small", smallCatalog(3000), CatalogRole::Other);
        }
        QVERIFY(!std::filesystem::exists(path + "-wal")); // checkpointed on close: the file is whole
        const auto whole = std::filesystem::file_size(path);
        QVERIFY(whole > 8192);
        auto message = [&](const std::string& p) -> QString {
            try {
                ProjectStore::open(p);
            } catch (const Error& e) {
                return QString::fromUtf8(e.what());
            }
            return "opened";
        };
        // Cut short (a copy interrupted): its own header says how long it was.
        const std::string cut = dir.filePath("cut.rmproj").toStdString();
        std::filesystem::copy_file(path, cut);
        std::filesystem::resize_file(cut, whole / 2);
        const QString truncated = message(cut);
        QVERIFY2(truncated.contains("truncated") && truncated.contains(QString::number(whole / 2)) &&
                     truncated.contains(QString::number(whole)) &&
                     truncated.contains(QString::fromStdString(cut)) &&
                     !truncated.contains("not a RingMiner project"),
                 qPrintable(truncated));
        // A folder.
        const QString folder = message(dir.path().toStdString());
        QVERIFY2(folder.contains("is a folder"), qPrintable(folder));
        // Unreadable (permission denied): only testable for a user the mode applies to (not root).
        const std::string locked = dir.filePath("locked.rmproj").toStdString();
        std::filesystem::copy_file(path, locked);
        std::filesystem::permissions(locked, std::filesystem::perms::none);
        if (::geteuid() != 0) {
            const QString denied = message(locked);
            QVERIFY2(denied.contains("Permission denied") &&
                         denied.contains(QString::fromStdString(locked)) &&
                         !denied.contains("not a RingMiner project"),
                     qPrintable(denied));
        }
        // The whole file still opens.
        QCOMPARE(message(path), QString("opened"));
    }

    void catalogRoundTrip()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.rmproj").toStdString();
        {
            auto store = ProjectStore::create(path);
            store->addCatalog("small", smallCatalog(50), CatalogRole::Parent);
        }
        auto store = ProjectStore::open(path);
        CatalogInfo info = store->catalog("small");
        QCOMPARE(info.rowCount, std::size_t(50));
        QCOMPARE(info.role, CatalogRole::Parent);
        QCOMPARE(info.columns.size(), std::size_t(4));
        QCOMPARE(info.columns[3].first, std::string("odd \"name\""));
        Table t = store->loadTable(info.id);
        QCOMPARE(t.rowCount(), std::size_t(50));
        QCOMPARE(t.column("name").text(7), std::string("g7"));
        QVERIFY(t.column("z").isNull(0));
        QCOMPARE(*t.column("z").number(7), 0.07);
        QCOMPARE(t.column("n").integers[49], 49 * 1000000000000LL);
        QCOMPARE(t.column("odd \"name\"").text(1), std::string("(R1)"));
        CatalogPositions p = store->positions(info.id);
        QCOMPARE(p.ra.size(), std::size_t(50));
        QCOMPARE(p.dec[10], -5.0 + 10 * 0.001);
        QVERIFY_THROWS_EXCEPTION(Error, store->addCatalog("small", smallCatalog(2), CatalogRole::Other));
        try {
            store->catalog("nope");
            QFAIL("found a missing catalog");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("small"), e.what()); // names what exists
        }
    }

    void abortedImportLeavesProjectUnchanged()
    {
        QTemporaryDir dir;
        auto store = ProjectStore::create(dir.filePath("p.rmproj").toStdString());
        store->addCatalog("first", smallCatalog(10), CatalogRole::Other);
        const auto tablesBefore = store->db().queryInt("SELECT count(*) FROM sqlite_master").value_or(-1);
        // Cancelling half way through storing (as a killed or aborted import would) must roll everything
        // back.
        QVERIFY_THROWS_EXCEPTION(
            Error, store->addCatalog("second", smallCatalog(100000), CatalogRole::Other, {},
                                     [](std::size_t done, std::size_t) { return done < 40000; }));
        QCOMPARE(store->catalogs().size(), std::size_t(1));
        QCOMPARE(store->db().queryInt("SELECT count(*) FROM sqlite_master").value_or(-2), tablesBefore);
        QVERIFY(!store->hasCatalog("second"));
        // A labelled catalog without its label column is refused before anything is written.
        QVERIFY_THROWS_EXCEPTION(Error,
                                 store->addCatalog("third", smallCatalog(5), CatalogRole::Labelled, "ring"));
        QCOMPARE(store->catalogs().size(), std::size_t(1));
    }

    // A mined candidates catalog imported again replaces the old one in one transaction: a replacement that
    // fails half way (here its table cannot be created: a column named like the store's own _rm_row) leaves
    // the old catalog, its rows and its image source exactly as they were (before, the old one was removed in
    // a transaction of its own, and a kill between the two lost it).
    void replacingACatalogIsAllOrNothing()
    {
        QTemporaryDir dir;
        auto store = ProjectStore::create(dir.filePath("p.rmproj").toStdString());
        const std::int64_t first = replaceCatalog(*store, "cands", smallCatalog(10), CatalogRole::Candidates,
                                                  std::string(R"({"kind":"folder","dir":"/a"})"));
        QCOMPARE(*store->imageSourceSpec(first), std::string(R"({"kind":"folder","dir":"/a"})"));
        const auto tables = store->db().queryInt("SELECT count(*) FROM sqlite_master").value_or(-1);

        ImportedCatalog broken = smallCatalog(20);
        broken.table.addColumn("_rm_row", ColumnType::Integer);
        for (int i = 0; i < 20; ++i)
            broken.table.columns.back().appendInteger(i);
        QVERIFY_THROWS_EXCEPTION(Error, replaceCatalog(*store, "cands", broken, CatalogRole::Candidates,
                                                       std::string(R"({"kind":"folder","dir":"/b"})")));
        const CatalogInfo kept = store->catalog("cands");
        QCOMPARE(kept.id, first);
        QCOMPARE(kept.rowCount, std::size_t(10));
        QCOMPARE(store->db().queryInt("SELECT count(*) FROM " + kept.tableName).value_or(-1),
                 std::int64_t(10));
        QCOMPARE(*store->imageSourceSpec(first), std::string(R"({"kind":"folder","dir":"/a"})"));
        QCOMPARE(store->db().queryInt("SELECT count(*) FROM sqlite_master").value_or(-2), tables);

        // Another role under the name is refused, changing nothing.
        QVERIFY_THROWS_EXCEPTION(Error,
                                 replaceCatalog(*store, "cands", smallCatalog(5), CatalogRole::Rings, {}));
        QCOMPARE(store->catalog("cands").id, first);

        // A good replacement: the new rows and source, the old table gone, no orphan columns.
        const std::int64_t second = replaceCatalog(*store, "cands", smallCatalog(30), CatalogRole::Candidates,
                                                   std::string(R"({"kind":"folder","dir":"/c"})"));
        QCOMPARE(store->catalogs().size(), std::size_t(1));
        QCOMPARE(store->catalog("cands").rowCount, std::size_t(30));
        QCOMPARE(*store->imageSourceSpec(second), std::string(R"({"kind":"folder","dir":"/c"})"));
        QCOMPARE(store->db()
                     .queryInt("SELECT count(*) FROM sqlite_master WHERE name = '" + kept.tableName + "'")
                     .value_or(-1),
                 std::int64_t(second == first ? 1 : 0));
        QCOMPARE(store->db()
                     .queryInt("SELECT count(*) FROM catalog_columns WHERE catalog_id NOT IN (SELECT id "
                               "FROM catalogs)")
                     .value_or(-1),
                 std::int64_t(0));
        // Without a spec the new catalog has none.
        const std::int64_t third =
            replaceCatalog(*store, "cands", smallCatalog(3), CatalogRole::Candidates, {});
        QVERIFY(!store->imageSourceSpec(third));
    }

    void handLabelsKeepHistoryAndUndo()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.rmproj").toStdString();
        GalaxyKey g{0, 3};
        {
            auto store = ProjectStore::create(path);
            g.catalogId = store->addCatalog("small", smallCatalog(10), CatalogRole::Other);
            LabelStore labels(store->db());
            QVERIFY(!labels.undo(g, "ann")); // nothing to undo
            labels.set(g, 10.003, -4.997, HandLabel::Ring, "outer", "ann");
            labels.set(g, 10.003, -4.997, HandLabel::Unsure, "", "bob");
            labels.set(g, 10.003, -4.997, HandLabel::NotRing, "", "ann");
            QVERIFY(labels.undo(g, "ann"));
            QCOMPARE(labels.current(g)->label, HandLabel::Unsure);
            QVERIFY(labels.undo(g, "ann"));
            QCOMPARE(labels.current(g)->label, HandLabel::Ring);
            QCOMPARE(labels.current(g)->ringType, std::string("outer"));
            QVERIFY(labels.undo(g, "ann"));
            QVERIFY(!labels.current(g).has_value());
            QVERIFY(!labels.undo(g, "ann"));
            labels.set(g, 10.003, -4.997, HandLabel::Ring, "inner", "cat");
        }
        // Every label was committed the moment it was given: a fresh connection sees it all.
        auto store = ProjectStore::open(path);
        LabelStore labels(store->db());
        QCOMPARE(labels.current(g)->label, HandLabel::Ring);
        QCOMPARE(labels.current(g)->ringType, std::string("inner"));
        auto h = labels.history(g);
        QCOMPARE(h.size(), std::size_t(7));
        QCOMPARE(h[1].author, std::string("bob"));
        QCOMPARE(h[3].action, std::string("undo"));
        QCOMPARE(labels.allCurrent().size(), std::size_t(1));
    }
};

QTEST_APPLESS_MAIN(TestProjectStore)
#include "test_project_store.moc"
