// The filter bar's language: what it accepts becomes parameterised SQL (user text never in the SQL string),
// and what it refuses is named, token and position, in the message. Then the compiled filters run against a
// small catalog in a real project, through the query code of the catalog browser and `catalog show`: the rows
// each one returns, with NULL and NaN cells, strings and quotes, and sorted.
#include "catalog/FilterExpression.h"
#include "query/CatalogView.h"
#include "store/ProjectStore.h"

#include <QtTest>

#include <iterator>
#include <limits>
#include <memory>

using namespace rm;

class TestFilterExpression : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<ProjectStore> m_store;
    ViewSource m_source;

    // Seven galaxies. z: a blank and a NaN, both NULL in the store; n: one blank; OV: blanks, a quote,
    // brackets.
    static ImportedCatalog smallCatalog()
    {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        struct Galaxy
        {
            const char* name;
            double z; // nan in row 2 is written as a blank, in row 3 as NaN
            const char* n;
            const char* ov; // nullptr: blank
        };
        const Galaxy galaxies[] = {{"NGC 1", 0.01, "1", "(R1)"},    {"NGC 2", 0.04, "2", nullptr},
                                   {"IC 3", nan, "3", nullptr},     {"UGC 4", nan, nullptr, "R'"},
                                   {"PGC 5", 0.2, "0", "(R)"},      {"NGC 6", 0.05, "5", "RL"},
                                   {"Mrk 7", -0.001, "-7", nullptr}};
        ImportedCatalog c;
        c.path = "/generated/filter.csv";
        c.format = CatalogFormat::Csv;
        c.table.addColumn("name", ColumnType::Text);
        c.table.addColumn("z", ColumnType::Real);
        c.table.addColumn("n", ColumnType::Integer);
        c.table.addColumn("OV", ColumnType::Text);
        for (std::size_t i = 0; i < std::size(galaxies); ++i) {
            const Galaxy& g = galaxies[i];
            c.table.columns[0].appendText(g.name);
            if (i == 2)
                c.table.columns[1].appendNull();
            else
                c.table.columns[1].appendReal(g.z);
            if (g.n)
                c.table.columns[2].appendInteger(std::stoll(g.n));
            else
                c.table.columns[2].appendNull();
            if (g.ov)
                c.table.columns[3].appendText(g.ov);
            else
                c.table.columns[3].appendNull();
            c.ra.push_back(10.0 + double(i));
            c.dec.push_back(-5.0 + double(i));
            c.sourceRow.push_back(i + 1);
        }
        c.position = {PositionKind::Degrees, "ra", "dec"};
        return c;
    }

    QList<qint64> rowsOf(const QString& filter, int sortColumn = -1, bool descending = false)
    {
        ViewOrder order;
        order.filter = compileFilter(filter.toStdString(), m_source.filterColumns());
        order.sortColumn = sortColumn;
        order.descending = descending;
        const ViewKeys keys = CatalogQuery(*m_store).keys(m_source, order);
        QList<qint64> out;
        for (std::int64_t i = 0; i < keys.count; ++i)
            out << keys.keyAt(i);
        return out;
    }

    static std::vector<FilterColumn> columns()
    {
        return {{"z", "\"z\""},         {"OV", "\"OV\""},
                {"ring", "\"ring\""},   {"odd name", "\"odd name\""},
                {"Names", "\"Names\""}, {"t.label", "t.label"}};
    }

    static QString params(const CompiledFilter& f)
    {
        QStringList out;
        for (const SqlParam& p : f.params) {
            if (auto* i = std::get_if<std::int64_t>(&p)) out << QStringLiteral("i:%1").arg(*i);
            if (auto* d = std::get_if<double>(&p)) out << QStringLiteral("d:%1").arg(*d);
            if (auto* s = std::get_if<std::string>(&p))
                out << QStringLiteral("s:%1").arg(QString::fromStdString(*s));
        }
        return out.join(QLatin1Char('|'));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_store = ProjectStore::create(m_dir.filePath("filter.rmproj").toStdString());
        const std::int64_t id = m_store->addCatalog("small", smallCatalog(), CatalogRole::Other);
        m_source = catalogViewSource(m_store->catalog(id));
    }

    void compiles_data()
    {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<QString>("sql");
        QTest::addColumn<QString>("params");
        QTest::newRow("empty") << "   "
                               << ""
                               << "";
        QTest::newRow("number") << "z < 0.05"
                                << "(\"z\" < ?)"
                                << "d:0.05";
        QTest::newRow("integer") << "ring = 1"
                                 << "(\"ring\" = ?)"
                                 << "i:1";
        QTest::newRow("mission example") << "z < 0.05 and OV != ''"
                                         << "((\"z\" < ?) AND (\"OV\" IS NOT NULL AND \"OV\" != ''))"
                                         << "d:0.05";
        QTest::newRow("blank equals") << "OV = \"\""
                                      << "(\"OV\" IS NULL OR \"OV\" = '')"
                                      << "";
        QTest::newRow("precedence") << "ring = 1 or z > 0.1 and not OV like '(R%'"
                                    << "((\"ring\" = ?) OR ((\"z\" > ?) AND (NOT (\"OV\" LIKE ?))))"
                                    << "i:1|d:0.1|s:(R%";
        QTest::newRow("parentheses") << "(ring = 1 or ring = 0) and z >= -1e-3"
                                     << "(((\"ring\" = ?) OR (\"ring\" = ?)) AND (\"z\" >= ?))"
                                     << "i:1|i:0|d:-0.001";
        QTest::newRow("case-insensitive keywords and column") << "RING == 1 AND names LIKE 'NGC%'"
                                                              << "((\"ring\" = ?) AND (\"Names\" LIKE ?))"
                                                              << "i:1|s:NGC%";
        QTest::newRow("quoted column") << "`odd name` <> 'x'"
                                       << "(\"odd name\" != ?)"
                                       << "s:x";
        QTest::newRow("bracket column") << "[odd name] = 2"
                                        << "(\"odd name\" = ?)"
                                        << "i:2";
        QTest::newRow("not like") << "OV not like '%P%'"
                                  << "(\"OV\" NOT LIKE ?)"
                                  << "s:%P%";
        QTest::newRow("is null") << "z is null or z is not null"
                                 << "((\"z\" IS NULL) OR (\"z\" IS NOT NULL))"
                                 << "";
        QTest::newRow("dotted column") << "t.label = 1"
                                       << "(t.label = ?)"
                                       << "i:1";
        QTest::newRow("no spaces, negative") << "z>-5"
                                             << "(\"z\" > ?)"
                                             << "i:-5";
        QTest::newRow("column to column") << "z < ring"
                                          << "(\"z\" < \"ring\")"
                                          << "";
        // The classic injection is a string like any other: it becomes one bound value.
        QTest::newRow("injection is data") << "OV = 'x''; DROP TABLE catalogs; --'"
                                           << "(\"OV\" = ?)"
                                           << "s:x'; DROP TABLE catalogs; --";
    }

    void compiles()
    {
        QFETCH(QString, filter);
        QFETCH(QString, sql);
        QFETCH(QString, params);
        const CompiledFilter f = compileFilter(filter.toStdString(), columns());
        QCOMPARE(QString::fromStdString(f.where), sql);
        QCOMPARE(this->params(f), params);
    }

    void refuses_data()
    {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<QString>("mustSay"); // what the message must contain
        QTest::addColumn<int>("position");
        QTest::newRow("unknown column") << "zz < 1"
                                        << "unknown column 'zz' at character 1" << 1;
        QTest::newRow("unknown column lists the real ones") << "ring = 1 and foo = 2"
                                                            << "columns are: z, OV" << 14;
        QTest::newRow("double operator") << "ring = = 1"
                                         << "'=' at character 8" << 8;
        QTest::newRow("missing value") << "z <"
                                       << "found the end of the filter" << 4;
        QTest::newRow("missing operator") << "z 0.05"
                                          << "expected a comparison" << 3;
        QTest::newRow("bare column") << "ring"
                                     << "after 'ring'" << 5;
        QTest::newRow("unbalanced (") << "(ring = 1"
                                      << "missing ')'" << 10;
        QTest::newRow("unbalanced )") << "ring = 1)"
                                      << "unmatched ')'" << 9;
        QTest::newRow("dangling and") << "ring = 1 and"
                                      << "found the end of the filter" << 13;
        QTest::newRow("juxtaposed") << "ring = 1 z < 2"
                                    << "'z' at character 10" << 10;
        QTest::newRow("unterminated string") << "OV = '(R1"
                                             << "unterminated string" << 6;
        QTest::newRow("stray character") << "z < 0.05; drop"
                                         << "unexpected character ';'" << 9;
        QTest::newRow("bad number") << "z < 5abc"
                                    << "'5abc' at character 5 is not a number" << 5;
        QTest::newRow("is without null") << "z is 3"
                                         << "expected 'null'" << 6;
        QTest::newRow("semicolon injection") << "ring = 1; DROP TABLE catalogs"
                                             << "';'" << 9;
    }

    void refuses()
    {
        QFETCH(QString, filter);
        QFETCH(QString, mustSay);
        QFETCH(int, position);
        try {
            compileFilter(filter.toStdString(), columns());
            QFAIL("accepted a bad filter");
        } catch (const FilterError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(mustSay), e.what());
            QCOMPARE(e.position(), position);
        }
    }

    // SQL's three-valued logic is the filter's: a NULL (blank or NaN) cell passes neither `z < 0.05` nor
    // `not z < 0.05`, only `z is null`.
    void selectsRows_data()
    {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<QList<qint64>>("rows");
        using R = QList<qint64>;
        QTest::newRow("empty") << "" << R{0, 1, 2, 3, 4, 5, 6};
        QTest::newRow("less than") << "z < 0.05" << R{0, 1, 6};
        QTest::newRow("less or equal") << "z <= 0.05" << R{0, 1, 5, 6};
        QTest::newRow("blank and NaN are null") << "z is null" << R{2, 3};
        QTest::newRow("not skips NULL") << "not z < 0.05" << R{4, 5};
        QTest::newRow("is not null") << "n is not null and z is not null" << R{0, 1, 4, 5, 6};
        QTest::newRow("blank equals empty") << "OV = ''" << R{1, 2, 6};
        QTest::newRow("not blank") << "OV != ''" << R{0, 3, 4, 5};
        QTest::newRow("like is case-insensitive") << "name like 'ngc%'" << R{0, 1, 5};
        QTest::newRow("like with bracket") << "OV like '(R%'" << R{0, 4};
        QTest::newRow("not like skips NULL") << "OV not like '(%'" << R{3, 5};
        QTest::newRow("string with a quote") << "OV = 'R'''" << R{3};
        QTest::newRow("double-quoted string") << "name = \"IC 3\"" << R{2};
        QTest::newRow("integers") << "n = 2 or n >= 5" << R{1, 5};
        QTest::newRow("negative and not") << "n > -10 and not (n = 0 or n = 1)" << R{1, 2, 5, 6};
        QTest::newRow("position") << "_ra > 13.5" << R{4, 5, 6};
        QTest::newRow("column to column") << "z > n" << R{4, 6};
        QTest::newRow("exact real") << "name = 'NGC 6' and z = 0.05" << R{5};
        QTest::newRow("injection is data") << "name = 'x''; DROP TABLE catalogs; --'" << R{};
    }

    void selectsRows()
    {
        QFETCH(QString, filter);
        QFETCH(QList<qint64>, rows);
        QCOMPARE(rowsOf(filter), rows);
    }

    // Sorted views put NULLs first going up and last going down; ties keep row order.
    void sortsRows()
    {
        const int z = m_source.columnIndex("z");
        QCOMPARE(z, 3); // after _ra, _dec, name
        QCOMPARE(rowsOf("", z), (QList<qint64>{2, 3, 6, 0, 1, 5, 4}));
        QCOMPARE(rowsOf("", z, true), (QList<qint64>{4, 5, 1, 0, 6, 2, 3}));
        QCOMPARE(rowsOf("OV != ''", m_source.columnIndex("NAME")), (QList<qint64>{0, 5, 4, 3}));
        QCOMPARE(rowsOf("", -1, true), (QList<qint64>{6, 5, 4, 3, 2, 1, 0}));
    }

    // A malformed filter over the catalog's real columns fails before any SQL runs, naming what and where.
    void malformedOverCatalog_data()
    {
        QTest::addColumn<QString>("filter");
        QTest::addColumn<QString>("mustSay");
        QTest::addColumn<int>("position");
        QTest::newRow("unknown column")
            << "z < 0.05 and zz = 1"
            << "unknown column 'zz' at character 14; columns are: _ra, _dec, name, "
               "z, n, OV"
            << 14;
        QTest::newRow("dangling and") << "z < 0.05 and"
                                      << "found the end of the filter" << 13;
        QTest::newRow("unterminated string") << "OV = 'R"
                                             << "unterminated string starting at character 6" << 6;
        QTest::newRow("string compared to nothing") << "name = 'NGC 1' or"
                                                    << "found the end of the filter" << 18;
    }

    void malformedOverCatalog()
    {
        QFETCH(QString, filter);
        QFETCH(QString, mustSay);
        QFETCH(int, position);
        try {
            rowsOf(filter);
            QFAIL("accepted a bad filter");
        } catch (const FilterError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(mustSay), e.what());
            QCOMPARE(e.position(), position);
        }
    }
};

QTEST_APPLESS_MAIN(TestFilterExpression)
#include "test_filter_expression.moc"
