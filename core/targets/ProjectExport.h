#pragma once
// Tables for export out of a project: a catalog (its columns plus the positions the project uses) and a
// target set (one row per galaxy with its catalog, row, position, label and split).
#include "catalog/CatalogWriter.h"

#include <cstdint>
#include <string>
#include <vector>

namespace rm {

class ProjectStore;

// Every stored column of the catalog, after two leading columns _RAJ2000 and _DEJ2000 (degrees J2000, UCDs
// pos.eq.ra;meta.main / pos.eq.dec;meta.main: the VizieR name for computed positions, which every reader
// here finds first). When the catalog's own degree position columns already have those names they are
// marked instead of repeated. Throws rm::Error naming the known catalogs when there is no such catalog.
ExportTable catalogExportTable(ProjectStore& store, const std::string& catalog);

// The target set's galaxies in index order: catalog, row (0-based stored row), _RAJ2000, _DEJ2000, label
// (1 ring, 0 not), split (train/val/test), origin.
ExportTable targetSetExportTable(ProjectStore& store, const std::string& targetSet);

// One scored galaxy of a target set (a run's stored prediction, in plain values: targets/ is below
// training/).
struct ScoredTarget
{
    std::int64_t targetIdx = 0;
    std::string split;
    int label = 0;
    double score = 0;
};

// The scored galaxies in the given order: catalog, row, _RAJ2000, _DEJ2000, split, label, p_ring. Throws
// rm::Error when an index is not in the target set (built again since the scores were stored). The caller
// names the table.
ExportTable predictionsExportTable(ProjectStore& store, const std::string& targetSet,
                                   const std::vector<ScoredTarget>& scored);

} // namespace rm
