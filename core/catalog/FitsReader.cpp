#include "catalog/FitsReader.h"

#include "catalog/ImportProgress.h"
#include "catalog/NumberParse.h"
#include "catalog/RawTable.h"
#include "util/Error.h"
#include "util/FitsStructure.h"

#include <fitsio.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace rm::detail {

namespace {

// cfitsio keeps a global stack of messages; the first one usually says what was being read (the next ones
// repeat the file name, which InputError already carries).
std::string cfitsioMessage(int status)
{
    char text[FLEN_STATUS] = {};
    fits_get_errstatus(status, text);
    std::string out = text;
    char msg[FLEN_ERRMSG] = {};
    std::string detail;
    // The first message that says more than where cfitsio was ("ffopen ...", "Failed to ...").
    while (fits_read_errmsg(msg)) {
        const std::string m(trimBlanks(msg));
        if (detail.empty() || (detail.rfind("ffmahd", 0) == 0 || detail.rfind("ffopen", 0) == 0)) detail = m;
    }
    while (!detail.empty() && (detail.back() == ':' || detail.back() == ' '))
        detail.pop_back();
    if (!detail.empty() && detail != out) out += " (" + detail + ")";
    if (status == READ_ERROR || status == END_OF_FILE) out += "; the file may be truncated";
    return out;
}

class FitsHandle
{
public:
    FitsHandle(const std::string& path) : m_path(path)
    {
        checkFitsStructure(path);
        fits_clear_errmsg();
        int status = 0;
        // The disk-file opener does not parse cfitsio's extended syntax, so "a[1].fits" is a plain name.
        if (fits_open_diskfile(&m_f, path.c_str(), READONLY, &status)) {
            m_f = nullptr;
            throw InputError(path, 0, {}, "not a readable FITS file: " + cfitsioMessage(status));
        }
    }
    ~FitsHandle()
    {
        int status = 0;
        if (m_f) fits_close_file(m_f, &status);
        fits_clear_errmsg();
    }
    FitsHandle(const FitsHandle&) = delete;
    FitsHandle& operator=(const FitsHandle&) = delete;

    fitsfile* get() const { return m_f; }
    void check(int status, const std::string& what) const
    {
        if (status) throw InputError(m_path, 0, {}, what + ": " + cfitsioMessage(status));
    }
    // A keyword as trimmed text; empty when absent.
    std::string key(const std::string& name) const
    {
        char value[FLEN_VALUE] = {};
        int status = 0;
        if (fits_read_key(m_f, TSTRING, name.c_str(), value, nullptr, &status)) {
            fits_clear_errmsg();
            return {};
        }
        return std::string(trimBlanks(value));
    }
    double keyNumber(const std::string& name, double fallback) const
    {
        double v = fallback;
        int status = 0;
        if (fits_read_key(m_f, TDOUBLE, name.c_str(), &v, nullptr, &status)) {
            fits_clear_errmsg();
            return fallback;
        }
        return v;
    }

private:
    std::string m_path;
    fitsfile* m_f = nullptr;
};

std::string keyn(const char* root, int n)
{
    return root + std::to_string(n);
}

// Moves to the requested HDU, or to the first table when none is requested; returns its type.
int selectTable(const FitsHandle& fits, const std::string& path, int requested)
{
    int status = 0, type = 0;
    if (requested > 0) {
        int count = 0;
        fits.check(fits_get_num_hdus(fits.get(), &count, &status), "cannot count the HDUs");
        if (requested > count)
            throw InputError(path, 0, {},
                             "there is no HDU " + std::to_string(requested) + " (--hdu): the file has " +
                                 std::to_string(count) + " readable HDU" + (count == 1 ? "" : "s"));
        fits.check(fits_movabs_hdu(fits.get(), requested, &type, &status),
                   "cannot move to HDU " + std::to_string(requested));
        if (type != BINARY_TBL && type != ASCII_TBL)
            throw InputError(path, 0, {}, "HDU " + std::to_string(requested) + " is an image, not a table");
        return type;
    }
    int count = 0;
    fits.check(fits_get_num_hdus(fits.get(), &count, &status), "cannot count the HDUs");
    for (int h = 1; h <= count; ++h) {
        fits.check(fits_movabs_hdu(fits.get(), h, &type, &status), "cannot read HDU " + std::to_string(h));
        if (type == BINARY_TBL || type == ASCII_TBL) return type;
    }
    // cfitsio counts only the HDUs it could read: a table extension with a damaged header (a TFORM that
    // does not parse, column widths that do not add up to NAXIS1) stops the count. Moving to the next HDU
    // gives cfitsio's reason, which names the keyword.
    fits_clear_errmsg();
    status = 0;
    if (fits_movabs_hdu(fits.get(), count + 1, &type, &status) && status != END_OF_FILE)
        throw InputError(path, 0, {},
                         "HDU " + std::to_string(count + 1) + " (after the " + std::to_string(count) +
                             " readable one" + (count == 1 ? "" : "s") +
                             ") has a damaged header: " + cfitsioMessage(status));
    throw InputError(path, 0, {}, "the FITS file has no binary or ASCII table extension");
}

enum class Kind
{
    Integer,
    Unsigned64,
    Logical,
    Real,
    String
};

struct Field
{
    int fitsColumn = 0; // 1-based
    Kind kind = Kind::Real;
    long width = 0;             // strings (binary) and every field (ASCII)
    long offset = 0;            // ASCII: 0-based byte offset in the row (TBCOLn - 1)
    int decimals = 0;           // ASCII: implied decimals of Fw.d / Ew.d
    std::string asciiNull;      // ASCII: the TNULLn string
    double scale = 1, zero = 0; // ASCII: TSCALn / TZEROn
    Column* column = nullptr;
};

ColumnType typeOf(Kind k)
{
    switch (k) {
    case Kind::Integer:
    case Kind::Unsigned64:
    case Kind::Logical:
        return ColumnType::Integer;
    case Kind::Real:
        return ColumnType::Real;
    case Kind::String:
        return ColumnType::Text;
    }
    return ColumnType::Text;
}

std::string columnName(const FitsHandle& fits, int c)
{
    char key[FLEN_KEYWORD], value[FLEN_VALUE];
    int status = 0;
    std::snprintf(key, sizeof key, "TTYPE%d", c);
    if (fits_read_key(fits.get(), TSTRING, key, value, nullptr, &status) != 0) return "#" + std::to_string(c);
    return value;
}

std::vector<Field> planBinary(const FitsHandle& fits, int ncols, std::vector<std::string>& notes)
{
    std::vector<Field> fields;
    for (int c = 1; c <= ncols; ++c) {
        int type = 0, status = 0;
        LONGLONG repeat = 0, width = 0;
        fits.check(fits_get_eqcoltypell(fits.get(), c, &type, &repeat, &width, &status),
                   "cannot read the type of column " + std::to_string(c));
        Field f;
        f.fitsColumn = c;
        f.width = static_cast<long>(width);
        if (type == TSTRING && repeat >= 1 && repeat <= width)
            f.kind = Kind::String;
        else if (repeat != 1) {
            // Vectors, variable-length arrays (type < 0) and empty columns have no place in a flat table.
            notes.push_back("FITS column '" + columnName(fits, c) + "' is not a scalar (repeat " +
                            std::to_string(repeat) + ") and was left out");
            continue;
        } else if (type == TLOGICAL)
            f.kind = Kind::Logical;
        else if (type == TFLOAT || type == TDOUBLE)
            f.kind = Kind::Real;
        else if (type == TULONGLONG)
            f.kind = Kind::Unsigned64;
        else if (type == TBYTE || type == TSBYTE || type == TSHORT || type == TUSHORT || type == TINT ||
                 type == TUINT || type == TLONG || type == TULONG || type == TLONGLONG)
            f.kind = Kind::Integer;
        else {
            notes.push_back("FITS column '" + columnName(fits, c) +
                            "' holds bits or complex numbers and was left out");
            continue;
        }
        fields.push_back(f);
    }
    return fields;
}

std::vector<Field> planAscii(const FitsHandle& fits, const std::string& path, int ncols, long rowLength)
{
    std::vector<Field> fields;
    for (int c = 1; c <= ncols; ++c) {
        int code = 0, status = 0;
        long width = 0;
        int decimals = 0;
        const std::string tform = fits.key(keyn("TFORM", c));
        fits.check(fits_ascii_tform(const_cast<char*>(tform.c_str()), &code, &width, &decimals, &status),
                   "column " + std::to_string(c) + " has a bad TFORM '" + tform + "'");
        Field f;
        f.fitsColumn = c;
        f.width = width;
        f.decimals = decimals;
        f.offset = static_cast<long>(fits.keyNumber(keyn("TBCOL", c), 0)) - 1;
        if (f.offset < 0 || f.offset + width > rowLength)
            throw InputError(path, 0, fits.key(keyn("TTYPE", c)),
                             "TBCOL/TFORM put the field outside the row");
        f.asciiNull = fits.key(keyn("TNULL", c));
        f.scale = fits.keyNumber(keyn("TSCAL", c), 1.0);
        f.zero = fits.keyNumber(keyn("TZERO", c), 0.0);
        const bool scaled = f.scale != 1.0 || f.zero != 0.0;
        if (code == TSTRING)
            f.kind = Kind::String;
        else if (code == TLONG || code == TSHORT || code == TINT || code == TLONGLONG)
            f.kind = scaled ? Kind::Real : Kind::Integer;
        else
            f.kind = Kind::Real;
        fields.push_back(f);
    }
    return fields;
}

void addColumns(const FitsHandle& fits, std::vector<Field>& fields, Table& table, std::size_t rows)
{
    std::vector<std::string> names;
    for (const Field& f : fields)
        names.push_back(fits.key(keyn("TTYPE", f.fitsColumn)));
    names = cleanColumnNames(std::move(names));
    table.columns.reserve(fields.size()); // Field::column points into this vector
    for (std::size_t i = 0; i < fields.size(); ++i) {
        Column& c =
            table.addColumn(names[i], typeOf(fields[i].kind), fits.key(keyn("TUNIT", fields[i].fitsColumn)));
        c.null.reserve(rows);
        fields[i].column = &c;
    }
}

void readBinaryChunk(const FitsHandle& fits, std::vector<Field>& fields, LONGLONG first, long n)
{
    std::vector<char> nulls(static_cast<std::size_t>(n));
    std::vector<LONGLONG> ints;
    std::vector<ULONGLONG> uints;
    std::vector<double> reals;
    std::vector<char> logicals;
    std::vector<char> chars;
    std::vector<char*> strings;
    for (Field& f : fields) {
        int status = 0, anyNull = 0;
        Column& col = *f.column;
        const std::string what = "cannot read column '" + col.name + "'";
        switch (f.kind) {
        case Kind::Integer:
            ints.resize(static_cast<std::size_t>(n));
            fits.check(fits_read_colnull(fits.get(), TLONGLONG, f.fitsColumn, first, 1, n, ints.data(),
                                         nulls.data(), &anyNull, &status),
                       what);
            for (long i = 0; i < n; ++i)
                nulls[i] ? col.appendNull() : col.appendInteger(static_cast<std::int64_t>(ints[i]));
            break;
        case Kind::Unsigned64:
            uints.resize(static_cast<std::size_t>(n));
            fits.check(fits_read_colnull(fits.get(), TULONGLONG, f.fitsColumn, first, 1, n, uints.data(),
                                         nulls.data(), &anyNull, &status),
                       what);
            for (long i = 0; i < n; ++i) {
                if (nulls[i]) {
                    col.appendNull();
                    continue;
                }
                if (col.type == ColumnType::Text) // FitsChunkReader found a value beyond int64 in it
                    col.appendText(std::to_string(uints[i]));
                else
                    col.appendInteger(static_cast<std::int64_t>(uints[i]));
            }
            break;
        case Kind::Logical:
            logicals.resize(static_cast<std::size_t>(n));
            fits.check(fits_read_colnull(fits.get(), TLOGICAL, f.fitsColumn, first, 1, n, logicals.data(),
                                         nulls.data(), &anyNull, &status),
                       what);
            for (long i = 0; i < n; ++i)
                nulls[i] ? col.appendNull() : col.appendInteger(logicals[i] ? 1 : 0);
            break;
        case Kind::Real:
            reals.resize(static_cast<std::size_t>(n));
            // With a null array cfitsio flags TNULLn values and IEEE NaN alike.
            fits.check(fits_read_colnull(fits.get(), TDOUBLE, f.fitsColumn, first, 1, n, reals.data(),
                                         nulls.data(), &anyNull, &status),
                       what);
            for (long i = 0; i < n; ++i)
                nulls[i] || std::isnan(reals[i]) ? col.appendNull() : col.appendReal(reals[i]);
            break;
        case Kind::String: {
            const std::size_t stride = static_cast<std::size_t>(f.width) + 1;
            chars.assign(stride * static_cast<std::size_t>(n), '\0');
            strings.resize(static_cast<std::size_t>(n));
            for (long i = 0; i < n; ++i)
                strings[i] = chars.data() + stride * static_cast<std::size_t>(i);
            char empty[] = "";
            fits.check(fits_read_col_str(fits.get(), f.fitsColumn, first, 1, n, empty, strings.data(),
                                         &anyNull, &status),
                       what);
            for (long i = 0; i < n; ++i) {
                const std::string_view v = trimBlanks(strings[i]); // FITS pads strings with blanks
                v.empty() ? col.appendNull() : col.appendText(std::string(v));
            }
            break;
        }
        }
    }
}

// ASCII-table fields are decoded from the raw row bytes rather than through cfitsio, which reads a blank
// numeric field as 0; blank must stay null (VizieR leaves missing redshifts blank).
void readAsciiChunk(const FitsHandle& fits, const std::string& path, std::vector<Field>& fields,
                    LONGLONG first, long n, long rowLength, std::vector<ImportIssue>& issues)
{
    std::vector<unsigned char> bytes(static_cast<std::size_t>(rowLength) * static_cast<std::size_t>(n));
    int status = 0;
    fits.check(
        fits_read_tblbytes(fits.get(), first, 1, static_cast<LONGLONG>(bytes.size()), bytes.data(), &status),
        "cannot read rows " + std::to_string(first) + "-" + std::to_string(first + n - 1));
    std::string number;
    for (long i = 0; i < n; ++i) {
        const char* row =
            reinterpret_cast<const char*>(bytes.data()) + static_cast<std::size_t>(i) * rowLength;
        const std::size_t rowNumber = static_cast<std::size_t>(first + i);
        for (Field& f : fields) {
            Column& col = *f.column;
            const std::string_view v =
                trimBlanks(std::string_view(row + f.offset, static_cast<std::size_t>(f.width)));
            if (v.empty() || (!f.asciiNull.empty() && v == f.asciiNull)) {
                col.appendNull();
                continue;
            }
            if (f.kind == Kind::String) {
                col.appendText(std::string(v));
                continue;
            }
            // FITS allows embedded blanks in numbers and Fortran's D exponent.
            number.clear();
            bool hasPoint = false;
            for (char ch : v) {
                if (ch == ' ') continue;
                if (ch == '.') hasPoint = true;
                number.push_back(ch == 'D' || ch == 'd' ? 'E' : ch);
            }
            std::int64_t iv = 0;
            double dv = 0;
            if (f.kind == Kind::Integer && parseInt64(number, iv)) {
                col.appendInteger(iv);
            } else if (f.kind == Kind::Real && parseDouble(number, dv)) {
                if (!hasPoint && f.decimals > 0) dv /= std::pow(10.0, f.decimals); // Fw.d: point implied
                dv = f.zero + f.scale * dv;
                std::isnan(dv) ? col.appendNull() : col.appendReal(dv);
            } else {
                issues.push_back({path, rowNumber, col.name,
                                  "'" + std::string(v) + "' is not " +
                                      (f.kind == Kind::Integer ? "an integer" : "a number")});
                col.appendNull(); // keeps the columns aligned; the row is dropped by the caller
            }
        }
    }
}

// NAXIS1 x NAXIS2 is what the header promises; every buffer below is sized from it. A header that promises
// more bytes than the file holds (cut short, or lying) is refused here, before anything is allocated for it.
void checkTableFits(const FitsHandle& fits, const std::string& path, LONGLONG nrows, long rowLength)
{
    if (nrows < 0 || rowLength < 0)
        throw InputError(path, 0, {},
                         "header keyword NAXIS" + std::string(nrows < 0 ? "2" : "1") + " is negative");
    if (nrows == 0) return;
    LONGLONG headStart = 0, dataStart = 0, dataEnd = 0;
    int status = 0;
    fits.check(fits_get_hduaddrll(fits.get(), &headStart, &dataStart, &dataEnd, &status),
               "cannot locate the table's data");
    const LONGLONG fileSize = fits.get()->Fptr->logfilesize; // uncompressed size for a .gz
    const LONGLONG available = std::max<LONGLONG>(0, fileSize - dataStart);
    const bool overflows = rowLength > 0 && nrows > std::numeric_limits<LONGLONG>::max() / rowLength;
    if (overflows || static_cast<LONGLONG>(rowLength) * nrows > available)
        throw InputError(path, 0, {},
                         "header keywords NAXIS2 = " + std::to_string(nrows) +
                             " rows of NAXIS1 = " + std::to_string(rowLength) + " bytes promise " +
                             (overflows ? std::string("more than 2^63")
                                        : std::to_string(static_cast<LONGLONG>(rowLength) * nrows)) +
                             " bytes of table data, but the file holds only " + std::to_string(available) +
                             " bytes after the header (at byte " + std::to_string(dataStart) +
                             "): the file is truncated or its header is wrong");
}

} // namespace

struct FitsChunkReader::Impl
{
    explicit Impl(const std::string& path) : path(path), fits(path) {}
    std::string path;
    FitsHandle fits;
    int hduType = 0;
    LONGLONG nrows = 0;
    long rowLength = 0;
    long chunk = 0;
    LONGLONG next = 1; // the next row to read, 1-based
    std::vector<Field> fields;
    Table head;
    std::vector<std::string> notes;
};

FitsChunkReader::FitsChunkReader(const std::string& path, const ImportOptions& options)
    : m(std::make_unique<Impl>(path))
{
    FitsHandle& fits = m->fits;
    m->hduType = selectTable(fits, path, options.fitsHdu);
    int status = 0, ncols = 0;
    fits.check(fits_get_num_rowsll(fits.get(), &m->nrows, &status), "cannot read the number of rows");
    fits.check(fits_get_num_cols(fits.get(), &ncols, &status), "cannot read the number of columns");
    fits.check(fits_read_key_lng(fits.get(), "NAXIS1", &m->rowLength, nullptr, &status),
               "cannot read NAXIS1");
    checkTableFits(fits, path, m->nrows, m->rowLength);
    m->fields = m->hduType == ASCII_TBL ? planAscii(fits, path, ncols, m->rowLength)
                                        : planBinary(fits, ncols, m->notes);
    addColumns(fits, m->fields, m->head, 0);
    // Whole chunks of rows keep cfitsio's buffers hot while each column is read in turn.
    fits.check(fits_get_rowsize(fits.get(), &m->chunk, &status), "cannot size the read buffer");
    m->chunk = std::clamp<long>(m->chunk, 1000, static_cast<long>(kProgressEvery));
    // A uint64 column holding a value above int64 is text from its first row (so that no id is rounded):
    // decided over the whole column before any row is handed on, as reading it whole would.
    for (Field& f : m->fields) {
        if (f.kind != Kind::Unsigned64) continue;
        std::vector<ULONGLONG> uints;
        std::vector<char> nulls;
        for (LONGLONG first = 1; first <= m->nrows && f.column->type == ColumnType::Integer;
             first += m->chunk) {
            const long n = static_cast<long>(std::min<LONGLONG>(m->chunk, m->nrows - first + 1));
            uints.resize(static_cast<std::size_t>(n));
            nulls.resize(static_cast<std::size_t>(n));
            int anyNull = 0;
            status = 0;
            fits.check(fits_read_colnull(fits.get(), TULONGLONG, f.fitsColumn, first, 1, n, uints.data(),
                                         nulls.data(), &anyNull, &status),
                       "cannot read column '" + f.column->name + "'");
            for (long i = 0; i < n; ++i)
                if (!nulls[i] && uints[i] > static_cast<ULONGLONG>(std::numeric_limits<std::int64_t>::max()))
                    f.column->type = ColumnType::Text;
        }
    }
}

FitsChunkReader::~FitsChunkReader() = default;

const Table& FitsChunkReader::head() const
{
    return m->head;
}

const std::vector<std::string>& FitsChunkReader::notes() const
{
    return m->notes;
}

std::size_t FitsChunkReader::totalRows() const
{
    return static_cast<std::size_t>(m->nrows);
}

std::size_t FitsChunkReader::rowsRead() const
{
    return static_cast<std::size_t>(m->next - 1);
}

bool FitsChunkReader::next(Table& out, std::vector<ImportIssue>& issues, std::size_t maxRows)
{
    out.columns.clear();
    out.columns.reserve(m->head.columns.size()); // Field::column points into this vector
    for (std::size_t i = 0; i < m->fields.size(); ++i) {
        const Column& h = m->head.columns[i];
        m->fields[i].column = &out.addColumn(h.name, h.type, h.unit);
    }
    if (m->next > m->nrows) return false;
    const LONGLONG last = std::min<LONGLONG>(m->nrows, m->next + static_cast<LONGLONG>(maxRows) - 1);
    for (LONGLONG first = m->next; first <= last; first += m->chunk) {
        const long n = static_cast<long>(std::min<LONGLONG>(m->chunk, last - first + 1));
        if (m->hduType == ASCII_TBL)
            readAsciiChunk(m->fits, m->path, m->fields, first, n, m->rowLength, issues);
        else
            readBinaryChunk(m->fits, m->fields, first, n);
    }
    m->next = last + 1;
    return true;
}

} // namespace rm::detail
