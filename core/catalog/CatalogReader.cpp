// importCatalog: picks the reader, finds the position columns, sorts out bad rows, and assembles the result.
// Bad rows are decided before column types are inferred (text formats), so a skipped row never turns a
// numeric column into text.
#include "catalog/CatalogReader.h"

#include "catalog/CsvReader.h"
#include "catalog/FitsReader.h"
#include "catalog/FormatSniffer.h"
#include "catalog/MappedFile.h"
#include "catalog/PositionDetector.h"
#include "catalog/RawTable.h"
#include "catalog/ScoringCatalog.h"
#include "catalog/WhitespaceReader.h"
#include "util/Error.h"

#include <algorithm>
#include <cmath>
#include <optional>

namespace rm {

const char* catalogFormatName(CatalogFormat f)
{
    switch (f) {
    case CatalogFormat::Auto:
        return "auto";
    case CatalogFormat::Csv:
        return "csv";
    case CatalogFormat::Fits:
        return "fits";
    case CatalogFormat::Whitespace:
        return "whitespace";
    }
    return "auto";
}

std::string ImportIssue::message() const
{
    return describeLocation(file, row, column) + ": " + reason;
}

namespace {

using namespace rm::detail;

[[noreturn]] void raise(const ImportIssue& issue)
{
    throw InputError(issue.file, issue.row, issue.column, issue.reason);
}

bool byRow(const ImportIssue& a, const ImportIssue& b)
{
    return a.row < b.row;
}

// Walks the rows in file order: rows the reader already rejected (readerIssues, sorted) and rows whose
// position does not decode are dropped, or the first of them is thrown under Abort. cellsOf(i) gives row i's
// position cells. Returns the keep mask over the reader's rows.
template <typename CellsOf>
std::vector<std::uint8_t> resolveRows(ImportedCatalog& out, const DetectedPosition& where,
                                      const std::vector<std::size_t>& rowNumbers,
                                      std::vector<ImportIssue> readerIssues, const ImportOptions& options,
                                      bool requirePositions, CellsOf cellsOf)
{
    const bool abort = options.onBadRow == BadRowPolicy::Abort;
    std::vector<std::uint8_t> keep(rowNumbers.size(), 1);
    std::vector<ImportIssue> issues;
    std::size_t nextReaderIssue = 0;
    out.ra.reserve(rowNumbers.size());
    out.dec.reserve(rowNumbers.size());
    out.sourceRow.reserve(rowNumbers.size());
    for (std::size_t i = 0; i < rowNumbers.size(); ++i) {
        const std::size_t row = rowNumbers[i];
        bool rejected = false;
        // Reader issues on earlier rows (not stored) or on this row (stored but undecodable).
        while (nextReaderIssue < readerIssues.size() && readerIssues[nextReaderIssue].row <= row) {
            if (abort) raise(readerIssues[nextReaderIssue]);
            rejected |= readerIssues[nextReaderIssue].row == row;
            issues.push_back(std::move(readerIssues[nextReaderIssue++]));
        }
        if (rejected) {
            keep[i] = 0;
            continue;
        }
        if (where.raIndex < 0) { // no position columns (positions optional)
            out.ra.push_back(NAN);
            out.dec.push_back(NAN);
            out.sourceRow.push_back(row);
            continue;
        }
        const auto [raCell, decCell] = cellsOf(i);
        RowPosition p = rowPosition(where, raCell, decCell);
        if (!p.ok && !requirePositions) p = {true, NAN, NAN, {}, {}};
        if (!p.ok) {
            ImportIssue issue{out.path, row, p.column, p.reason};
            if (abort) raise(issue);
            issues.push_back(std::move(issue));
            keep[i] = 0;
            continue;
        }
        out.ra.push_back(p.ra);
        out.dec.push_back(p.dec);
        out.sourceRow.push_back(row);
    }
    for (; nextReaderIssue < readerIssues.size(); ++nextReaderIssue) {
        if (abort) raise(readerIssues[nextReaderIssue]);
        issues.push_back(std::move(readerIssues[nextReaderIssue]));
    }
    out.skipped = std::move(issues);
    return keep;
}

void importText(ImportedCatalog& out, const SniffedFormat& format, std::string_view content,
                const ImportOptions& options, bool requirePositions)
{
    RawTable raw = format.format == CatalogFormat::Whitespace
                       ? readWhitespace(out.path, content, options)
                       : readCsv(out.path, content, format.csv, options);
    const DetectedPosition where = detectPosition(
        out.path, raw.names, [&raw](std::size_t c, std::size_t max) { return raw.sample(c, max); }, options,
        requirePositions);
    out.position = where.columns;
    const RawColumn* raCol =
        where.raIndex >= 0 ? &raw.columns[static_cast<std::size_t>(where.raIndex)] : nullptr;
    const RawColumn* decCol =
        where.decIndex >= 0 ? &raw.columns[static_cast<std::size_t>(where.decIndex)] : nullptr;
    std::sort(raw.issues.begin(), raw.issues.end(), byRow);
    const auto keep = resolveRows(
        out, where, raw.sourceRow, std::move(raw.issues), options, requirePositions, [&](std::size_t i) {
            return std::make_pair(raCol ? PositionCell::ofText(raCol->cell(i)) : PositionCell::ofBlank(),
                                  decCol ? PositionCell::ofText(decCol->cell(i)) : PositionCell::ofBlank());
        });
    out.table = buildTypedTable(raw, keep);
}

PositionCell cellOf(const Column& c, std::size_t row)
{
    if (c.isNull(row)) return PositionCell::ofBlank();
    switch (c.type) {
    case ColumnType::Integer:
        return PositionCell::ofNumber(static_cast<double>(c.integers[row]));
    case ColumnType::Real:
        return PositionCell::ofNumber(c.reals[row]);
    case ColumnType::Text:
        return PositionCell::ofText(c.texts[row]);
    }
    return PositionCell::ofBlank();
}

// Drops the rows with keep[row] == 0 from every column, in place.
void keepRows(Table& table, const std::vector<std::uint8_t>& keep)
{
    if (std::all_of(keep.begin(), keep.end(), [](std::uint8_t k) { return k != 0; })) return;
    for (Column& c : table.columns) {
        std::size_t w = 0;
        for (std::size_t r = 0; r < keep.size(); ++r) {
            if (!keep[r]) continue;
            c.null[w] = c.null[r];
            switch (c.type) {
            case ColumnType::Integer:
                c.integers[w] = c.integers[r];
                break;
            case ColumnType::Real:
                c.reals[w] = c.reals[r];
                break;
            case ColumnType::Text:
                c.texts[w] = std::move(c.texts[r]);
                break;
            }
            ++w;
        }
        c.null.resize(w);
        switch (c.type) {
        case ColumnType::Integer:
            c.integers.resize(w);
            break;
        case ColumnType::Real:
            c.reals.resize(w);
            break;
        case ColumnType::Text:
            c.texts.resize(w);
            break;
        }
    }
}

void importFits(ImportedCatalog& out, const ImportOptions& options, bool requirePositions)
{
    FitsTable fits = readFits(out.path, options);
    out.notes = std::move(fits.notes);
    Table& table = fits.table;
    std::vector<std::string> names;
    for (const Column& c : table.columns)
        names.push_back(c.name);
    const DetectedPosition where = detectPosition(
        out.path, names,
        [&table](std::size_t col, std::size_t max) {
            std::vector<std::string> values;
            const Column& c = table.columns[col];
            for (std::size_t r = 0; r < c.size() && values.size() < max; ++r)
                if (!c.isNull(r)) values.push_back(c.text(r));
            return values;
        },
        options, requirePositions);
    out.position = where.columns;
    std::vector<std::size_t> rowNumbers(table.rowCount());
    for (std::size_t i = 0; i < rowNumbers.size(); ++i)
        rowNumbers[i] = i + 1;
    const Column* raCol =
        where.raIndex >= 0 ? &table.columns[static_cast<std::size_t>(where.raIndex)] : nullptr;
    const Column* decCol =
        where.decIndex >= 0 ? &table.columns[static_cast<std::size_t>(where.decIndex)] : nullptr;
    const auto keep = resolveRows(
        out, where, rowNumbers, std::move(fits.issues), options, requirePositions, [&](std::size_t i) {
            return std::make_pair(raCol ? cellOf(*raCol, i) : PositionCell::ofBlank(),
                                  decCol ? cellOf(*decCol, i) : PositionCell::ofBlank());
        });
    keepRows(table, keep);
    out.table = std::move(table);
}

} // namespace

namespace {

ImportedCatalog importAny(const std::string& path, const ImportOptions& options, bool requirePositions)
{
    ImportedCatalog out;
    out.path = path;
    // FITS goes to cfitsio by name (it may be gzip-compressed); everything else is mapped and sniffed.
    if (options.format == CatalogFormat::Fits ||
        (options.format == CatalogFormat::Auto && hasFitsExtension(path))) {
        out.format = CatalogFormat::Fits;
        importFits(out, options, requirePositions);
        return out;
    }
    MappedFile file(path);
    const SniffedFormat format = sniffFormat(path, file.text(), options.format);
    out.format = format.format;
    if (format.format == CatalogFormat::Fits)
        importFits(out, options, requirePositions);
    else
        importText(out, format, file.text(), options, requirePositions);
    return out;
}

} // namespace

ImportedCatalog importCatalog(const std::string& path, const ImportOptions& options)
{
    return importAny(path, options, true);
}

ScoringCatalog importCatalogForScoring(const std::string& path, const ImportOptions& options)
{
    ScoringCatalog out;
    out.catalog = importAny(path, options, false);
    out.hasPositions = !out.catalog.position.raColumn.empty();
    return out;
}

} // namespace rm
