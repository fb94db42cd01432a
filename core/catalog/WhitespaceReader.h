#pragma once
// Whitespace-separated tables such as bare "ra dec" position lists: fields split on runs of spaces and tabs,
// '#' comments and blank lines skipped. Usually headerless; a first line that is not all numbers is taken as
// the header.
#include "catalog/CatalogReader.h"
#include "catalog/RawTable.h"

#include <string>
#include <string_view>

namespace rm::detail {

// Rows with the wrong number of fields are listed in RawTable::issues (reading stops at the first under
// Abort). Throws InputError for a file with no data line.
RawTable readWhitespace(const std::string& path, std::string_view content, const ImportOptions& options);

// The fields of one line split on blanks.
std::vector<std::string_view> splitOnBlanks(std::string_view line);

} // namespace rm::detail
