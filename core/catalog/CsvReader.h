#pragma once
// RFC 4180 delimited text (CSV, TSV) into raw string cells: quoted fields with embedded delimiters, doubled
// quotes and newlines; '#' comment lines and blank lines skipped; a UTF-8 byte-order mark ignored.
#include "catalog/CatalogReader.h"
#include "catalog/RawTable.h"

#include <memory>
#include <string>
#include <string_view>

namespace rm::detail {

struct CsvDialect
{
    char delimiter = ',';
    bool header = true; // false: the first record is data and columns get default names
};

// Rows with the wrong number of fields are not stored; they are listed in the chunk's issues. Under
// BadRowPolicy::Abort reading stops at the first one. Throws InputError for an empty file (on construction)
// or an unterminated quoted field (everything after it would be misread). content must outlive the reader.
std::unique_ptr<TextChunkReader> csvChunks(const std::string& path, std::string_view content,
                                           const CsvDialect& dialect, const ImportOptions& options);

} // namespace rm::detail
