#pragma once
// FITS tables (binary and ASCII, optionally gzip-compressed) into a typed Table through cfitsio. Scalar
// columns only: vector, variable-length, bit and complex columns have no place in a flat catalog table and
// are left out.
#include "catalog/CatalogReader.h"

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace rm::detail {

// Reads the table HDU chosen by options.fitsHdu a chunk of rows at a time. Types come from TFORMn (integers,
// logicals as 0/1 integers, floats, strings with trailing blanks trimmed; a uint64 column holding a value
// beyond int64 becomes text); TNULLn, NaN and blank strings become null; TUNITn is kept. Throws InputError
// for a file that is not FITS, is truncated, or has no table (on construction). The columns and their types
// are known on construction; next() reads the following rows into out (its columns replaced), their
// undecodable cells (ASCII tables) into issues, and is false once every row was read.
class FitsChunkReader
{
public:
    FitsChunkReader(const std::string& path, const ImportOptions& options);
    ~FitsChunkReader();
    FitsChunkReader(const FitsChunkReader&) = delete;
    FitsChunkReader& operator=(const FitsChunkReader&) = delete;

    const Table& head() const; // every column, no rows
    const std::vector<std::string>& notes() const;
    std::size_t totalRows() const;
    std::size_t rowsRead() const;
    bool next(Table& out, std::vector<ImportIssue>& issues, std::size_t maxRows);

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};

} // namespace rm::detail
