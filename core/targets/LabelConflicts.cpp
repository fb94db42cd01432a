#include "targets/LabelConflicts.h"

#include "sky/CrossMatcher.h"
#include "store/ProjectStore.h"
#include "targets/CatalogMatch.h"
#include "targets/TargetSetBuilder.h"
#include "util/Error.h"

#include <cmath>
#include <cstdio>

namespace rm {

std::vector<TargetLabelConflict> targetLabelConflicts(ProjectStore& store, const std::string& targetSet,
                                                      double radiusArcsec)
{
    if (!(radiusArcsec > 0)) throw Error("the conflict radius must be a positive number of arcsec");
    const std::vector<Target> targets = loadTargets(store, targetSet); // throws for an unknown set
    std::vector<TargetLabelConflict> out;
    for (const CatalogInfo& other : store.catalogs()) {
        if (other.role != CatalogRole::Rings && other.role != CatalogRole::Labelled) continue;
        const std::vector<int> truth = catalogRingTruth(store, other.id);
        const CatalogPositions p = store.positions(other.id);
        std::vector<double> ra, dec;
        std::vector<std::size_t> rows; // index position -> catalog row
        for (std::size_t r = 0; r < truth.size() && r < p.ra.size(); ++r)
            if (truth[r] >= 0 && std::isfinite(p.ra[r]) && std::isfinite(p.dec[r])) {
                ra.push_back(p.ra[r]);
                dec.push_back(p.dec[r]);
                rows.push_back(r);
            }
        if (rows.empty()) continue;
        SkyIndex index(ra, dec);
        for (std::size_t i = 0; i < targets.size(); ++i) {
            const Target& t = targets[i];
            if (t.catalogId == other.id || !std::isfinite(t.ra) || !std::isfinite(t.dec)) continue;
            const auto hits = index.within(t.ra, t.dec, radiusArcsec);
            if (hits.empty()) continue;
            const std::size_t row = rows[hits.front().first];
            if (truth[row] == t.label) continue;
            TargetLabelConflict c;
            c.targetIdx = i;
            c.catalogId = t.catalogId;
            c.row = t.row;
            c.ra = t.ra;
            c.dec = t.dec;
            c.label = t.label;
            c.otherCatalog = other.name;
            c.otherRow = static_cast<std::int64_t>(row);
            c.otherLabel = truth[row];
            c.separationArcsec = hits.front().second;
            char sep[32];
            std::snprintf(sep, sizeof sep, "%.1f\"", c.separationArcsec);
            c.description = std::string(t.label ? "ring" : "not ring") + " in " + targetSet + ", but " +
                            other.name +
                            (other.role == CatalogRole::Rings
                                 ? std::string(" lists it as a ring")
                                 : " labels it " + std::string(truth[row] ? "ring" : "not ring") +
                                       " (column '" + other.labelColumn + "')") +
                            // 0-based, as catalog show, xmatch and the browser number rows
                            " (row " + std::to_string(row) + ", " + sep + ")";
            out.push_back(std::move(c));
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const TargetLabelConflict& a, const TargetLabelConflict& b) {
        return a.targetIdx < b.targetIdx;
    });
    return out;
}

} // namespace rm
