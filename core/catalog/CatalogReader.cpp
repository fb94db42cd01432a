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
#include "catalog/VoTableReader.h"
#include "catalog/WhitespaceReader.h"
#include "util/Error.h"

#include <algorithm>
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
    case CatalogFormat::VoTable:
        return "votable";
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
std::vector<std::uint8_t>
resolveRows(ImportedCatalog& out, const DetectedPosition& where, const std::vector<std::size_t>& rowNumbers,
            std::vector<ImportIssue> readerIssues, const ImportOptions& options, CellsOf cellsOf)
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
        const auto [raCell, decCell] = cellsOf(i);
        const RowPosition p = rowPosition(where, raCell, decCell);
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
                const ImportOptions& options)
{
    RawTable raw = format.format == CatalogFormat::Whitespace
                       ? readWhitespace(out.path, content, options)
                       : readCsv(out.path, content, format.csv, options);
    const DetectedPosition where = detectPosition(
        out.path, raw.names, [&raw](std::size_t c, std::size_t max) { return raw.sample(c, max); }, options);
    out.position = where.columns;
    out.positionNote = where.how;
    const RawColumn* raCol = &raw.columns[static_cast<std::size_t>(where.raIndex)];
    const RawColumn* decCol =
        where.decIndex >= 0 ? &raw.columns[static_cast<std::size_t>(where.decIndex)] : nullptr;
    std::sort(raw.issues.begin(), raw.issues.end(), byRow);
    const auto keep =
        resolveRows(out, where, raw.sourceRow, std::move(raw.issues), options, [&](std::size_t i) {
            return std::make_pair(PositionCell::ofText(raCol->cell(i)),
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

// The main position of a VOTable: exactly one column with each of the UCDs pos.eq.ra;meta.main and
// pos.eq.dec;meta.main. Empty when the table does not say.
std::pair<std::string, std::string> ucdPosition(const Table& table, const std::vector<std::string>& ucds)
{
    std::vector<std::string> ra, dec;
    for (std::size_t i = 0; i < table.columns.size() && i < ucds.size(); ++i) {
        const std::string& u = ucds[i];
        if (u.find("meta.main") == std::string::npos) continue;
        if (u.rfind("pos.eq.ra", 0) == 0) ra.push_back(table.columns[i].name);
        if (u.rfind("pos.eq.dec", 0) == 0) dec.push_back(table.columns[i].name);
    }
    if (ra.size() == 1 && dec.size() == 1) return {ra[0], dec[0]};
    return {};
}

// Readers that decode types themselves (FITS, VOTable): find the position, then drop or reject bad rows.
void importTyped(ImportedCatalog& out, Table& table, std::vector<ImportIssue> issues,
                 const ImportOptions& options, const std::string& how = {})
{
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
        options);
    out.position = where.columns;
    out.positionNote = how.empty() ? where.how : how;
    std::vector<std::size_t> rowNumbers(table.rowCount());
    for (std::size_t i = 0; i < rowNumbers.size(); ++i)
        rowNumbers[i] = i + 1;
    const Column& raCol = table.columns[static_cast<std::size_t>(where.raIndex)];
    const Column* decCol =
        where.decIndex >= 0 ? &table.columns[static_cast<std::size_t>(where.decIndex)] : nullptr;
    const auto keep = resolveRows(out, where, rowNumbers, std::move(issues), options, [&](std::size_t i) {
        return std::make_pair(cellOf(raCol, i), decCol ? cellOf(*decCol, i) : PositionCell::ofBlank());
    });
    keepRows(table, keep);
    out.table = std::move(table);
}

void importFits(ImportedCatalog& out, const ImportOptions& options)
{
    FitsTable fits = readFits(out.path, options);
    out.notes = std::move(fits.notes);
    importTyped(out, fits.table, std::move(fits.issues), options);
}

void importVoTable(ImportedCatalog& out, const ImportOptions& options)
{
    VoTable vot = readVoTable(out.path, options);
    out.notes = std::move(vot.notes);
    ImportOptions withUcds = options;
    std::string how;
    if (options.raColumn.empty() && options.decColumn.empty() && options.iauNameColumn.empty()) {
        const auto [ra, dec] = ucdPosition(vot.table, vot.ucds);
        if (!ra.empty()) {
            withUcds.raColumn = ra;
            withUcds.decColumn = dec;
            how = "positions from " + ra + "/" + dec +
                  ", the FIELDs whose UCDs are pos.eq.ra;meta.main and pos.eq.dec;meta.main";
        }
    }
    importTyped(out, vot.table, std::move(vot.issues), withUcds, how);
}

} // namespace

ImportedCatalog importCatalog(const std::string& path, const ImportOptions& options)
{
    ImportedCatalog out;
    out.path = path;
    // FITS goes to cfitsio by name (it may be gzip-compressed); everything else is mapped and sniffed.
    if (options.format == CatalogFormat::Fits ||
        (options.format == CatalogFormat::Auto && hasFitsExtension(path))) {
        out.format = CatalogFormat::Fits;
        importFits(out, options);
        return out;
    }
    if (options.format == CatalogFormat::VoTable ||
        (options.format == CatalogFormat::Auto && hasVoTableExtension(path))) {
        out.format = CatalogFormat::VoTable;
        importVoTable(out, options);
        return out;
    }
    MappedFile file(path);
    const SniffedFormat format = sniffFormat(path, file.text(), options.format);
    out.format = format.format;
    if (format.format == CatalogFormat::Fits)
        importFits(out, options);
    else if (format.format == CatalogFormat::VoTable)
        importVoTable(out, options);
    else
        importText(out, format, file.text(), options);
    return out;
}

} // namespace rm
