#pragma once
// importCatalog for scoring, which needs only an id and an image: a catalog with no position columns is read
// anyway (every ra/dec NaN), and a row whose position does not decode is kept with NaN ra/dec instead of
// being a bad row. Rows the reader cannot read at all (a wrong number of fields) are still bad rows.
#include "catalog/CatalogReader.h"

namespace rm {

struct ScoringCatalog
{
    ImportedCatalog catalog;   // ra/dec NaN where a row has no position
    bool hasPositions = false; // whether position columns were found
};

ScoringCatalog importCatalogForScoring(const std::string& path, const ImportOptions& options = {});

} // namespace rm
