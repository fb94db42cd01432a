#include "catalog/FormatSniffer.h"

#include "catalog/NumberParse.h"
#include "catalog/VoTableReader.h"
#include "catalog/WhitespaceReader.h"

#include <algorithm>
#include <cctype>

namespace rm::detail {

namespace {

std::string lowerExtension(const std::string& path, int parts)
{
    // The last `parts` dot-separated suffixes of the file name, lower-cased: ".fits.gz" needs two.
    const std::size_t slash = path.find_last_of('/');
    std::string name = path.substr(slash == std::string::npos ? 0 : slash + 1);
    std::size_t dot = std::string::npos;
    for (int i = 0; i < parts; ++i) {
        dot = name.find_last_of('.', dot == std::string::npos ? std::string::npos : dot - 1);
        if (dot == std::string::npos || dot == 0) return {};
    }
    std::string ext = name.substr(dot);
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext;
}

// The first line that is neither blank nor a '#' comment (quoted newlines do not matter for sniffing).
std::string_view firstDataLine(std::string_view content)
{
    if (content.substr(0, 3) == "\xEF\xBB\xBF") content.remove_prefix(3);
    std::size_t pos = 0;
    while (pos < content.size()) {
        std::size_t nl = content.find('\n', pos);
        if (nl == std::string_view::npos) nl = content.size();
        const std::string_view line = trimBlanks(content.substr(pos, nl - pos));
        pos = nl + 1;
        if (!line.empty() && line[0] != '#') return line;
    }
    return {};
}

bool allNumbers(std::string_view line, char delimiter)
{
    double v;
    std::size_t start = 0;
    for (;;) {
        const std::size_t end = line.find(delimiter, start);
        if (!parseDouble(trimBlanks(line.substr(start, end == std::string_view::npos ? end : end - start)),
                         v))
            return false;
        if (end == std::string_view::npos) return true;
        start = end + 1;
    }
}

} // namespace

bool hasFitsExtension(const std::string& path)
{
    const std::string one = lowerExtension(path, 1), two = lowerExtension(path, 2);
    for (const char* e : {".fits", ".fit", ".fts", ".fz"})
        if (one == e) return true;
    for (const char* e : {".fits.gz", ".fit.gz", ".fts.gz"})
        if (two == e) return true;
    return false;
}

SniffedFormat sniffFormat(const std::string& path, std::string_view content, CatalogFormat requested)
{
    SniffedFormat out;
    const std::string ext = lowerExtension(path, 1);
    if (requested == CatalogFormat::Fits || requested == CatalogFormat::Whitespace ||
        requested == CatalogFormat::VoTable) {
        out.format = requested;
        return out;
    }
    if (requested == CatalogFormat::Auto &&
        (hasFitsExtension(path) || content.substr(0, 9) == "SIMPLE  =" ||
         content.substr(0, 2) == "\x1f\x8b")) { // FITS by name, by its first card, or gzip (cfitsio reads it)
        out.format = CatalogFormat::Fits;
        return out;
    }
    if (requested == CatalogFormat::Auto && looksLikeVoTable(content)) { // e.g. a VOTable saved as .txt
        out.format = CatalogFormat::VoTable;
        return out;
    }
    const std::string_view line = firstDataLine(content);
    const bool tabs = line.find('\t') != std::string_view::npos;
    const bool commas = line.find(',') != std::string_view::npos;
    out.format = CatalogFormat::Csv;
    if (requested == CatalogFormat::Csv || ext == ".csv") {
        out.csv.delimiter = ext == ".tsv" || (tabs && !commas) ? '\t' : ',';
        return out;
    }
    if (ext == ".tsv" || tabs) {
        out.csv.delimiter = '\t';
        // Numbers separated by tabs are the headerless whitespace layout, not a TSV with a header.
        if (allNumbers(line, '\t')) out.format = CatalogFormat::Whitespace;
        return out;
    }
    if (commas) {
        out.csv.header = !allNumbers(line, ',');
        return out;
    }
    out.format = CatalogFormat::Whitespace;
    return out;
}

} // namespace rm::detail
