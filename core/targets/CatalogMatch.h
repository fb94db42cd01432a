#pragma once
// Cross-matches two catalogs of a project, stores the pairs, and reports where their labels disagree.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace rm {

class ProjectStore;

struct LabelConflict
{
    std::int64_t rowA = 0, rowB = 0; // 0-based catalog rows
    double separationArcsec = 0;
    std::string description; // e.g. "labelled not ring in gzd_labels (ring=0) but listed in buta (rings)"
};

struct CatalogMatchSummary
{
    std::int64_t crossmatchId = 0;
    std::string catalogA, catalogB;
    double radiusArcsec = 0;
    std::size_t rowsA = 0, rowsB = 0;
    std::size_t matchedRows = 0;      // rows of A with at least one match in B
    std::size_t pairs = 0;            // all pairs within the radius
    std::size_t labelComparisons = 0; // matched pairs where both sides say ring or not ring
    std::vector<LabelConflict> conflicts;
    double seconds = 0;
};

CatalogMatchSummary matchCatalogs(ProjectStore& store, const std::string& catalogA,
                                  const std::string& catalogB, double radiusArcsec,
                                  const std::function<bool(std::size_t, std::size_t)>& progress = {});

// Per row of a catalog: whether it is a ring (true), not a ring (false) or unknown (-1), from its role:
// every row of a rings catalog is a ring; a labelled catalog's label column decides; other roles say nothing.
std::vector<int> catalogRingTruth(ProjectStore& store, std::int64_t catalogId);

} // namespace rm
