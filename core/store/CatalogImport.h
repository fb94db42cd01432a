#pragma once
// Importing a catalog file straight into a project, streaming: the file is parsed a chunk of rows at a time
// (catalog/CatalogStream.h) and each chunk inserted as it comes, inside one transaction, so that a
// ten-million row CSV never sits whole in memory and a failure anywhere (a malformed row 9,000,000, a kill)
// leaves the project exactly as it was.
#include "store/ProjectStore.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace rm {

// Imports file as catalog `name` (refused before reading when the name is taken or the project is
// read-only). Throws what importCatalog throws (InputError with file, row, column) and what addCatalog
// refuses (a labelled catalog's label column), with nothing written. summary, when given, receives the
// import's summary (columns, position, notes, skipped rows; no rows). options.progress sees the rows read.
std::int64_t importCatalogFile(ProjectStore& store, const std::string& name, const std::string& file,
                               const ImportOptions& options, CatalogRole role,
                               const std::string& labelColumn = {}, ImportedCatalog* summary = nullptr);

// The streaming counterpart of replaceCatalog (store/CatalogReplace.h): imports file as `name`, replacing a
// catalog of that name and role in the same transaction (a kill leaves the old catalog or the new one,
// whole). imageSourceFor, when given, sees the import's summary (its columns) and returns the image source
// spec to store with the new catalog, or nothing.
std::int64_t
replaceCatalogFile(ProjectStore& store, const std::string& name, const std::string& file,
                   const ImportOptions& options, CatalogRole role,
                   const std::function<std::optional<std::string>(const ImportedCatalog&)>& imageSourceFor,
                   ImportedCatalog* summary = nullptr);

} // namespace rm
