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

RawTable readWhitespace(const std::string& path, std::string_view content, const ImportOptions& options)
{
    RawTable raw;
    std::size_t expected = 0;
    bool haveShape = false;
    std::size_t row = 0;
    std::vector<std::string_view> fields;
    std::size_t pos = content.size() >= 3 && content.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
    while (pos < content.size()) {
        std::size_t nl = content.find('\n', pos);
        if (nl == std::string_view::npos) nl = content.size();
        const std::string_view line = content.substr(pos, nl - pos);
        pos = nl + 1;
        const std::string_view trimmed = trimBlanks(line);
        if (trimmed.empty() || trimmed[0] == '#') continue;
        fields = splitOnBlanks(trimmed);
        if (!haveShape) {
            haveShape = true;
            expected = fields.size();
            if (!allNumbers(fields)) { // a header line
                std::vector<std::string> names(fields.begin(), fields.end());
                raw.names = cleanColumnNames(std::move(names));
                raw.columns.resize(expected);
                continue;
            }
            raw.names = defaultColumnNames(expected);
            raw.columns.resize(expected);
        }
        ++row;
        if (fields.size() != expected) {
            raw.issues.push_back(
                {path,
                 row,
                 {},
                 "expected " + std::to_string(expected) + " fields, found " + std::to_string(fields.size())});
            if (options.onBadRow == BadRowPolicy::Abort) break;
        } else {
            for (std::size_t c = 0; c < expected; ++c)
                raw.columns[c].append(fields[c]);
            raw.sourceRow.push_back(row);
        }
        if (row % kProgressEvery == 0) reportProgress(options, row, 0);
    }
    if (!haveShape) throw InputError(path, 0, {}, "the file is empty (no header and no data)");
    reportProgress(options, row, row);
    return raw;
}

} // namespace rm::detail
