#include "sources/FileNameTemplate.h"

#include "sources/GalaxyRef.h"
#include "util/Error.h"

#include <algorithm>
#include <cstdlib>

namespace rm {

namespace {

int parseSliceBound(const std::string& s, const std::string& pattern)
{
    if (s.empty()) return -1;
    char* end = nullptr;
    long v = std::strtol(s.c_str(), &end, 10);
    if (*end != '\0' || v < 0 || v > 4096)
        throw Error("file-name template '" + pattern + "': bad slice bound '" + s +
                    "' (use {col[:4]} or {col[2:6]})");
    return static_cast<int>(v);
}

} // namespace

FileNameTemplate::FileNameTemplate(std::string pattern) : m_pattern(std::move(pattern))
{
    const std::string& p = m_pattern;
    std::string literal;
    for (std::size_t i = 0; i < p.size(); ++i) {
        char ch = p[i];
        if ((ch == '{' || ch == '}') && i + 1 < p.size() && p[i + 1] == ch) {
            literal += ch;
            ++i;
            continue;
        }
        if (ch == '}') throw Error("file-name template '" + p + "': unmatched '}'");
        if (ch != '{') {
            literal += ch;
            continue;
        }
        std::size_t close = p.find('}', i + 1);
        if (close == std::string::npos) throw Error("file-name template '" + p + "': unmatched '{'");
        std::string field = p.substr(i + 1, close - i - 1);
        Part part;
        part.literal = false;
        std::size_t bracket = field.find('[');
        if (bracket != std::string::npos) {
            if (field.back() != ']')
                throw Error("file-name template '" + p + "': bad slice in {" + field + "}");
            std::string slice = field.substr(bracket + 1, field.size() - bracket - 2);
            field.resize(bracket);
            std::size_t colon = slice.find(':');
            if (colon == std::string::npos)
                throw Error("file-name template '" + p + "': a slice needs ':' as in {" + field + "[:4]}");
            part.begin = std::max(0, parseSliceBound(slice.substr(0, colon), p));
            part.end = parseSliceBound(slice.substr(colon + 1), p);
            if (part.end >= 0 && part.end < part.begin)
                throw Error("file-name template '" + p + "': empty slice in {" + field + "[" + slice + "]}");
        }
        if (field.empty()) throw Error("file-name template '" + p + "': empty {} (name a catalog column)");
        part.text = field;
        if (!literal.empty()) m_parts.push_back(Part{true, literal, 0, -1});
        literal.clear();
        m_parts.push_back(part);
        i = close;
    }
    if (!literal.empty()) m_parts.push_back(Part{true, literal, 0, -1});
    if (m_parts.empty()) throw Error("file-name template is empty");
}

std::vector<std::string> FileNameTemplate::columns() const
{
    std::vector<std::string> out;
    for (const auto& part : m_parts)
        if (!part.literal) out.push_back(part.text);
    return out;
}

std::string FileNameTemplate::expand(const GalaxyRef& galaxy) const
{
    std::string out;
    for (const auto& part : m_parts) {
        if (part.literal) {
            out += part.text;
            continue;
        }
        auto v = galaxy.value(part.text);
        if (!v)
            throw Error("file-name template '" + m_pattern + "': the catalog has no column '" + part.text +
                        "' (" + galaxy.describe() + ")");
        if (v->empty())
            throw Error("file-name template '" + m_pattern + "': column '" + part.text + "' is blank for " +
                        galaxy.describe());
        std::string value = *v;
        if (part.begin > 0 || part.end >= 0) {
            std::size_t b = std::min<std::size_t>(part.begin, value.size());
            std::size_t e = part.end < 0 ? value.size() : std::min<std::size_t>(part.end, value.size());
            value = value.substr(b, e - b);
        }
        out += value;
    }
    // A catalog value must not send the reader outside the image folder.
    if (!out.empty() && out.front() == '/')
        throw Error("file-name template '" + m_pattern + "' gives an absolute path '" + out + "' for " +
                    galaxy.describe());
    std::size_t start = 0;
    while (start <= out.size()) {
        std::size_t slash = out.find('/', start);
        std::string component =
            out.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (component == "..")
            throw Error("file-name template '" + m_pattern + "' gives '" + out + "' for " +
                        galaxy.describe() + ", which leaves the image folder");
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    return out;
}

} // namespace rm
