#pragma once
// Reads catalogs (CSV, FITS binary tables, VOTables, whitespace tables) into a Table and finds their sky
// positions.
#include "catalog/Table.h"

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace rm {

enum class CatalogFormat
{
    Auto,
    Csv,
    Fits,
    Whitespace,
    VoTable
};
enum class BadRowPolicy
{
    Abort,
    Skip
};

const char* catalogFormatName(CatalogFormat f);

struct ImportOptions
{
    CatalogFormat format = CatalogFormat::Auto;
    // Position columns; empty = detect (VOTable FIELDs with the UCDs pos.eq.ra;meta.main and
    // pos.eq.dec;meta.main, then _RAJ2000/_DEJ2000, RAdeg/DEdeg, ra/dec, RA/DEC, sexagesimal RAJ2000/DEJ2000,
    // then an IAU-name column such as iauname holding JHHMMSS.ss+DDMMSS.s).
    std::string raColumn;
    std::string decColumn;
    std::string iauNameColumn; // take positions from this IAU-name column instead
    BadRowPolicy onBadRow = BadRowPolicy::Abort;
    int fitsHdu =
        0; // 0 = the first binary/ASCII table HDU (FITS) or TABLE (VOTable); else the 1-based number
    // Called now and then with (rows read, total rows if known else 0); return false to cancel (throws
    // rm::Error).
    std::function<bool(std::size_t, std::size_t)> progress;
};

struct ImportIssue
{
    std::string file;
    std::size_t row = 0; // 1-based data row in the file (header lines not counted)
    std::string column;
    std::string reason;
    std::string message() const; // "file, row R, column 'C': reason"
};

enum class PositionKind
{
    Degrees,
    Sexagesimal,
    IauName
};

struct PositionColumns
{
    PositionKind kind = PositionKind::Degrees;
    std::string raColumn; // for IauName: the name column (decColumn empty)
    std::string decColumn;
};

struct ImportedCatalog
{
    std::string path;
    CatalogFormat format = CatalogFormat::Auto; // the format actually read
    Table table;                                // only the rows that were kept, every column of the file
    std::vector<double> ra, dec;                // degrees J2000, one per kept row, always finite and in range
    std::vector<std::size_t> sourceRow;         // 1-based data row in the file of every kept row
    PositionColumns position;
    std::string positionNote;         // which position columns were chosen and why, for people
    std::vector<ImportIssue> skipped; // rows left out under BadRowPolicy::Skip, with why
    std::vector<std::string> notes;   // anything else not kept (e.g. FITS vector columns), with why
};

// Throws rm::InputError (file, row, column) for a bad row under Abort, for a file that cannot be read or
// parsed, or when no position columns can be found.
ImportedCatalog importCatalog(const std::string& path, const ImportOptions& options = {});

} // namespace rm
