#include "mining/MinedCandidates.h"

#include "store/ProjectStore.h"
#include "util/Error.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace rm {

std::string MinedCandidate::describe() const
{
    char p[32];
    std::snprintf(p, sizeof p, "%.3f", pRing);
    if (!known) return std::string(isRing ? "new ring candidate" : "below the threshold") + ", p_ring " + p;
    std::string match = knownCatalog;
    if (!knownId.empty()) match += (match.empty() ? "" : " ") + knownId;
    return "known ring" + (match.empty() ? std::string() : " (" + match + ")") + ", p_ring " + p;
}

std::vector<MinedCandidate> loadMinedCandidates(ProjectStore& store, const std::string& catalog,
                                                bool onlyAboveThreshold,
                                                const std::function<bool(std::size_t, std::size_t)>& progress)
{
    std::vector<MinedCandidate> out;
    bool found = catalog.empty();
    const std::vector<CatalogInfo> catalogs = store.catalogs();
    std::size_t total = 0, done = 0;
    for (const CatalogInfo& info : catalogs)
        if (info.role == CatalogRole::Candidates && (catalog.empty() || info.name == catalog))
            total += info.rowCount;
    const auto report = [&] {
        if (progress && !progress(done, total)) throw Error("cancelled");
    };
    report();
    for (const CatalogInfo& info : catalogs) {
        if (!catalog.empty() && info.name != catalog) continue;
        if (info.role != CatalogRole::Candidates) {
            if (!catalog.empty())
                throw Error("catalog '" + catalog + "' is not a mined candidates catalog (role " +
                            catalogRoleName(info.role) + ")");
            continue;
        }
        found = true;
        // Only the columns read here: a candidates catalog can have millions of rows.
        std::vector<std::string> wanted;
        for (const auto& [column, type] : info.columns)
            for (const char* name :
                 {"p_ring", "p_ring_std", "is_ring", "known_ring", "known_catalog", "known_id"})
                if (column == name) wanted.push_back(column);
        if (std::find(wanted.begin(), wanted.end(), "p_ring") == wanted.end())
            throw Error("candidates catalog '" + info.name + "' has no p_ring column");
        const Table table = store.loadTable(info.id, wanted);
        const Column& p = table.column("p_ring");
        const auto optional = [&](const char* name) -> const Column* {
            const int i = table.columnIndex(name);
            return i < 0 ? nullptr : &table.columns[std::size_t(i)];
        };
        const Column* spread = optional("p_ring_std");
        const Column* isRing = optional("is_ring");
        const Column* known = optional("known_ring");
        const Column* knownCatalog = optional("known_catalog");
        const Column* knownId = optional("known_id");
        for (std::size_t r = 0; r < table.rowCount(); ++r) {
            if (++done % 8192 == 0) report();
            const auto score = p.number(r);
            if (!score || !std::isfinite(*score)) continue;
            MinedCandidate c;
            c.catalogId = info.id;
            c.row = static_cast<std::int64_t>(r);
            c.catalog = info.name;
            c.pRing = *score;
            if (spread) c.pRingStd = spread->number(r).value_or(NAN);
            c.isRing = isRing && isRing->number(r).value_or(0) != 0;
            c.known = known && known->number(r).value_or(0) != 0;
            if (knownCatalog) c.knownCatalog = knownCatalog->text(r);
            if (knownId) c.knownId = knownId->text(r);
            if (onlyAboveThreshold && !c.isRing) continue;
            out.push_back(std::move(c));
        }
    }
    if (!found) throw Error("the project has no catalog named '" + catalog + "'");
    std::stable_sort(out.begin(), out.end(),
                     [](const MinedCandidate& a, const MinedCandidate& b) { return a.pRing > b.pRing; });
    done = total;
    report();
    return out;
}

double impliedThreshold(const std::vector<MinedCandidate>& rows)
{
    double lowestRing = INFINITY, highestOther = -INFINITY;
    for (const MinedCandidate& c : rows) {
        if (c.isRing)
            lowestRing = std::min(lowestRing, c.pRing);
        else
            highestOther = std::max(highestOther, c.pRing);
    }
    if (!std::isfinite(lowestRing)) return NAN;
    if (!std::isfinite(highestOther)) return lowestRing;
    return 0.5 * (lowestRing + highestOther);
}

} // namespace rm
