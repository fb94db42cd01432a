// The filter bar's language: what it accepts becomes parameterised SQL (user text never in the SQL string),
// and what it refuses is named, token and position, in the message.
#include "catalog/FilterExpression.h"

#include <QtTest>

using namespace rm;

class TestFilterExpression : public QObject
{
    Q_OBJECT

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
};

QTEST_APPLESS_MAIN(TestFilterExpression)
#include "test_filter_expression.moc"
