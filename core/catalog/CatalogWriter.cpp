#include "catalog/CatalogWriter.h"

#include "util/Error.h"

#include <fitsio.h>
#include <libxml/xmlwriter.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <optional>
#include <set>
#include <strings.h>

namespace rm {

const char* exportFormatName(ExportFormat f)
{
    switch (f) {
    case ExportFormat::Csv:
        return "csv";
    case ExportFormat::Fits:
        return "fits";
    case ExportFormat::VoTable:
        return "votable";
    }
    return "csv";
}

ExportFormat exportFormatForPath(const std::string& path)
{
    const std::size_t slash = path.find_last_of('/');
    const std::size_t dot = path.find_last_of('.');
    const std::string ext =
        dot == std::string::npos || (slash != std::string::npos && dot < slash) ? "" : path.substr(dot);
    auto is = [&](const char* e) { return strcasecmp(ext.c_str(), e) == 0; };
    if (is(".csv")) return ExportFormat::Csv;
    if (is(".fits") || is(".fit") || is(".fts")) return ExportFormat::Fits;
    if (is(".vot") || is(".votable") || is(".xml")) return ExportFormat::VoTable;
    throw Error("cannot tell the export format of '" + path +
                "' from its extension: use .csv, .fits (or .fit, .fts) or .vot (or .votable, .xml)");
}

namespace {

std::string real(double v)
{
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

// A value no row of an integer column holds, for its null marker; nullopt when the column has no blanks.
std::optional<std::int64_t> nullMarker(const Column& c)
{
    if (std::none_of(c.null.begin(), c.null.end(), [](std::uint8_t n) { return n != 0; }))
        return std::nullopt;
    std::set<std::int64_t> used;
    for (std::size_t r = 0; r < c.size(); ++r)
        if (!c.isNull(r)) used.insert(c.integers[r]);
    std::int64_t v = std::numeric_limits<std::int64_t>::min();
    while (used.count(v))
        ++v;
    return v;
}

bool isAscii(const Column& c)
{
    for (std::size_t r = 0; r < c.size(); ++r)
        if (!c.isNull(r))
            for (unsigned char ch : c.texts[r])
                if (ch >= 0x80) return false;
    return true;
}

// ----- CSV
// ---------------------------------------------------------------------------------------------------

std::string csvField(const std::string& s)
{
    const bool quote = s.find_first_of(",\"\r\n") != std::string::npos ||
                       (!s.empty() && (s.front() == ' ' || s.back() == ' ' || s.front() == '#'));
    if (!quote) return s;
    std::string out = "\"";
    for (char ch : s) {
        if (ch == '"') out += '"';
        out += ch;
    }
    return out + "\"";
}

void writeCsv(const std::string& path, const ExportTable& t)
{
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) throw Error("cannot write '" + path + "'");
    std::string line;
    for (std::size_t c = 0; c < t.table.columnCount(); ++c)
        line += (c ? "," : "") + csvField(t.table.columns[c].name);
    line += "\n";
    bool ok = std::fputs(line.c_str(), f) >= 0;
    for (std::size_t r = 0; ok && r < t.table.rowCount(); ++r) {
        line.clear();
        for (std::size_t c = 0; c < t.table.columnCount(); ++c) {
            const Column& col = t.table.columns[c];
            if (c) line += ',';
            if (col.isNull(r)) continue;
            line += col.type == ColumnType::Real ? real(col.reals[r]) : csvField(col.text(r));
        }
        line += "\n";
        ok = std::fputs(line.c_str(), f) >= 0;
    }
    ok = std::fclose(f) == 0 && ok;
    if (!ok) throw Error("cannot write '" + path + "' (disk full?)");
}

// ----- FITS
// --------------------------------------------------------------------------------------------------

void writeFits(const std::string& path, const ExportTable& t)
{
    int status = 0;
    fitsfile* f = nullptr;
    auto check = [&](const char* what) {
        if (!status) return;
        char text[FLEN_STATUS] = {};
        fits_get_errstatus(status, text);
        int ignored = 0;
        if (f) fits_close_file(f, &ignored);
        fits_clear_errmsg();
        throw Error("cannot write FITS file '" + path + "' (" + what + "): " + text);
    };
    std::remove(
        path.c_str()); // the disk-file creator neither overwrites nor parses cfitsio's extended syntax
    fits_create_diskfile(&f, path.c_str(), &status);
    check("create");
    const Table& table = t.table;
    const std::size_t ncols = table.columnCount(), nrows = table.rowCount();
    std::vector<std::string> names, forms, units;
    for (const Column& c : table.columns) {
        names.push_back(c.name);
        units.push_back(c.unit);
        if (c.type == ColumnType::Integer) {
            forms.push_back("K");
        } else if (c.type == ColumnType::Real) {
            forms.push_back("D");
        } else {
            std::size_t width = 1;
            for (std::size_t r = 0; r < nrows; ++r)
                if (!c.isNull(r)) width = std::max(width, c.texts[r].size());
            forms.push_back(std::to_string(width) + "A");
        }
    }
    std::vector<char*> ttype, tform, tunit;
    for (std::size_t i = 0; i < ncols; ++i) {
        ttype.push_back(names[i].data());
        tform.push_back(forms[i].data());
        tunit.push_back(units[i].data());
    }
    std::string extname = t.name.empty() ? "CATALOG" : t.name;
    fits_create_tbl(f, BINARY_TBL, static_cast<LONGLONG>(nrows), static_cast<int>(ncols), ttype.data(),
                    tform.data(), tunit.data(), extname.c_str(), &status);
    check("create the table");
    for (std::size_t i = 0; i < ncols && nrows > 0; ++i) {
        const Column& c = table.columns[i];
        const int colnum = static_cast<int>(i + 1);
        if (c.type == ColumnType::Integer) {
            std::vector<LONGLONG> values(c.integers.begin(), c.integers.end());
            if (const auto marker = nullMarker(c)) {
                for (std::size_t r = 0; r < nrows; ++r)
                    if (c.isNull(r)) values[r] = *marker;
                const std::string key = "TNULL" + std::to_string(colnum);
                LONGLONG m = *marker;
                fits_write_key(f, TLONGLONG, key.c_str(), &m, "blank value", &status);
                check("write TNULL");
            }
            fits_write_col(f, TLONGLONG, colnum, 1, 1, static_cast<LONGLONG>(nrows), values.data(), &status);
        } else if (c.type == ColumnType::Real) {
            std::vector<double> values(c.reals);
            for (std::size_t r = 0; r < nrows; ++r)
                if (c.isNull(r)) values[r] = std::numeric_limits<double>::quiet_NaN();
            fits_write_col(f, TDOUBLE, colnum, 1, 1, static_cast<LONGLONG>(nrows), values.data(), &status);
        } else {
            std::vector<std::string> values(nrows);
            std::vector<char*> pointers(nrows);
            for (std::size_t r = 0; r < nrows; ++r) {
                values[r] = c.isNull(r) ? std::string() : c.texts[r];
                pointers[r] = values[r].data();
            }
            fits_write_col(f, TSTRING, colnum, 1, 1, static_cast<LONGLONG>(nrows), pointers.data(), &status);
        }
        check("write a column");
    }
    fits_close_file(f, &status);
    f = nullptr;
    check("close");
}

// ----- VOTable
// -----------------------------------------------------------------------------------------------

class XmlWriter
{
public:
    explicit XmlWriter(const std::string& path) : m_path(path)
    {
        m_w = xmlNewTextWriterFilename(path.c_str(), 0);
        if (!m_w) throw Error("cannot write '" + path + "'");
        xmlTextWriterSetIndent(m_w, 1);
        xmlTextWriterSetIndentString(m_w, reinterpret_cast<const xmlChar*>(" "));
    }
    ~XmlWriter()
    {
        if (m_w) xmlFreeTextWriter(m_w);
    }
    XmlWriter(const XmlWriter&) = delete;
    XmlWriter& operator=(const XmlWriter&) = delete;

    void check(int rc)
    {
        if (rc < 0) throw Error("cannot write '" + m_path + "' (disk full?)");
    }
    void start(const char* element) { check(xmlTextWriterStartElement(m_w, x(element))); }
    void end() { check(xmlTextWriterEndElement(m_w)); }
    void attribute(const char* name, const std::string& value)
    {
        check(xmlTextWriterWriteAttribute(m_w, x(name), x(value.c_str())));
    }
    void text(const std::string& value) { check(xmlTextWriterWriteString(m_w, x(value.c_str()))); }
    void element(const char* name, const std::string& value)
    {
        check(xmlTextWriterWriteElement(m_w, x(name), x(value.c_str())));
    }
    void startDocument() { check(xmlTextWriterStartDocument(m_w, nullptr, "UTF-8", nullptr)); }
    void finish()
    {
        check(xmlTextWriterEndDocument(m_w));
        xmlFreeTextWriter(m_w); // flushes and closes the file
        m_w = nullptr;
    }

private:
    static const xmlChar* x(const char* s) { return reinterpret_cast<const xmlChar*>(s); }
    std::string m_path;
    xmlTextWriterPtr m_w = nullptr;
};

void writeVoTable(const std::string& path, const ExportTable& t)
{
    const Table& table = t.table;
    XmlWriter w(path);
    w.startDocument();
    w.start("VOTABLE");
    w.attribute("version", "1.4");
    w.attribute("xmlns", "http://www.ivoa.net/xml/VOTable/v1.3");
    w.attribute("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance");
    w.start("RESOURCE");
    w.attribute("name", "ringminer");
    w.start("TABLE");
    w.attribute("name", t.name.empty() ? "catalog" : t.name);
    w.attribute("nrows", std::to_string(table.rowCount()));
    if (!t.description.empty()) w.element("DESCRIPTION", t.description);
    std::vector<std::optional<std::int64_t>> markers(table.columnCount());
    for (std::size_t i = 0; i < table.columnCount(); ++i) {
        const Column& c = table.columns[i];
        w.start("FIELD");
        w.attribute("name", c.name);
        switch (c.type) {
        case ColumnType::Integer:
            w.attribute("datatype", "long");
            break;
        case ColumnType::Real:
            w.attribute("datatype", "double");
            break;
        case ColumnType::Text:
            w.attribute("datatype", isAscii(c) ? "char" : "unicodeChar");
            w.attribute("arraysize", "*");
            break;
        }
        if (!c.unit.empty()) w.attribute("unit", c.unit);
        if (i < t.ucds.size() && !t.ucds[i].empty()) w.attribute("ucd", t.ucds[i]);
        if (c.type == ColumnType::Integer && (markers[i] = nullMarker(c))) {
            w.start("VALUES");
            w.attribute("null", std::to_string(*markers[i]));
            w.end();
        }
        w.end();
    }
    w.start("DATA");
    w.start("TABLEDATA");
    for (std::size_t r = 0; r < table.rowCount(); ++r) {
        w.start("TR");
        for (std::size_t i = 0; i < table.columnCount(); ++i) {
            const Column& c = table.columns[i];
            std::string value;
            if (c.isNull(r))
                value = markers[i] ? std::to_string(*markers[i]) : std::string();
            else
                value = c.type == ColumnType::Real ? real(c.reals[r]) : c.text(r);
            w.element("TD", value);
        }
        w.end();
    }
    w.end(); // TABLEDATA
    w.end(); // DATA
    w.end(); // TABLE
    w.end(); // RESOURCE
    w.end(); // VOTABLE
    w.finish();
}

} // namespace

void writeTable(const std::string& path, const ExportTable& table, ExportFormat format)
{
    const std::string temporary = path + ".part";
    try {
        switch (format) {
        case ExportFormat::Csv:
            writeCsv(temporary, table);
            break;
        case ExportFormat::Fits:
            writeFits(temporary, table);
            break;
        case ExportFormat::VoTable:
            writeVoTable(temporary, table);
            break;
        }
    } catch (...) {
        std::remove(temporary.c_str());
        throw;
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
        std::remove(temporary.c_str());
        throw Error("cannot write '" + path + "' (rename from " + temporary + " failed)");
    }
}

} // namespace rm
