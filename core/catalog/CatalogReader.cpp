// importCatalog: picks the reader, finds the position columns, sorts out bad rows, and assembles the result.
// Bad rows are decided before column types are inferred (text formats), so a skipped row never turns a
// numeric column into text.
#include "catalog/CatalogReader.h"
#include "catalog/CatalogStream.h"

#include "catalog/CsvReader.h"
#include "catalog/FitsReader.h"
#include "catalog/FormatSniffer.h"
#include "catalog/ImportProgress.h"
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
#include <future>
#include <memory>
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
// position cells. The kept rows' positions and row numbers go to rows (ra, dec, sourceRow), the dropped ones
// to skipped. Returns the keep mask over the reader's rows.
template <typename CellsOf>
std::vector<std::uint8_t> resolveRows(const std::string& path, ImportedCatalog& rows,
                                      std::vector<ImportIssue>& skipped, const DetectedPosition& where,
                                      const std::vector<std::size_t>& rowNumbers,
                                      std::vector<ImportIssue> readerIssues, const ImportOptions& options,
                                      bool requirePositions, CellsOf cellsOf)
{
    const bool abort = options.onBadRow == BadRowPolicy::Abort;
    std::vector<std::uint8_t> keep(rowNumbers.size(), 1);
    std::size_t nextReaderIssue = 0;
    rows.ra.clear();
    rows.dec.clear();
    rows.sourceRow.clear();
    rows.ra.reserve(rowNumbers.size());
    rows.dec.reserve(rowNumbers.size());
    rows.sourceRow.reserve(rowNumbers.size());
    for (std::size_t i = 0; i < rowNumbers.size(); ++i) {
        const std::size_t row = rowNumbers[i];
        bool rejected = false;
        // Reader issues on earlier rows (not stored) or on this row (stored but undecodable).
        while (nextReaderIssue < readerIssues.size() && readerIssues[nextReaderIssue].row <= row) {
            if (abort) raise(readerIssues[nextReaderIssue]);
            rejected |= readerIssues[nextReaderIssue].row == row;
            skipped.push_back(std::move(readerIssues[nextReaderIssue++]));
        }
        if (rejected) {
            keep[i] = 0;
            continue;
        }
        if (where.raIndex < 0) { // no position columns (positions optional)
            rows.ra.push_back(NAN);
            rows.dec.push_back(NAN);
            rows.sourceRow.push_back(row);
            continue;
        }
        const auto [raCell, decCell] = cellsOf(i);
        RowPosition p = rowPosition(where, raCell, decCell);
        if (!p.ok && !requirePositions) p = {true, NAN, NAN, {}, {}};
        if (!p.ok) {
            ImportIssue issue{path, row, p.column, p.reason};
            if (abort) raise(issue);
            skipped.push_back(std::move(issue));
            keep[i] = 0;
            continue;
        }
        rows.ra.push_back(p.ra);
        rows.dec.push_back(p.dec);
        rows.sourceRow.push_back(row);
    }
    for (; nextReaderIssue < readerIssues.size(); ++nextReaderIssue) {
        if (abort) raise(readerIssues[nextReaderIssue]);
        skipped.push_back(std::move(readerIssues[nextReaderIssue]));
    }
    return keep;
}

// The range of the kept positions, for rejectRaInHours, gathered chunk by chunk.
struct PositionRange
{
    std::size_t count = 0;
    bool allFinite = true;
    double raMin = 360, raMax = 0, decMin = 90, decMax = -90;

    void add(const std::vector<double>& ra, const std::vector<double>& dec)
    {
        count += ra.size();
        for (std::size_t i = 0; i < ra.size() && allFinite; ++i) {
            if (!std::isfinite(ra[i])) {
                allFinite = false; // positions optional (scoring): nothing to judge
                break;
            }
            raMin = std::min(raMin, ra[i]);
            raMax = std::max(raMax, ra[i]);
            decMin = std::min(decMin, dec[i]);
            decMax = std::max(decMax, dec[i]);
        }
    }
};

// A text catalog (CSV, whitespace) read chunk by chunk. start() reads the first chunk and decides the
// columns, their types and the position; next() hands on one chunk of typed rows at a time. When a chunk
// holds a cell its column's type cannot store, the rest of the file is scanned for the types of the whole
// file (bad rows still found in order) and the reading starts over with them (Restart).
class TextStreamer
{
public:
    enum class Step
    {
        Rows,
        Restart,
        End
    };

    TextStreamer(ImportedCatalog& summary, const SniffedFormat& format, std::string_view text,
                 const ImportOptions& options, bool requirePositions, MappedFile* mapped)
        : m_summary(summary), m_format(format), m_text(text), m_options(options),
          m_requirePositions(requirePositions), m_mapped(mapped)
    {
    }

    void start()
    {
        openReader();
        readChunk();
        const DetectedPosition where = detectPosition(
            m_summary.path, m_reader->names(),
            [this](std::size_t c, std::size_t max) { return m_raw.sample(c, max); }, m_options,
            m_requirePositions);
        m_where = where;
        m_summary.position = where.columns;
        m_summary.positionNote = where.how;
        m_pending.emplace();
        const auto keep = resolve(*m_pending);
        classifyColumns(m_raw, keep, m_shapes);
        m_shapes.resize(m_reader->names().size());
        setTypes();
        if (!typedChunk(m_raw, keep, m_types, m_shapes, m_pending->table))
            throw Error("internal: the first chunk does not fit the types inferred from it");
        m_range.add(m_pending->ra, m_pending->dec);
        releaseRead();
    }

    const ImportedCatalog& summary() const { return m_summary; }
    const PositionRange& range() const { return m_range; }

    Step next(ImportedCatalog& chunk)
    {
        if (m_pending) {
            chunk = std::move(*m_pending);
            m_pending.reset();
            return Step::Rows;
        }
        if (!readChunk()) return Step::End;
        const auto keep = resolve(chunk);
        if (typedChunk(m_raw, keep, m_types, m_shapes, chunk.table)) {
            m_range.add(chunk.ra, chunk.dec);
            releaseRead();
            return Step::Rows;
        }
        // A wider type is needed: find the whole file's types, then read again from the start with them.
        classifyColumns(m_raw, keep, m_shapes);
        releaseRead();
        ImportedCatalog scratch;
        while (readChunk()) {
            classifyColumns(m_raw, resolve(scratch), m_shapes);
            releaseRead();
        }
        setTypes();
        m_summary.skipped.clear();
        m_range = {};
        openReader();
        return Step::Restart;
    }

    std::size_t rowsRead() const { return m_reader ? m_reader->rowsRead() : 0; }

private:
    void openReader()
    {
        m_reader = m_format.format == CatalogFormat::Whitespace
                       ? whitespaceChunks(m_summary.path, m_text, m_options)
                       : csvChunks(m_summary.path, m_text, m_format.csv, m_options);
    }

    bool readChunk() { return m_reader->next(m_raw, kImportChunkRows); }

    std::vector<std::uint8_t> resolve(ImportedCatalog& rows)
    {
        const RawColumn* raCol =
            m_where.raIndex >= 0 ? &m_raw.columns[static_cast<std::size_t>(m_where.raIndex)] : nullptr;
        const RawColumn* decCol =
            m_where.decIndex >= 0 ? &m_raw.columns[static_cast<std::size_t>(m_where.decIndex)] : nullptr;
        std::sort(m_raw.issues.begin(), m_raw.issues.end(), byRow);
        return resolveRows(m_summary.path, rows, m_summary.skipped, m_where, m_raw.sourceRow,
                           std::move(m_raw.issues), m_options, m_requirePositions, [&](std::size_t i) {
                               return std::make_pair(
                                   raCol ? PositionCell::ofText(raCol->cell(i)) : PositionCell::ofBlank(),
                                   decCol ? PositionCell::ofText(decCol->cell(i)) : PositionCell::ofBlank());
                           });
    }

    void setTypes()
    {
        m_types.clear();
        Table head;
        for (std::size_t c = 0; c < m_shapes.size(); ++c) {
            m_types.push_back(m_shapes[c].type());
            head.addColumn(m_reader->names()[c], m_types.back());
        }
        m_summary.table = std::move(head);
    }

    // The pages of the file already parsed leave this process's memory (the page cache keeps them).
    void releaseRead()
    {
        if (m_mapped) m_mapped->release(m_reader->bytesRead());
    }

    ImportedCatalog& m_summary;
    SniffedFormat m_format;
    std::string_view m_text;
    const ImportOptions& m_options;
    bool m_requirePositions;
    MappedFile* m_mapped;
    std::unique_ptr<TextChunkReader> m_reader;
    RawTable m_raw;
    DetectedPosition m_where;
    std::vector<ColumnShapes> m_shapes;
    std::vector<ColumnType> m_types;
    std::optional<ImportedCatalog> m_pending;
    PositionRange m_range;
};

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
        resolveRows(out.path, out, out.skipped, where, rowNumbers, std::move(issues), options,
                    requirePositions, [&](std::size_t i) {
                        return std::make_pair(raCol ? cellOf(*raCol, i) : PositionCell::ofBlank(),
                                              decCol ? cellOf(*decCol, i) : PositionCell::ofBlank());
                    });
    keepRows(table, keep);
    out.table = std::move(table);
}

// A FITS table a chunk of rows at a time: the position is found from the first chunk, then each chunk's bad
// rows are dropped (or the first is thrown) and its kept rows handed to the sink. Types come from the header,
// so there is never a start over.
class FitsStreamer
{
public:
    FitsStreamer(ImportedCatalog& summary, const ImportOptions& options, bool requirePositions)
        : m_summary(summary), m_options(options), m_requirePositions(requirePositions),
          m_reader(summary.path, options)
    {
    }

    void start()
    {
        m_summary.notes = m_reader.notes();
        m_pending.emplace();
        std::vector<ImportIssue> issues;
        m_reader.next(m_pending->table, issues, kImportChunkRows);
        const Table& first = m_pending->table;
        std::vector<std::string> names;
        for (const Column& c : first.columns)
            names.push_back(c.name);
        m_where = detectPosition(
            m_summary.path, names,
            [&first](std::size_t col, std::size_t max) {
                std::vector<std::string> values;
                const Column& c = first.columns[col];
                for (std::size_t r = 0; r < c.size() && values.size() < max; ++r)
                    if (!c.isNull(r)) values.push_back(c.text(r));
                return values;
            },
            m_options, m_requirePositions);
        m_summary.position = m_where.columns;
        m_summary.positionNote = m_where.how;
        m_summary.table = Table();
        for (const Column& c : m_reader.head().columns)
            m_summary.table.addColumn(c.name, c.type, c.unit);
        resolve(*m_pending, std::move(issues), 0);
    }

    TextStreamer::Step next(ImportedCatalog& chunk)
    {
        if (m_pending) {
            chunk = std::move(*m_pending);
            m_pending.reset();
            return TextStreamer::Step::Rows;
        }
        const std::size_t before = m_reader.rowsRead();
        std::vector<ImportIssue> issues;
        if (!m_reader.next(chunk.table, issues, kImportChunkRows)) return TextStreamer::Step::End;
        resolve(chunk, std::move(issues), before);
        return TextStreamer::Step::Rows;
    }

    std::size_t rowsRead() const { return m_reader.rowsRead(); }
    std::size_t totalRows() const { return m_reader.totalRows(); }
    const PositionRange& range() const { return m_range; }

private:
    void resolve(ImportedCatalog& chunk, std::vector<ImportIssue> issues, std::size_t before)
    {
        Table& table = chunk.table;
        std::vector<std::size_t> rowNumbers(table.rowCount());
        for (std::size_t i = 0; i < rowNumbers.size(); ++i)
            rowNumbers[i] = before + i + 1;
        const Column* raCol =
            m_where.raIndex >= 0 ? &table.columns[static_cast<std::size_t>(m_where.raIndex)] : nullptr;
        const Column* decCol =
            m_where.decIndex >= 0 ? &table.columns[static_cast<std::size_t>(m_where.decIndex)] : nullptr;
        std::sort(issues.begin(), issues.end(), byRow);
        const auto keep =
            resolveRows(m_summary.path, chunk, m_summary.skipped, m_where, rowNumbers, std::move(issues),
                        m_options, m_requirePositions, [&](std::size_t i) {
                            return std::make_pair(raCol ? cellOf(*raCol, i) : PositionCell::ofBlank(),
                                                  decCol ? cellOf(*decCol, i) : PositionCell::ofBlank());
                        });
        keepRows(table, keep);
        m_range.add(chunk.ra, chunk.dec);
    }

    ImportedCatalog& m_summary;
    const ImportOptions& m_options;
    bool m_requirePositions;
    FitsChunkReader m_reader;
    DetectedPosition m_where;
    std::optional<ImportedCatalog> m_pending;
    PositionRange m_range;
};

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
void rejectRaInHours(const ImportedCatalog& out, const ImportOptions& options, const PositionRange& range)
{
    if (!options.raColumn.empty() || out.position.kind != PositionKind::Degrees || range.count < 10 ||
        !range.allFinite)
        return;
    const double raMin = range.raMin, raMax = range.raMax, decMin = range.decMin, decMax = range.decMax;
    if (raMax > 24.0 || raMax - raMin < 6.0 || decMax - decMin < 30.0) return;
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "every ra of the %zu rows is between %.4g and %.4g while dec spans %.4g to %.4g degrees",
                  range.count, raMin, raMax, decMin, decMax);
    throw InputError(out.path, 0, out.position.raColumn,
                     std::string(buf) +
                         ": the column looks like hours, not degrees; convert it to degrees (x 15), or "
                         "name the columns with --ra/--dec if they really are degrees");
}

// A catalog read whole (FITS, VOTable) handed to the sink as one chunk; returns the summary.
ImportedCatalog handWhole(ImportedCatalog& whole, const ImportOptions& options, CatalogSink& sink)
{
    PositionRange range;
    range.add(whole.ra, whole.dec);
    rejectRaInHours(whole, options, range);
    ImportedCatalog head;
    head.path = whole.path;
    head.format = whole.format;
    head.position = whole.position;
    head.positionNote = whole.positionNote;
    head.notes = whole.notes;
    head.skipped = std::move(whole.skipped);
    for (const Column& c : whole.table.columns)
        head.table.addColumn(c.name, c.type, c.unit);
    sink.begin(head);
    reportProgress(options, whole.table.rowCount(), whole.table.rowCount());
    sink.rows(whole);
    return head;
}

// The UTF-8 check a window at a time, so that the pages already checked can leave memory.
std::optional<std::size_t> firstInvalidUtf8(std::string_view text, MappedFile& file)
{
    constexpr std::size_t kWindow = std::size_t(16) << 20;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = std::min(text.size(), pos + kWindow);
        // Never split a multi-byte sequence: end on a byte that starts one (or on the end).
        for (int k = 0; k < 4 && end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80;
             ++k)
            ++end;
        if (const auto bad = firstInvalidUtf8(text.substr(pos, end - pos))) return pos + *bad;
        file.release(end);
        pos = end;
    }
    return std::nullopt;
}

// Hands a streamer's chunks to the sink: the next chunk is parsed on a second thread while the sink stores
// this one. The streamer is only touched by one thread at a time: this one waits for the future before using
// it again (also when the sink throws: the future's destructor waits).
template <typename Streamer>
void pump(Streamer& streamer, ImportedCatalog& summary, const ImportOptions& options, CatalogSink& sink,
          std::size_t total)
{
    streamer.start();
    sink.begin(summary);
    struct Produced
    {
        TextStreamer::Step step = TextStreamer::Step::End;
        ImportedCatalog chunk;
        std::size_t rowsRead = 0;
    };
    auto produce = [&streamer] {
        Produced p;
        p.step = streamer.next(p.chunk);
        p.rowsRead = streamer.rowsRead();
        return p;
    };
    Produced cur = produce();
    std::size_t reported = 0;
    while (cur.step != TextStreamer::Step::End) {
        if (cur.step == TextStreamer::Step::Restart) {
            sink.begin(summary);
            reported = 0;
            cur = produce();
            continue;
        }
        std::future<Produced> next = std::async(std::launch::async, produce);
        sink.rows(cur.chunk);
        // Every kProgressEvery rows, as the readers reported before streaming (a cancel comes as soon).
        for (std::size_t at = (reported / kProgressEvery + 1) * kProgressEvery; at <= cur.rowsRead;
             at += kProgressEvery)
            reportProgress(options, at, total);
        reported = cur.rowsRead;
        cur = next.get();
    }
    reportProgress(options, streamer.rowsRead(), streamer.rowsRead());
    rejectRaInHours(summary, options, streamer.range());
    summary.ra.clear();
    summary.dec.clear();
    summary.sourceRow.clear();
}

ImportedCatalog streamText(ImportedCatalog& summary, const SniffedFormat& format, std::string_view text,
                           const ImportOptions& options, bool requirePositions, MappedFile* mapped,
                           CatalogSink& sink)
{
    TextStreamer streamer(summary, format, text, options, requirePositions, mapped);
    pump(streamer, summary, options, sink, 0);
    return std::move(summary);
}

ImportedCatalog streamFits(ImportedCatalog& summary, const ImportOptions& options, bool requirePositions,
                           CatalogSink& sink)
{
    FitsStreamer streamer(summary, options, requirePositions);
    pump(streamer, summary, options, sink, streamer.totalRows());
    return std::move(summary);
}

ImportedCatalog importAny(const std::string& path, const ImportOptions& options, bool requirePositions,
                          CatalogSink& sink)
{
    ImportedCatalog out;
    out.path = path;
    // FITS goes to cfitsio by name (it may be gzip-compressed); everything else is mapped and sniffed.
    if (options.format == CatalogFormat::Fits ||
        (options.format == CatalogFormat::Auto && hasFitsExtension(path))) {
        out.format = CatalogFormat::Fits;
        return streamFits(out, options, requirePositions, sink);
    }
    if (options.format == CatalogFormat::VoTable ||
        (options.format == CatalogFormat::Auto && hasVoTableExtension(path))) {
        out.format = CatalogFormat::VoTable;
        importVoTable(out, options, requirePositions);
        return handWhole(out, options, sink);
    }
    MappedFile file(path);
    const SniffedFormat format = sniffFormat(path, file.text(), options.format);
    out.format = format.format;
    if (format.format == CatalogFormat::Fits) return streamFits(out, options, requirePositions, sink);
    if (format.format == CatalogFormat::VoTable) {
        importVoTable(out, options, requirePositions);
        return handWhole(out, options, sink);
    }
    std::string_view text = file.text();
    rejectBinary(path, text);
    // Catalogs from older tools and some VizieR exports are Latin-1 (a 'é' in an author's name); stored as
    // is, those bytes would be invalid UTF-8 in the project and in every JSON that quotes them. Such a file
    // is transcoded whole into memory (the one text case that is not streamed).
    std::string transcoded;
    if (const auto bad = firstInvalidUtf8(text, file)) {
        transcoded = latin1ToUtf8(text);
        text = transcoded;
        out.notes.push_back("the file is not UTF-8 (byte " + std::to_string(*bad + 1) + ", line " +
                            std::to_string(lineOf(file.text(), *bad)) +
                            "): read as Latin-1 (ISO 8859-1) and stored as UTF-8");
        file.release(file.text().size());
    }
    return streamText(out, format, text, options, requirePositions, transcoded.empty() ? &file : nullptr,
                      sink);
}

// Gathers every chunk into one ImportedCatalog (importCatalog).
class CollectSink : public CatalogSink
{
public:
    explicit CollectSink(ImportedCatalog& out) : m_out(out) {}
    void begin(const ImportedCatalog& head) override
    {
        m_out.table = head.table;
        m_out.ra.clear();
        m_out.dec.clear();
        m_out.sourceRow.clear();
    }
    void rows(ImportedCatalog& chunk) override
    {
        auto append = [](auto& to, auto& from) {
            if (to.empty())
                to = std::move(from);
            else
                to.insert(to.end(), std::make_move_iterator(from.begin()),
                          std::make_move_iterator(from.end()));
        };
        for (std::size_t c = 0; c < m_out.table.columns.size(); ++c) {
            Column& to = m_out.table.columns[c];
            Column& from = chunk.table.columns[c];
            append(to.null, from.null);
            append(to.integers, from.integers);
            append(to.reals, from.reals);
            append(to.texts, from.texts);
        }
        append(m_out.ra, chunk.ra);
        append(m_out.dec, chunk.dec);
        append(m_out.sourceRow, chunk.sourceRow);
    }

private:
    ImportedCatalog& m_out;
};

ImportedCatalog importWhole(const std::string& path, const ImportOptions& options, bool requirePositions)
{
    ImportedCatalog rows;
    CollectSink sink(rows);
    ImportedCatalog out = importAny(path, options, requirePositions, sink);
    out.table = std::move(rows.table);
    out.ra = std::move(rows.ra);
    out.dec = std::move(rows.dec);
    out.sourceRow = std::move(rows.sourceRow);
    return out;
}

} // namespace

ImportedCatalog importCatalog(const std::string& path, const ImportOptions& options)
{
    return importWhole(path, options, true);
}

ImportedCatalog streamCatalog(const std::string& path, const ImportOptions& options, CatalogSink& sink)
{
    return importAny(path, options, true, sink);
}

ScoringCatalog importCatalogForScoring(const std::string& path, const ImportOptions& options)
{
    ScoringCatalog out;
    out.catalog = importWhole(path, options, false);
    out.hasPositions = !out.catalog.position.raColumn.empty();
    return out;
}

} // namespace rm
