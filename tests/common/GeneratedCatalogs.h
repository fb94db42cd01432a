#pragma once
// Catalogs made by formula, so tests know every answer without reading it back, and benchmarks measure the
// same data the tests assert on. Core only (no Qt): bench/ uses it too.
#include "catalog/CatalogReader.h"

#include <cstdint>
#include <string>

namespace rmtest {

// Row i of the million-row catalog: z in 0 .. 0.3, r magnitude in 14 .. 20.
inline double millionZ(std::size_t i)
{
    return double((i * 7919) % 100000) / 100000.0 * 0.3;
}
inline double millionMag(std::size_t i)
{
    return 14.0 + double((i * 104729) % 60000) / 10000.0;
}

inline rm::ImportedCatalog millionRowCatalog(std::size_t n)
{
    rm::ImportedCatalog c;
    c.path = "/generated/million.csv";
    c.format = rm::CatalogFormat::Csv;
    // All columns first: adding one may move the others, so references are taken afterwards.
    c.table.addColumn("name", rm::ColumnType::Text);
    c.table.addColumn("z", rm::ColumnType::Real);
    c.table.addColumn("rmag", rm::ColumnType::Real);
    c.table.addColumn("flag", rm::ColumnType::Integer);
    c.table.addColumn("note", rm::ColumnType::Text);
    rm::Column& name = c.table.columns[0];
    rm::Column& z = c.table.columns[1];
    rm::Column& mag = c.table.columns[2];
    rm::Column& flag = c.table.columns[3];
    rm::Column& note = c.table.columns[4];
    for (std::size_t i = 0; i < n; ++i) {
        name.appendText("G" + std::to_string(1000000 + i));
        z.appendReal(millionZ(i));
        mag.appendReal(millionMag(i));
        flag.appendInteger(std::int64_t(i % 3));
        if (i % 10 == 0)
            note.appendText("(R1)");
        else
            note.appendNull();
        c.ra.push_back(double(i % 36000) / 100.0);
        c.dec.push_back(-60.0 + double(i / 36000) * 0.004);
        c.sourceRow.push_back(i + 1);
    }
    c.position = {rm::PositionKind::Degrees, "ra", "dec"};
    return c;
}

} // namespace rmtest
