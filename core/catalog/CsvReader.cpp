#include "catalog/CsvReader.h"

#include "catalog/ImportProgress.h"
#include "catalog/NumberParse.h"
#include "util/Error.h"

#include <cstring>

namespace rm::detail {

namespace {

class CsvTokenizer
{
public:
    CsvTokenizer(const std::string& path, std::string_view content, char delimiter)
        : m_path(path), m_p(content.data()), m_end(content.data() + content.size()), m_delim(delimiter)
    {
        if (content.size() >= 3 && std::memcmp(m_p, "\xEF\xBB\xBF", 3) == 0) m_p += 3;
    }

    // Skips '#' comment lines and blank lines; false at the end of the input.
    bool nextRecord()
    {
        while (m_p < m_end) {
            const char* q = m_p;
            while (q < m_end && (*q == ' ' || *q == '\r' || (*q == '\t' && m_delim != '\t')))
                ++q;
            if (q < m_end && *q != '#' && *q != '\n') return true;
            skipLine(); // a comment or a blank line
        }
        return false;
    }

    // The next field of the current record, valid until the next call; endOfRecord tells whether it was the
    // last one. row is only for the error message of an unterminated quote.
    std::string_view field(bool& endOfRecord, std::size_t row)
    {
        const char* q = m_p;
        while (q < m_end && (*q == ' ' || (*q == '\t' && m_delim != '\t')))
            ++q;
        std::string_view value;
        if (q < m_end && *q == '"') {
            m_scratch.clear();
            ++q;
            for (;;) {
                const void* hit = std::memchr(q, '"', static_cast<std::size_t>(m_end - q));
                if (!hit)
                    throw InputError(m_path, row, {}, "unterminated quoted field (a '\"' is never closed)");
                const char* quote = static_cast<const char*>(hit);
                m_scratch.append(q, quote);
                q = quote + 1;
                if (q < m_end && *q == '"') { // "" is one literal quote
                    m_scratch.push_back('"');
                    ++q;
                    continue;
                }
                break;
            }
            // Text between the closing quote and the delimiter is kept, as Python's csv module does.
            const char* t = q;
            while (t < m_end && *t != m_delim && *t != '\n')
                ++t;
            m_scratch.append(trimBlanks(std::string_view(q, static_cast<std::size_t>(t - q))));
            m_p = t;
            value = m_scratch;
        } else {
            const char* t = m_p;
            while (t < m_end && *t != m_delim && *t != '\n')
                ++t;
            value = std::string_view(m_p, static_cast<std::size_t>(t - m_p));
            m_p = t;
        }
        if (m_p < m_end && *m_p == m_delim) {
            ++m_p;
            endOfRecord = false;
        } else {
            if (m_p < m_end) ++m_p; // the newline
            endOfRecord = true;
        }
        return trimBlanks(value);
    }

    const char* position() const { return m_p; }

    std::vector<std::string> record(std::size_t row)
    {
        std::vector<std::string> out;
        bool end = false;
        while (!end)
            out.emplace_back(field(end, row));
        return out;
    }

private:
    void skipLine()
    {
        const void* nl = std::memchr(m_p, '\n', static_cast<std::size_t>(m_end - m_p));
        m_p = nl ? static_cast<const char*>(nl) + 1 : m_end;
    }

    const std::string& m_path;
    const char* m_p;
    const char* m_end;
    char m_delim;
    std::string m_scratch;
};

} // namespace

namespace {

class CsvChunks : public TextChunkReader
{
public:
    CsvChunks(const std::string& path, std::string_view content, const CsvDialect& dialect,
              const ImportOptions& options)
        : m_path(path), m_begin(content.data()), m_tok(m_path, content, dialect.delimiter), m_options(options)
    {
        if (!m_tok.nextRecord()) throw InputError(path, 0, {}, "the file is empty (no header and no data)");
        if (dialect.header) {
            m_names = cleanColumnNames(m_tok.record(0));
        } else {
            CsvTokenizer peek = m_tok; // count the fields of the first record without consuming it
            m_names = defaultColumnNames(peek.record(1).size());
        }
    }

    bool next(RawTable& raw, std::size_t maxRows) override
    {
        prepare(raw);
        if (m_done) return false;
        const std::size_t expected = m_names.size();
        std::size_t n = 0;
        while (n < maxRows) {
            if (!m_tok.nextRecord()) {
                m_done = true;
                break;
            }
            const std::size_t row = ++m_row;
            ++n;
            std::size_t found = 0;
            bool end = false;
            while (!end) {
                const std::string_view v = m_tok.field(end, row);
                if (found < expected) raw.columns[found].append(v);
                ++found;
            }
            if (found != expected) {
                for (std::size_t c = 0; c < std::min(found, expected); ++c)
                    raw.columns[c].dropLast();
                raw.issues.push_back(
                    {m_path,
                     row,
                     {},
                     "expected " + std::to_string(expected) + " fields, found " + std::to_string(found)});
                if (m_options.onBadRow == BadRowPolicy::Abort) {
                    m_done = true;
                    break;
                }
            } else {
                raw.sourceRow.push_back(row);
            }
        }
        return n > 0;
    }

    std::size_t bytesRead() const override { return static_cast<std::size_t>(m_tok.position() - m_begin); }

private:
    std::string m_path;
    const char* m_begin;
    CsvTokenizer m_tok;
    const ImportOptions& m_options;
};

} // namespace

std::unique_ptr<TextChunkReader> csvChunks(const std::string& path, std::string_view content,
                                           const CsvDialect& dialect, const ImportOptions& options)
{
    return std::make_unique<CsvChunks>(path, content, dialect, options);
}

} // namespace rm::detail
