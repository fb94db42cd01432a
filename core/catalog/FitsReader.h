#pragma once
// FITS tables (binary and ASCII, optionally gzip-compressed) into a typed Table through cfitsio. Scalar
// columns only: vector, variable-length, bit and complex columns have no place in a flat catalog table and
// are left out.
#include "catalog/CatalogReader.h"

#include <string>
#include <vector>

namespace rm::detail {

struct FitsTable
{
    Table table;                     // every row of the HDU
    std::vector<std::string> notes;  // columns that could not be kept, with why
    std::vector<ImportIssue> issues; // cells that could not be decoded (ASCII tables); row 1-based, sorted
};

// Reads the table HDU chosen by options.fitsHdu. Types come from TFORMn (integers, logicals as 0/1 integers,
// floats, strings with trailing blanks trimmed); TNULLn, NaN and blank strings become null; TUNITn is kept.
// Throws InputError for a file that is not FITS, is truncated, or has no table.
FitsTable readFits(const std::string& path, const ImportOptions& options);

} // namespace rm::detail
