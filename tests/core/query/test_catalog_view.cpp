// The catalog browser's queries in core, on generated catalogs whose every answer is known: a view query that
// a newer request abandons mid-way (and the connection that works after it), rows by key with typed cells,
// one galaxy's record, the inspector's neighbour search; and filters run against the real Buta 2017 catalog.
#include "GeneratedCatalogs.h"
#include "TestData.h"

#include "catalog/CatalogReader.h"

#include "query/CatalogView.h"
#include "query/NeighbourSearch.h"
#include "store/CatalogRecords.h"
#include "store/ProjectStore.h"
#include "util/Error.h"

#include <QtTest>

#include <memory>

using namespace rm;

class TestCatalogView : public QObject
{
    Q_OBJECT

    static constexpr std::size_t kRows = 50000;
    QTemporaryDir m_dir;
    std::string m_path;
    std::unique_ptr<ProjectStore> m_store;
    std::int64_t m_big = 0, m_twin = 0;

    ViewOrder filtered(const ViewSource& source, const std::string& filter, const std::string& sortBy)
    {
        ViewOrder order;
        order.filter = compileFilter(filter, source.filterColumns());
        order.sortColumn = source.columnIndex(sortBy);
        return order;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_path = m_dir.filePath("view.rmproj").toStdString();
        m_store = ProjectStore::create(m_path);
        m_big = m_store->addCatalog("big", rmtest::millionRowCatalog(kRows), CatalogRole::Other);
        // The first 100 rows again: every one of them has a twin at 0" in the other catalog.
        m_twin = m_store->addCatalog("twin", rmtest::millionRowCatalog(100), CatalogRole::Other);
    }

    void keysFollowFilterAndSort()
    {
        const ViewSource source = catalogViewSource(m_store->catalog(m_big));
        std::int64_t expected = 0;
        for (std::size_t i = 0; i < kRows; ++i)
            expected += rmtest::millionZ(i) < 0.05 && i % 3 == 1;
        const ViewKeys keys =
            CatalogQuery(*m_store).keys(source, filtered(source, "z < 0.05 and flag = 1", "z"));
        QCOMPARE(keys.count, expected);
        QVERIFY(keys.catalogIds.empty()); // a catalog's key is its row
        for (std::int64_t i = 1; i < keys.count; ++i)
            QVERIFY(rmtest::millionZ(std::size_t(keys.keyAt(i - 1))) <=
                    rmtest::millionZ(std::size_t(keys.keyAt(i))));
    }

    // Filters run against a real catalog (Buta 2017, 3962 rows) as the browser and `catalog show --where` run
    // them: the rows returned, counted independently with Python's csv module (a blank cell is no value):
    //   z < 0.005 and OV != ''      18 rows: 587 904 975 1509 1631 1695 1710 1723 1746 1767 1791 1798 1807
    //                                        1813 1855 1886 1959 3862
    //   Fam = 'SB' and OV like '(r1%'  132 (like is case-insensitive)
    //   z is null                    241
    //   T >= 5 and F < 1              83
    void filtersOnTheRealButaCatalog()
    {
        RM_SHARED_DATA(buta, "catalogs/buta2017_table2.csv");
        const std::int64_t id = m_store->addCatalog("buta", importCatalog(buta), CatalogRole::Rings);
        const ViewSource source = catalogViewSource(m_store->catalog(id));
        auto rows = [&](const std::string& filter) {
            ViewOrder order;
            order.filter = compileFilter(filter, source.filterColumns());
            const ViewKeys keys = CatalogQuery(*m_store).keys(source, order);
            std::vector<std::int64_t> out;
            for (std::int64_t i = 0; i < keys.count; ++i)
                out.push_back(keys.keyAt(i));
            return out;
        };
        QCOMPARE(rows("").size(), std::size_t(3962));
        QCOMPARE(rows("z < 0.005 and OV != ''"),
                 (std::vector<std::int64_t>{587, 904, 975, 1509, 1631, 1695, 1710, 1723, 1746, 1767, 1791,
                                            1798, 1807, 1813, 1855, 1886, 1959, 3862}));
        QCOMPARE(rows("Fam = 'SB' and OV like '(r1%'").size(), std::size_t(132));
        QCOMPARE(rows("z is null").size(), std::size_t(241));
        QCOMPARE(rows("T >= 5 and F < 1").size(), std::size_t(83));
        // The same filter through the `catalog show` path: the rows by key carry the values filtered on.
        const auto keys = rows("z < 0.005 and OV != ''");
        const Table t = m_store->loadTable(id, {"z", "OV"});
        for (std::int64_t k : keys) {
            QVERIFY(*t.columns[0].number(std::size_t(k)) < 0.005);
            QVERIFY(!t.columns[1].text(std::size_t(k)).empty());
        }
    }

    // What the browser's worker does when the user types on: the running query stops, says so, and the
    // connection serves the next one.
    void abandonedQueryStopsAndTheConnectionGoesOn()
    {
        auto query = CatalogQuery::open(m_path);
        const ViewSource source = catalogViewSource(m_store->catalog(m_big));
        const ViewOrder order = filtered(source, "rmag > 15 or note != ''", "rmag");
        int polls = 0;
        QVERIFY_THROWS_EXCEPTION(QueryAbandoned, query->keys(source, order, [&] { return ++polls >= 2; }));
        QCOMPARE(polls, 2);
        polls = 0;
        const ViewKeys all = query->keys(source, order, [&] {
            ++polls;
            return false;
        });
        QVERIFY(polls > 2); // polled all along, never abandoned
        QVERIFY(all.count > 40000);
        // The hook is gone once the query is over: a plain query after an abandoned one runs to the end.
        QVERIFY_THROWS_EXCEPTION(QueryAbandoned, query->keys(source, order, [] { return true; }));
        QCOMPARE(query->keys(source, order).count, all.count);
    }

    void rowsByKeyHaveTypedCells()
    {
        const ViewSource source = catalogViewSource(m_store->catalog(m_big));
        CatalogQuery query(*m_store);
        const auto range = query.rowsByKeyRange(source, 10, 12, true);
        QCOMPARE(range.size(), std::size_t(3));
        QCOMPARE(range[0].key, std::int64_t(10));
        QCOMPARE(range[0].catalogId, m_big);
        QCOMPARE(range[0].ra, 0.1);
        const int name = source.columnIndex("name"), flag = source.columnIndex("flag"),
                  note = source.columnIndex("note"), ra = source.columnIndex("_ra");
        QCOMPARE(std::get<std::string>(range[0].cells[std::size_t(name)]), std::string("G1000010"));
        QCOMPARE(std::get<std::int64_t>(range[1].cells[std::size_t(flag)]), std::int64_t(11 % 3));
        QCOMPARE(std::get<std::string>(range[0].cells[std::size_t(note)]), std::string("(R1)"));
        QVERIFY(std::holds_alternative<std::monostate>(range[1].cells[std::size_t(note)])); // blank
        QCOMPARE(formatViewCell(range[1].cells[std::size_t(ra)], source.columns[std::size_t(ra)]),
                 std::string("0.110000"));
        QCOMPARE(formatViewCell(range[1].cells[std::size_t(note)], source.columns[std::size_t(note)]),
                 std::string());

        auto byKeys = query.rowsByKeys(source, {49999, 7, 123456789}, false); // the last is no row
        QCOMPARE(byKeys.size(), std::size_t(2));
        for (const ViewRow& r : byKeys) {
            QVERIFY(r.key == 7 || r.key == 49999);
            QVERIFY(r.cells.empty());
            QCOMPARE(r.row, r.key);
        }
    }

    void recordsByGalaxy()
    {
        CatalogRecordReader reader(*m_store);
        const CatalogRecord r = reader.read(m_big, 21);
        QCOMPARE(r.ra, 0.21);
        QCOMPARE(r.values.size(), std::size_t(5));
        QCOMPARE(r.values[0], (std::pair<std::string, std::string>("name", "G1000021")));
        QCOMPARE(r.values[3].second, std::string("0")); // flag, an integer
        QCOMPARE(r.values[4].second, std::string());    // note: blank
        QCOMPARE(reader.catalog(m_big).name, std::string("big"));
        try {
            reader.read(m_twin, 100);
            QFAIL("read a row that does not exist");
        } catch (const Error& e) {
            QCOMPARE(QString(e.what()), QString("catalog 'twin' has no row 100"));
        }
        QCOMPARE(reader.read(m_twin, 99).values[0].second, std::string("G1000099")); // still usable
    }

    void neighboursInOtherCatalogs()
    {
        NeighbourSearch search(m_path);
        const auto found = search.find(0.05, -60.0, 3.0, m_big);
        QVERIFY(found.has_value());
        QCOMPARE(found->size(), std::size_t(1));
        const Neighbour& n = found->front();
        QCOMPARE(n.catalogName, std::string("twin"));
        QCOMPARE(n.row, std::int64_t(5));
        QVERIFY(n.separationArcsec < 1e-6);
        QCOMPARE(n.values[0], (std::pair<std::string, std::string>("name", "G1000005")));
        // Without the exclusion the galaxy's own catalog answers too; a stale search gives up.
        QCOMPARE(search.find(0.05, -60.0, 3.0, -1)->size(), std::size_t(2));
        QVERIFY(!search.find(0.05, -60.0, 3.0, -1, [] { return true; }).has_value());
    }
};

QTEST_APPLESS_MAIN(TestCatalogView)
#include "test_catalog_view.moc"
