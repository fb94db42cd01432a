#pragma once
// Whitespace-separated tables such as bare "ra dec" position lists: fields split on runs of spaces and tabs,
// '#' comments and blank lines skipped. Usually headerless; a first line that is not all numbers is taken as
// the header.
#include "catalog/CatalogReader.h"
#include "catalog/RawTable.h"

#include <memory>
#include <string>
#include <string_view>

namespace rm::detail {

// Read a chunk of rows at a time; rows with the wrong number of fields are listed in the chunk's issues
// (reading stops at the first under Abort). Throws InputError for a file with no data line (on construction).
// content must outlive the reader.
std::unique_ptr<TextChunkReader> whitespaceChunks(const std::string& path, std::string_view content,
                                                  const ImportOptions& options);

// The fields of one line split on blanks.
std::vector<std::string_view> splitOnBlanks(std::string_view line);

} // namespace rm::detail
