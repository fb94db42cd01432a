#pragma once
// The progress/cancel protocol shared by the catalog readers.
#include "catalog/CatalogReader.h"
#include "util/Error.h"

#include <cstddef>

namespace rm::detail {

// Readers report every this many rows: often enough for a responsive progress bar, rare enough to be free.
constexpr std::size_t kProgressEvery = 10000;

// Calls options.progress; a false answer cancels the import.
inline void reportProgress(const ImportOptions& options, std::size_t rows, std::size_t total)
{
    if (options.progress && !options.progress(rows, total)) throw Error("import cancelled");
}

} // namespace rm::detail
