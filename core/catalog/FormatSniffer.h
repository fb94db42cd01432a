#pragma once
// Decides how to read a catalog file: by extension where it is unambiguous (.fits, .csv), otherwise by
// looking at the first data line (.txt, .dat, .tsv and anything else).
#include "catalog/CatalogReader.h"
#include "catalog/CsvReader.h"

#include <string>
#include <string_view>

namespace rm::detail {

struct SniffedFormat
{
    CatalogFormat format = CatalogFormat::Csv;
    CsvDialect csv; // for Csv
};

// True for .fits, .fit, .fts and their .gz forms, and .fz.
bool hasFitsExtension(const std::string& path);

// requested is ImportOptions::format; content is the start of the file (for FITS only the first bytes
// matter, and it may be empty when the caller already knows the extension).
SniffedFormat sniffFormat(const std::string& path, std::string_view content, CatalogFormat requested);

} // namespace rm::detail
