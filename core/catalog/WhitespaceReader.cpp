#include "catalog/WhitespaceReader.h"

#include "catalog/ImportProgress.h"
#include "catalog/NumberParse.h"
#include "util/Error.h"

namespace rm::detail {

std::vector<std::string_view> splitOnBlanks(std::string_view line)
{
    std::vector<std::string_view> out;
    std::size_t i = 0;
    auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
    while (i < line.size()) {
        while (i < line.size() && blank(line[i]))
            ++i;
        const std::size_t start = i;
        while (i < line.size() && !blank(line[i]))
            ++i;
        if (i > start) out.push_back(line.substr(start, i - start));
    }
    return out;
}

namespace {

bool allNumbers(const std::vector<std::string_view>& fields)
{
    double v;
    for (auto f : fields)
        if (!parseDouble(f, v)) return false;
    return true;
}

} // namespace

namespace {

class WhitespaceChunks : public TextChunkReader
{
public:
    WhitespaceChunks(const std::string& path, std::string_view content, const ImportOptions& options)
        : m_path(path), m_content(content), m_options(options)
    {
        m_pos = content.size() >= 3 && content.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
        // The first non-comment line decides the shape: a header unless it is all numbers.
        std::string_view first;
        const std::size_t before = m_pos;
        if (!nextLine(first)) throw InputError(path, 0, {}, "the file is empty (no header and no data)");
        m_fields = splitOnBlanks(first);
        m_expected = m_fields.size();
        if (!allNumbers(m_fields)) {
            std::vector<std::string> names(m_fields.begin(), m_fields.end());
            m_names = cleanColumnNames(std::move(names));
        } else {
            m_names = defaultColumnNames(m_expected);
            m_pos = before; // the first line is data: read it again as a row
        }
    }

    bool next(RawTable& raw, std::size_t maxRows) override
    {
        prepare(raw);
        if (m_done) return false;
        std::size_t n = 0;
        std::string_view line;
        while (n < maxRows) {
            if (!nextLine(line)) {
                m_done = true;
                break;
            }
            const std::size_t row = ++m_row;
            ++n;
            m_fields = splitOnBlanks(line);
            if (m_fields.size() != m_expected) {
                raw.issues.push_back({m_path,
                                      row,
                                      {},
                                      "expected " + std::to_string(m_expected) + " fields, found " +
                                          std::to_string(m_fields.size())});
                if (m_options.onBadRow == BadRowPolicy::Abort) {
                    m_done = true;
                    break;
                }
            } else {
                for (std::size_t c = 0; c < m_expected; ++c)
                    raw.columns[c].append(m_fields[c]);
                raw.sourceRow.push_back(row);
            }
        }
        return n > 0;
    }

    std::size_t bytesRead() const override { return m_pos; }

private:
    // The next line that is neither blank nor a '#' comment, trimmed.
    bool nextLine(std::string_view& out)
    {
        while (m_pos < m_content.size()) {
            std::size_t nl = m_content.find('\n', m_pos);
            if (nl == std::string_view::npos) nl = m_content.size();
            const std::string_view trimmed = trimBlanks(m_content.substr(m_pos, nl - m_pos));
            m_pos = nl + 1;
            if (trimmed.empty() || trimmed[0] == '#') continue;
            out = trimmed;
            return true;
        }
        return false;
    }

    std::string m_path;
    std::string_view m_content;
    const ImportOptions& m_options;
    std::size_t m_pos = 0;
    std::size_t m_expected = 0;
    std::vector<std::string_view> m_fields;
};

} // namespace

std::unique_ptr<TextChunkReader> whitespaceChunks(const std::string& path, std::string_view content,
                                                  const ImportOptions& options)
{
    return std::make_unique<WhitespaceChunks>(path, content, options);
}

} // namespace rm::detail
