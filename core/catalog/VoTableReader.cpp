// VOTable through libxml2's xmlTextReader: one pass over the document, so a big TABLEDATA costs its cells,
// not a DOM of millions of nodes. Element names are compared without their namespace (VOTable 1.1 to 1.4
// use different namespace URIs, and some writers use none).
#include "catalog/VoTableReader.h"

#include "catalog/ImportProgress.h"
#include "catalog/NumberParse.h"
#include "catalog/RawTable.h"
#include "util/Error.h"

#include <libxml/xmlreader.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <strings.h>

namespace rm::detail {

bool hasVoTableExtension(const std::string& path)
{
    const std::size_t slash = path.find_last_of('/');
    const std::size_t dot = path.find_last_of('.');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return false;
    const std::string ext = path.substr(dot);
    for (const char* e : {".vot", ".votable", ".xml"})
        if (strcasecmp(ext.c_str(), e) == 0) return true;
    return false;
}

bool looksLikeVoTable(std::string_view content)
{
    if (content.substr(0, 3) == "\xEF\xBB\xBF") content.remove_prefix(3);
    // Skip the XML declaration, comments and processing instructions before the root element.
    for (;;) {
        const std::size_t lt = content.find('<');
        if (lt == std::string_view::npos) return false;
        if (content.substr(0, lt).find_first_not_of(" \t\r\n") != std::string_view::npos)
            return false; // text before the first tag: not XML
        content.remove_prefix(lt);
        if (content.substr(0, 2) == "<?" || content.substr(0, 4) == "<!--" || content.substr(0, 2) == "<!") {
            const char* close = content.substr(0, 4) == "<!--" ? "-->" : ">";
            const std::size_t end = content.find(close);
            if (end == std::string_view::npos) return false;
            content.remove_prefix(end + std::strlen(close));
            continue;
        }
        // <VOTABLE or <prefix:VOTABLE
        std::string_view tag = content.substr(1, 64);
        const std::size_t stop = tag.find_first_of(" \t\r\n>/");
        tag = tag.substr(0, stop);
        const std::size_t colon = tag.find(':');
        if (colon != std::string_view::npos) tag.remove_prefix(colon + 1);
        return tag == "VOTABLE";
    }
}

namespace {

enum class Kind
{
    Boolean,
    Bit,
    UnsignedByte,
    Short,
    Int,
    Long,
    Char,
    UnicodeChar,
    Float,
    Double,
    FloatComplex,
    DoubleComplex
};

std::optional<Kind> kindOf(const std::string& datatype)
{
    static const std::pair<const char*, Kind> kinds[] = {
        {"boolean", Kind::Boolean},
        {"bit", Kind::Bit},
        {"unsignedByte", Kind::UnsignedByte},
        {"short", Kind::Short},
        {"int", Kind::Int},
        {"long", Kind::Long},
        {"char", Kind::Char},
        {"unicodeChar", Kind::UnicodeChar},
        {"float", Kind::Float},
        {"double", Kind::Double},
        {"floatComplex", Kind::FloatComplex},
        {"doubleComplex", Kind::DoubleComplex},
    };
    for (const auto& [name, kind] : kinds)
        if (datatype == name) return kind;
    return std::nullopt;
}

std::size_t elementBytes(Kind k)
{
    switch (k) {
    case Kind::Boolean:
    case Kind::UnsignedByte:
    case Kind::Char:
    case Kind::Bit:
        return 1;
    case Kind::Short:
    case Kind::UnicodeChar:
        return 2;
    case Kind::Int:
    case Kind::Float:
        return 4;
    case Kind::Long:
    case Kind::Double:
    case Kind::FloatComplex:
        return 8;
    case Kind::DoubleComplex:
        return 16;
    }
    return 1;
}

bool isText(Kind k)
{
    return k == Kind::Char || k == Kind::UnicodeChar;
}
bool isIntegerKind(Kind k)
{
    return k == Kind::Boolean || k == Kind::UnsignedByte || k == Kind::Short || k == Kind::Int ||
           k == Kind::Long;
}

struct Field
{
    std::string name, datatype, arraysize, unit, ucd;
    Kind kind = Kind::Double;
    bool variable = false; // arraysize ends in '*': BINARY cells start with a 4-byte element count
    std::size_t count = 1; // elements of a fixed-size cell (the fixed dimensions of a variable one)
    bool keep = true;      // false: read past, not stored
    bool hasNull = false;  // VALUES null="..."
    std::string nullText;  // as written
    std::int64_t nullInt = 0;
    std::size_t line = 0; // of the FIELD element, for messages
    Column* column = nullptr;
};

// "10", "*", "10*", "3x2", "3x*" -> (count of the fixed part, variable). False when malformed.
bool parseArraysize(const std::string& s, std::size_t& count, bool& variable)
{
    count = 1;
    variable = false;
    if (s.empty()) return true;
    std::size_t start = 0;
    while (start <= s.size()) {
        std::size_t x = s.find('x', start);
        std::string dim = s.substr(start, x == std::string::npos ? std::string::npos : x - start);
        const bool last = x == std::string::npos;
        if (!dim.empty() && dim.back() == '*') {
            if (!last) return false;
            variable = true;
            dim.pop_back();
            if (dim.empty()) break; // "*": the count comes from the data
            // "10*": at most 10; BINARY still prefixes the count
            break;
        }
        std::int64_t n = 0;
        if (!parseInt64(dim, n) || n < 0) return false;
        count *= static_cast<std::size_t>(n);
        if (last) break;
        start = x + 1;
    }
    return true;
}

class Reader
{
public:
    Reader(std::string path, const ImportOptions& options) : m_path(std::move(path)), m_options(options) {}
    ~Reader()
    {
        if (m_reader) xmlFreeTextReader(m_reader);
    }
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;

    VoTable run();

private:
    static void onError(void* arg, const char* msg, xmlParserSeverities severity,
                        xmlTextReaderLocatorPtr locator)
    {
        auto* self = static_cast<Reader*>(arg);
        if (severity != XML_PARSER_SEVERITY_ERROR && severity != XML_PARSER_SEVERITY_VALIDITY_ERROR) return;
        if (!self->m_xmlError.empty()) return; // the first error is the cause; the rest follow from it
        std::string text = msg ? msg : "malformed XML";
        while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
            text.pop_back();
        self->m_xmlError =
            "malformed XML at line " + std::to_string(xmlTextReaderLocatorLineNumber(locator)) + ": " + text;
        // What libxml2 says about a document that stops short is not obvious.
        if (text.find("Premature end") != std::string::npos ||
            text.find("at the end of the document") != std::string::npos)
            self->m_xmlError += " (the file may be truncated)";
    }

    [[noreturn]] void fail(const std::string& reason, std::size_t row = 0, const std::string& column = {})
    {
        throw InputError(m_path, row, column, reason);
    }
    // The line of the current node (the parser itself may have read ahead).
    int line() const
    {
        const xmlNodePtr node = xmlTextReaderCurrentNode(m_reader);
        const long n = node ? xmlGetLineNo(node) : -1;
        return n > 0 ? static_cast<int>(n) : xmlTextReaderGetParserLineNumber(m_reader);
    }
    std::string where(const char* element) const
    {
        return std::string("<") + element + "> at line " + std::to_string(line());
    }
    // Advances; false at the end of the document. Throws for malformed XML.
    bool next()
    {
        const int r = xmlTextReaderRead(m_reader);
        if (r < 0 || !m_xmlError.empty())
            fail(m_xmlError.empty() ? "malformed XML near line " + std::to_string(line()) : m_xmlError);
        return r == 1;
    }
    std::string localName() const
    {
        const xmlChar* n = xmlTextReaderConstLocalName(m_reader);
        return n ? reinterpret_cast<const char*>(n) : "";
    }
    std::string attribute(const char* name) const
    {
        xmlChar* v = xmlTextReaderGetAttribute(m_reader, reinterpret_cast<const xmlChar*>(name));
        if (!v) return {};
        std::string out = reinterpret_cast<const char*>(v);
        xmlFree(v);
        return out;
    }
    // The text content of the current element (its descendants' text), without moving.
    std::string elementText()
    {
        if (xmlTextReaderIsEmptyElement(m_reader)) return {};
        xmlChar* v = xmlTextReaderReadString(m_reader);
        if (!m_xmlError.empty()) fail(m_xmlError);
        if (!v) return {};
        std::string out = reinterpret_cast<const char*>(v);
        xmlFree(v);
        return out;
    }

    void readField();
    void planColumns();
    void readTableData();
    void readStream(bool binary2);
    void storeText(Field& f, std::string_view text, std::size_t row);
    void finishRow(std::size_t row, std::size_t cells, std::size_t line);
    void addIssue(std::size_t row, const std::string& column, const std::string& reason)
    {
        m_out.issues.push_back({m_path, row, column, reason});
    }

    std::string m_path;
    const ImportOptions& m_options;
    xmlTextReaderPtr m_reader = nullptr;
    std::string m_xmlError;
    VoTable m_out;
    std::vector<Field> m_fields;
    bool m_planned = false;
    std::size_t m_rows = 0;
    std::size_t m_rowIssueMark = 0; // issues before the current TABLEDATA row
};

void Reader::readField()
{
    Field f;
    f.line = static_cast<std::size_t>(line());
    f.name = attribute("name");
    if (f.name.empty()) f.name = attribute("ID");
    f.datatype = attribute("datatype");
    f.arraysize = attribute("arraysize");
    f.unit = attribute("unit");
    f.ucd = attribute("ucd");
    const std::string label = "FIELD '" + f.name + "' (line " + std::to_string(f.line) + ")";
    const auto kind = kindOf(f.datatype);
    if (!kind)
        fail(label + " has datatype '" + f.datatype +
             "'; VOTable datatypes are boolean, bit, unsignedByte, short, int, long, char, unicodeChar, "
             "float, double, floatComplex, doubleComplex");
    f.kind = *kind;
    if (!parseArraysize(f.arraysize, f.count, f.variable))
        fail(label + " has a malformed arraysize '" + f.arraysize + "'");
    const bool scalar = !f.variable && f.count == 1;
    if (!isText(f.kind) && !scalar) {
        f.keep = false;
        m_out.notes.push_back("VOTable " + label + " is an array (arraysize " + f.arraysize +
                              "); only scalar and text fields are kept");
    } else if (f.kind == Kind::FloatComplex || f.kind == Kind::DoubleComplex) {
        f.keep = false;
        m_out.notes.push_back("VOTable " + label + " is of type " + f.datatype +
                              "; only scalar and text fields are kept");
    }
    // VALUES (null) is a child of FIELD.
    if (!xmlTextReaderIsEmptyElement(m_reader)) {
        const int depth = xmlTextReaderDepth(m_reader);
        while (next()) {
            const int type = xmlTextReaderNodeType(m_reader);
            if (type == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth(m_reader) == depth) break;
            if (type == XML_READER_TYPE_ELEMENT && localName() == "VALUES") {
                const std::string null = attribute("null");
                if (!null.empty()) {
                    f.hasNull = true;
                    f.nullText = null;
                    if (isIntegerKind(f.kind)) {
                        std::string_view t = trimBlanks(null);
                        const bool hex = t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X');
                        if (hex)
                            f.nullInt = static_cast<std::int64_t>(
                                std::strtoull(std::string(t.substr(2)).c_str(), nullptr, 16));
                        else if (!parseInt64(t, f.nullInt))
                            fail(label + " has VALUES null='" + null + "', which is not an integer");
                    }
                }
            }
        }
    }
    m_fields.push_back(std::move(f));
}

void Reader::planColumns()
{
    if (m_planned) return;
    m_planned = true;
    if (m_fields.empty()) fail("the VOTable TABLE has no FIELD elements");
    std::vector<std::string> names;
    for (const Field& f : m_fields)
        names.push_back(f.name);
    names = cleanColumnNames(names);
    // Columns first (addColumn may move them), pointers afterwards.
    std::vector<std::size_t> index(m_fields.size(), SIZE_MAX);
    for (std::size_t i = 0; i < m_fields.size(); ++i) {
        Field& f = m_fields[i];
        if (!f.keep) continue;
        const ColumnType type = isText(f.kind)                                      ? ColumnType::Text
                                : (f.kind == Kind::Float || f.kind == Kind::Double) ? ColumnType::Real
                                                                                    : ColumnType::Integer;
        index[i] = m_out.table.columns.size();
        m_out.table.addColumn(names[i], type, f.unit);
        m_out.ucds.push_back(f.ucd);
    }
    for (std::size_t i = 0; i < m_fields.size(); ++i)
        if (index[i] != SIZE_MAX) m_fields[i].column = &m_out.table.columns[index[i]];
}

bool parseIntegerCell(std::string_view t, std::int64_t& v)
{
    if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
        const std::string digits(t.substr(2));
        char* end = nullptr;
        errno = 0;
        const unsigned long long u = std::strtoull(digits.c_str(), &end, 16);
        if (errno || !end || *end) return false;
        v = static_cast<std::int64_t>(u);
        return true;
    }
    return parseInt64(t, v);
}

// One TABLEDATA cell (or a whole text cell) into its column; a cell that does not decode is stored as null
// and listed as an issue, so the row is skipped or aborts the import.
void Reader::storeText(Field& f, std::string_view raw, std::size_t row)
{
    Column& c = *f.column;
    if (isText(f.kind)) {
        // Fixed-width strings are padded; trailing blanks are not part of the value (as in FITS).
        std::string_view t = raw;
        while (!t.empty() && (t.back() == ' ' || t.back() == '\0'))
            t.remove_suffix(1);
        t.empty() ? c.appendNull() : c.appendText(std::string(t));
        return;
    }
    const std::string_view t = trimBlanks(raw);
    if (t.empty()) {
        c.appendNull();
        return;
    }
    if (f.kind == Kind::Boolean || f.kind == Kind::Bit) { // a scalar bit is 0 or 1 (astropy writes bools so)
        auto is = [&](const char* word) {
            return t.size() == std::strlen(word) && strncasecmp(t.data(), word, t.size()) == 0;
        };
        if (is("T") || is("true") || t == "1")
            c.appendInteger(1);
        else if (is("F") || is("false") || t == "0")
            c.appendInteger(0);
        else if (t == "?")
            c.appendNull();
        else {
            c.appendNull();
            addIssue(row, c.name, "'" + std::string(t) + "' is not a boolean (T, F, true, false, 1, 0 or ?)");
        }
        return;
    }
    if (c.type == ColumnType::Integer) {
        std::int64_t v = 0;
        if (f.hasNull && t == trimBlanks(f.nullText)) {
            c.appendNull();
            return;
        }
        if (!parseIntegerCell(t, v)) {
            c.appendNull();
            addIssue(row, c.name,
                     "'" + std::string(t) + "' is not an integer (FIELD datatype " + f.datatype + ")");
            return;
        }
        f.hasNull&& v == f.nullInt ? c.appendNull() : c.appendInteger(v);
        return;
    }
    double v = 0;
    if (!parseDouble(t, v)) {
        c.appendNull();
        addIssue(row, c.name, "'" + std::string(t) + "' is not a number (FIELD datatype " + f.datatype + ")");
        return;
    }
    std::isnan(v) ? c.appendNull() : c.appendReal(v);
}

void Reader::finishRow(std::size_t row, std::size_t cells, std::size_t atLine)
{
    if (cells != m_fields.size()) {
        // The cells are shifted: what they said about their types is noise next to the real problem.
        m_out.issues.resize(m_rowIssueMark);
        addIssue(row, {},
                 "<TR> at line " + std::to_string(atLine) + " has " + std::to_string(cells) +
                     " <TD> cells, the TABLE has " + std::to_string(m_fields.size()) + " FIELDs");
    }
    for (std::size_t i = cells; i < m_fields.size(); ++i)
        if (m_fields[i].column) m_fields[i].column->appendNull();
    if (row % kProgressEvery == 0) reportProgress(m_options, row, 0);
}

void Reader::readTableData()
{
    planColumns();
    if (xmlTextReaderIsEmptyElement(m_reader)) return;
    const int depth = xmlTextReaderDepth(m_reader);
    std::size_t cells = 0, trLine = 0;
    bool inRow = false;
    while (next()) {
        const int type = xmlTextReaderNodeType(m_reader);
        const int d = xmlTextReaderDepth(m_reader);
        if (type == XML_READER_TYPE_END_ELEMENT && d == depth) break;
        if (type == XML_READER_TYPE_ELEMENT) {
            const std::string name = localName();
            if (name == "TR" && d == depth + 1) {
                ++m_rows;
                cells = 0;
                m_rowIssueMark = m_out.issues.size();
                trLine = static_cast<std::size_t>(line());
                inRow = true;
                if (xmlTextReaderIsEmptyElement(m_reader)) {
                    finishRow(m_rows, 0, trLine);
                    inRow = false;
                }
            } else if (name == "TD" && inRow && d == depth + 2) {
                if (cells < m_fields.size()) {
                    Field& f = m_fields[cells];
                    if (f.column) storeText(f, elementText(), m_rows);
                }
                ++cells;
            } else if (d == depth + 1) {
                fail("unexpected " + where(name.c_str()) + " in <TABLEDATA> (expected <TR>)", m_rows + 1);
            }
        } else if (type == XML_READER_TYPE_END_ELEMENT && inRow && d == depth + 1) {
            finishRow(m_rows, cells, trLine);
            inRow = false;
        }
    }
}

// base64 with blanks and newlines anywhere; false on any other character or a bad length.
bool decodeBase64(std::string_view in, std::vector<unsigned char>& out)
{
    static signed char table[256];
    static bool ready = false;
    if (!ready) {
        std::memset(table, -1, sizeof table);
        const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < 64; ++i)
            table[static_cast<unsigned char>(alphabet[i])] = static_cast<signed char>(i);
        ready = true;
    }
    out.clear();
    out.reserve(in.size() / 4 * 3);
    std::uint32_t acc = 0;
    int bits = 0, pad = 0;
    for (const char ch : in) {
        const auto u = static_cast<unsigned char>(ch);
        if (u == ' ' || u == '\n' || u == '\r' || u == '\t') continue;
        if (u == '=') {
            ++pad;
            continue;
        }
        if (pad || table[u] < 0) return false;
        acc = (acc << 6) | static_cast<std::uint32_t>(table[u]);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<unsigned char>((acc >> bits) & 0xFF));
        }
    }
    return pad <= 2;
}

std::uint64_t bigEndian(const unsigned char* p, std::size_t n)
{
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i)
        v = (v << 8) | p[i];
    return v;
}

void appendUtf8(std::string& s, std::uint32_t cp)
{
    if (cp < 0x80) {
        s += static_cast<char>(cp);
    } else if (cp < 0x800) {
        s += static_cast<char>(0xC0 | (cp >> 6));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        s += static_cast<char>(0xE0 | (cp >> 12));
        s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

void Reader::readStream(bool binary2)
{
    planColumns();
    const char* element = binary2 ? "BINARY2" : "BINARY";
    const std::string streamAt = "<" + std::string(element) + "><STREAM> at line " + std::to_string(line());
    if (!attribute("href").empty())
        fail(streamAt + " points to an external file (href); only inline base64 streams are read");
    const std::string encoding = attribute("encoding");
    if (encoding != "base64") fail(streamAt + " has encoding '" + encoding + "'; only base64 is read");
    std::vector<unsigned char> bytes;
    if (!decodeBase64(elementText(), bytes)) fail(streamAt + " is not valid base64");
    const std::size_t nf = m_fields.size();
    const std::size_t maskBytes = binary2 ? (nf + 7) / 8 : 0;
    std::size_t pos = 0;
    auto need = [&](std::size_t n, std::size_t row, const Field* f) {
        if (bytes.size() - pos < n)
            fail(streamAt + " ends inside row " + std::to_string(row) +
                     (f ? " (field '" + f->name + "')" : std::string()) + ": the stream is truncated",
                 row, f ? f->name : std::string());
    };
    while (pos < bytes.size()) {
        const std::size_t row = ++m_rows;
        const unsigned char* mask = nullptr;
        if (binary2) {
            need(maskBytes, row, nullptr);
            mask = bytes.data() + pos;
            pos += maskBytes;
        }
        for (std::size_t i = 0; i < nf; ++i) {
            Field& f = m_fields[i];
            std::size_t count = f.count;
            if (f.variable) {
                need(4, row, &f);
                count *= static_cast<std::size_t>(bigEndian(bytes.data() + pos, 4));
                pos += 4;
            }
            const std::size_t size = f.kind == Kind::Bit ? (count + 7) / 8 : count * elementBytes(f.kind);
            need(size, row, &f);
            const unsigned char* p = bytes.data() + pos;
            pos += size;
            if (!f.column) continue;
            Column& c = *f.column;
            if (mask && (mask[i / 8] & (0x80 >> (i % 8)))) {
                c.appendNull();
                continue;
            }
            switch (f.kind) {
            case Kind::Char:
                storeText(f, std::string_view(reinterpret_cast<const char*>(p), size), row);
                break;
            case Kind::UnicodeChar: {
                std::string s;
                for (std::size_t k = 0; k + 1 < size; k += 2)
                    appendUtf8(s, static_cast<std::uint32_t>(bigEndian(p + k, 2)));
                storeText(f, s, row);
                break;
            }
            case Kind::Boolean: {
                const char b = static_cast<char>(p[0]);
                if (b == 'T' || b == 't' || b == '1')
                    c.appendInteger(1);
                else if (b == 'F' || b == 'f' || b == '0')
                    c.appendInteger(0);
                else
                    c.appendNull(); // '?', ' ' or NUL
                break;
            }
            case Kind::Bit:
                // The standard packs bits from the high end (0x80); astropy writes a scalar bit as 0x08.
                // Any bit set means 1, so both read right.
                c.appendInteger(p[0] != 0 ? 1 : 0);
                break;
            case Kind::UnsignedByte:
            case Kind::Short:
            case Kind::Int:
            case Kind::Long: {
                const std::size_t n = elementBytes(f.kind);
                const std::uint64_t u = bigEndian(p, n);
                std::int64_t v;
                if (f.kind == Kind::UnsignedByte)
                    v = static_cast<std::int64_t>(u);
                else if (f.kind == Kind::Short)
                    v = static_cast<std::int16_t>(u);
                else if (f.kind == Kind::Int)
                    v = static_cast<std::int32_t>(u);
                else
                    v = static_cast<std::int64_t>(u);
                f.hasNull&& v == f.nullInt ? c.appendNull() : c.appendInteger(v);
                break;
            }
            case Kind::Float: {
                const auto u = static_cast<std::uint32_t>(bigEndian(p, 4));
                float v;
                std::memcpy(&v, &u, 4);
                std::isnan(v) ? c.appendNull() : c.appendReal(static_cast<double>(v));
                break;
            }
            case Kind::Double: {
                const std::uint64_t u = bigEndian(p, 8);
                double v;
                std::memcpy(&v, &u, 8);
                std::isnan(v) ? c.appendNull() : c.appendReal(v);
                break;
            }
            default:
                c.appendNull();
                break;
            }
        }
        if (row % kProgressEvery == 0) reportProgress(m_options, row, 0);
    }
}

VoTable Reader::run()
{
    xmlInitParser();
    m_reader = xmlReaderForFile(m_path.c_str(), nullptr,
                                XML_PARSE_NONET | XML_PARSE_HUGE | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!m_reader) fail("cannot open the file for reading");
    xmlTextReaderSetErrorHandler(m_reader, &Reader::onError, this);

    const int wanted = m_options.fitsHdu > 0 ? m_options.fitsHdu : 1;
    int tables = 0, tableDepth = -1;
    bool sawRoot = false, done = false;
    while (!done && next()) {
        const int type = xmlTextReaderNodeType(m_reader);
        if (type == XML_READER_TYPE_END_ELEMENT && tableDepth >= 0 &&
            xmlTextReaderDepth(m_reader) == tableDepth && localName() == "TABLE") {
            done = true;
            break;
        }
        if (type != XML_READER_TYPE_ELEMENT) continue;
        const std::string name = localName();
        if (!sawRoot) {
            sawRoot = true;
            if (name != "VOTABLE") fail("not a VOTable: the root element is <" + name + ">, not <VOTABLE>");
            continue;
        }
        if (tableDepth < 0) {
            if (name == "TABLE" && ++tables == wanted) {
                tableDepth = xmlTextReaderDepth(m_reader);
                if (xmlTextReaderIsEmptyElement(m_reader)) done = true;
            }
            continue;
        }
        if (name == "FIELD") {
            if (m_planned)
                fail("<FIELD> at line " + std::to_string(line()) + " comes after the table's <DATA>");
            readField();
        } else if (name == "TABLEDATA") {
            readTableData();
        } else if (name == "BINARY" || name == "BINARY2") {
            const bool binary2 = name == "BINARY2";
            const int depth = xmlTextReaderDepth(m_reader);
            while (next()) {
                const int t = xmlTextReaderNodeType(m_reader);
                if (t == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth(m_reader) == depth) break;
                if (t == XML_READER_TYPE_ELEMENT && localName() == "STREAM") readStream(binary2);
            }
        } else if (name == "FITS") {
            fail("the VOTable TABLE's DATA is serialised as FITS (" + where("FITS") +
                 "); only TABLEDATA, BINARY and BINARY2 are read: read the FITS file itself instead");
        }
    }
    // The rest of the document is read too: a file cut short after the table is still a broken file.
    while (done && next()) {
    }
    if (!sawRoot) fail(m_xmlError.empty() ? "empty file: no XML element" : m_xmlError);
    if (tableDepth < 0)
        fail(tables == 0 ? std::string("the VOTable has no <TABLE>")
                         : "the VOTable has " + std::to_string(tables) + " TABLE(s); TABLE " +
                               std::to_string(wanted) + " was asked for");
    planColumns(); // a TABLE without DATA: no rows, but its columns
    std::stable_sort(m_out.issues.begin(), m_out.issues.end(),
                     [](const ImportIssue& a, const ImportIssue& b) { return a.row < b.row; });
    reportProgress(m_options, m_rows, m_rows);
    return std::move(m_out);
}

} // namespace

VoTable readVoTable(const std::string& path, const ImportOptions& options)
{
    Reader reader(path, options);
    return reader.run();
}

} // namespace rm::detail
