// importCatalog: picks the reader, finds the position columns, sorts out bad rows, and assembles the result.
// Bad rows are decided before column types are inferred (text formats), so a skipped row never turns a
// numeric column into text.
#include "catalog/CatalogReader.h"

#include "catalog/CsvReader.h"
#include "catalog/FitsReader.h"
#include "catalog/FormatSniffer.h"
#include "catalog/MappedFile.h"
#include "catalog/NumberParse.h"
#include "catalog/PositionDetector.h"
#include "catalog/RawTable.h"
#include "catalog/ScoringCatalog.h"
#include "catalog/VoTableReader.h"
#include "catalog/WhitespaceReader.h"
#include "util/Error.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
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
    case CatalogFormat::VoTable:
        return "votable";
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
    out.positionNote = where.how;
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
                 const ImportOptions& options, bool requirePositions, const std::string& how = {})
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
        options, requirePositions);
    out.position = where.columns;
    out.positionNote = how.empty() ? where.how : how;
    std::vector<std::size_t> rowNumbers(table.rowCount());
    for (std::size_t i = 0; i < rowNumbers.size(); ++i)
        rowNumbers[i] = i + 1;
    const Column* raCol =
        where.raIndex >= 0 ? &table.columns[static_cast<std::size_t>(where.raIndex)] : nullptr;
    const Column* decCol =
        where.decIndex >= 0 ? &table.columns[static_cast<std::size_t>(where.decIndex)] : nullptr;
    const auto keep =
        resolveRows(out, where, rowNumbers, std::move(issues), options, requirePositions, [&](std::size_t i) {
            return std::make_pair(raCol ? cellOf(*raCol, i) : PositionCell::ofBlank(),
                                  decCol ? cellOf(*decCol, i) : PositionCell::ofBlank());
        });
    keepRows(table, keep);
    out.table = std::move(table);
}

void importFits(ImportedCatalog& out, const ImportOptions& options, bool requirePositions)
{
    FitsTable fits = readFits(out.path, options);
    out.notes = std::move(fits.notes);
    importTyped(out, fits.table, std::move(fits.issues), options, requirePositions);
}

void importVoTable(ImportedCatalog& out, const ImportOptions& options, bool requirePositions)
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
    importTyped(out, vot.table, std::move(vot.issues), withUcds, requirePositions, how);
}

} // namespace

namespace {

// The offset of the first byte that does not belong to a well-formed UTF-8 sequence (overlong forms,
// surrogates and values past U+10FFFF included), or nothing when the text is valid UTF-8.
std::optional<std::size_t> firstInvalidUtf8(std::string_view s)
{
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    std::size_t i = 0;
    while (i < n) {
        const unsigned char c = p[i];
        if (c < 0x80) {
            ++i;
            while (i + 8 <= n) { // ASCII runs eight bytes at a time
                std::uint64_t word;
                std::memcpy(&word, p + i, 8);
                if (word & 0x8080808080808080ull) break;
                i += 8;
            }
            continue;
        }
        std::size_t len = 0;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF)
            len = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else
            return i;
        if (i + len > n) return i;
        if (p[i + 1] < lo || p[i + 1] > hi) return i;
        for (std::size_t k = 2; k < len; ++k)
            if (p[i + k] < 0x80 || p[i + k] > 0xBF) return i;
        i += len;
    }
    return std::nullopt;
}

std::string latin1ToUtf8(std::string_view s)
{
    std::string out;
    out.reserve(s.size() + s.size() / 8);
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x80) {
            out.push_back(ch);
        } else {
            out.push_back(static_cast<char>(0xC0 | (c >> 6)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        }
    }
    return out;
}

std::size_t lineOf(std::string_view s, std::size_t offset)
{
    return 1 + static_cast<std::size_t>(std::count(s.begin(), s.begin() + static_cast<long>(offset), '\n'));
}

// A text catalog has no NUL bytes; an image, a database or an archive saved under a .csv name has them in
// its first kilobytes. Refused before the tokenizer turns it into thousands of garbage columns.
void rejectBinary(const std::string& path, std::string_view text)
{
    const std::string_view head = text.substr(0, 4096);
    std::string start(detail::trimBlanks(head.substr(head.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0, 200)));
    for (char& c : start)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    while (!start.empty() && (start[0] == '\n' || start[0] == '\r' || start[0] == ' '))
        start.erase(0, 1);
    if (start.rfind("<!doctype html", 0) == 0 || start.rfind("<html", 0) == 0)
        throw InputError(path, 0, {},
                         "is an HTML page, not a catalog (an error page saved in place of the download?)");
    const std::size_t nul = head.find('\0');
    if (nul == std::string_view::npos) return;
    std::string kind = "a binary file";
    if (head.substr(0, 8) == "\x89PNG\r\n\x1a\n") kind = "a PNG image";
    if (head.substr(0, 3) == "\xFF\xD8\xFF") kind = "a JPEG image";
    if (head.substr(0, 16) == std::string_view("SQLite format 3\0", 16)) kind = "an SQLite database";
    if (head.substr(0, 4) == "PK\x03\x04") kind = "a zip archive";
    throw InputError(path, 0, {},
                     "is " + kind + ", not a text catalog (NUL byte at byte " + std::to_string(nul + 1) +
                         " of line " + std::to_string(lineOf(text, nul)) + ")");
}

// Right ascension in hours under a degrees column name is the classic silent error: every galaxy lands in
// the first 24 degrees. A catalog whose detected ra never leaves [0, 24] while spanning at least 6 of those
// "degrees" and whose dec spans 30 degrees or more is refused; naming the columns (--ra/--dec) says they
// really are degrees.
void rejectRaInHours(const ImportedCatalog& out, const ImportOptions& options)
{
    if (!options.raColumn.empty() || out.position.kind != PositionKind::Degrees || out.ra.size() < 10) return;
    double raMin = 360, raMax = 0, decMin = 90, decMax = -90;
    for (std::size_t i = 0; i < out.ra.size(); ++i) {
        if (!std::isfinite(out.ra[i])) return; // positions optional (scoring): nothing to judge
        raMin = std::min(raMin, out.ra[i]);
        raMax = std::max(raMax, out.ra[i]);
        decMin = std::min(decMin, out.dec[i]);
        decMax = std::max(decMax, out.dec[i]);
    }
    if (raMax > 24.0 || raMax - raMin < 6.0 || decMax - decMin < 30.0) return;
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "every ra of the %zu rows is between %.4g and %.4g while dec spans %.4g to %.4g degrees",
                  out.ra.size(), raMin, raMax, decMin, decMax);
    throw InputError(out.path, 0, out.position.raColumn,
                     std::string(buf) +
                         ": the column looks like hours, not degrees; convert it to degrees (x 15), or "
                         "name the columns with --ra/--dec if they really are degrees");
}

ImportedCatalog importAny(const std::string& path, const ImportOptions& options, bool requirePositions)
{
    ImportedCatalog out;
    out.path = path;
    // FITS goes to cfitsio by name (it may be gzip-compressed); everything else is mapped and sniffed.
    if (options.format == CatalogFormat::Fits ||
        (options.format == CatalogFormat::Auto && hasFitsExtension(path))) {
        out.format = CatalogFormat::Fits;
        importFits(out, options, requirePositions);
        rejectRaInHours(out, options);
        return out;
    }
    if (options.format == CatalogFormat::VoTable ||
        (options.format == CatalogFormat::Auto && hasVoTableExtension(path))) {
        out.format = CatalogFormat::VoTable;
        importVoTable(out, options, requirePositions);
        rejectRaInHours(out, options);
        return out;
    }
    MappedFile file(path);
    const SniffedFormat format = sniffFormat(path, file.text(), options.format);
    out.format = format.format;
    if (format.format == CatalogFormat::Fits) {
        importFits(out, options, requirePositions);
        rejectRaInHours(out, options);
        return out;
    }
    if (format.format == CatalogFormat::VoTable) {
        importVoTable(out, options, requirePositions);
        rejectRaInHours(out, options);
        return out;
    }
    std::string_view text = file.text();
    rejectBinary(path, text);
    // Catalogs from older tools and some VizieR exports are Latin-1 (a 'é' in an author's name); stored as
    // is, those bytes would be invalid UTF-8 in the project and in every JSON that quotes them.
    std::string transcoded;
    if (const auto bad = firstInvalidUtf8(text)) {
        transcoded = latin1ToUtf8(text);
        text = transcoded;
        out.notes.push_back("the file is not UTF-8 (byte " + std::to_string(*bad + 1) + ", line " +
                            std::to_string(lineOf(file.text(), *bad)) +
                            "): read as Latin-1 (ISO 8859-1) and stored as UTF-8");
    }
    importText(out, format, text, options, requirePositions);
    rejectRaInHours(out, options);
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
