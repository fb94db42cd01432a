#pragma once
// The candidates a `mine` imported into the project (catalogs of role candidates: p_ring, p_ring_std with
// TTA, is_ring, and known_ring / known_catalog / known_id from the cross-match against the project's ring
// catalogs), read back for hand review: the likeliest rings first, each new or known.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace rm {

class ProjectStore;

struct MinedCandidate
{
    std::int64_t catalogId = 0;
    std::int64_t row = 0;
    std::string catalog; // the candidates catalog's name
    double pRing = 0;
    double pRingStd = NAN; // spread over the 8 TTA views; NaN when mined without --tta
    bool isRing = false;   // above the mining threshold
    bool known = false;    // within the match radius of a galaxy in a rings catalog
    std::string knownCatalog, knownId;
    // "new ring candidate, p_ring 0.973" / "known ring (buta NGC 1291), p_ring 0.973"
    std::string describe() const;
};

// Every scored row of every candidates catalog (or only of `catalog` when given), highest p_ring first;
// rows without a p_ring (not scored, with their reason) are left out. onlyAboveThreshold keeps is_ring rows.
// progress(rows done, rows in all) is called now and then; returning false stops with rm::Error("cancelled").
// Throws rm::Error when `catalog` is not a candidates catalog or lacks the p_ring column.
std::vector<MinedCandidate>
loadMinedCandidates(ProjectStore& store, const std::string& catalog = "", bool onlyAboveThreshold = true,
                    const std::function<bool(std::size_t, std::size_t)>& progress = {});

// The threshold a candidates list was cut at, as far as the rows say: halfway between the lowest p_ring
// flagged is_ring and the highest not flagged (the mining threshold lies between them); the lowest is_ring
// p_ring when every row is a ring, NaN when none is.
double impliedThreshold(const std::vector<MinedCandidate>& rows);

} // namespace rm
