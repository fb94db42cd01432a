#include "targets/CatalogMatch.h"

#include "catalog/LabelValue.h"
#include "sky/CrossMatcher.h"
#include "store/ProjectStore.h"
#include "util/Error.h"

#include <chrono>

namespace rm {

std::vector<int> catalogRingTruth(ProjectStore& store, std::int64_t catalogId)
{
    CatalogInfo info = store.catalog(catalogId);
    std::vector<int> truth(info.rowCount, -1);
    if (info.role == CatalogRole::Rings) {
        std::fill(truth.begin(), truth.end(), 1);
    } else if (info.role == CatalogRole::Labelled) {
        Table t = store.loadTable(catalogId, {info.labelColumn});
        const Column& c = t.columns.front();
        for (std::size_t r = 0; r < truth.size(); ++r) {
            auto v = parseRingLabel(c.text(r));
            if (v) truth[r] = *v ? 1 : 0;
        }
    }
    return truth;
}

static std::string describeSide(const CatalogInfo& info, int truth)
{
    if (info.role == CatalogRole::Rings) return info.name + " lists it as a ring";
    return info.name + " labels it " + (truth ? "ring" : "not ring") + " (column '" + info.labelColumn + "')";
}

CatalogMatchSummary matchCatalogs(ProjectStore& store, const std::string& nameA, const std::string& nameB,
                                  double radiusArcsec,
                                  const std::function<bool(std::size_t, std::size_t)>& progress)
{
    if (!(radiusArcsec > 0)) throw Error("the cross-match radius must be a positive number of arcsec");
    const auto t0 = std::chrono::steady_clock::now();
    CatalogInfo a = store.catalog(nameA), b = store.catalog(nameB);
    CatalogPositions pa = store.positions(a.id), pb = store.positions(b.id);

    CrossMatchOptions opt;
    opt.radiusArcsec = radiusArcsec;
    opt.allPairs = true;
    opt.progress = progress;
    CrossMatchResult res = crossMatch(pa.ra, pa.dec, pb.ra, pb.dec, opt);

    CatalogMatchSummary s;
    s.catalogA = a.name;
    s.catalogB = b.name;
    s.radiusArcsec = radiusArcsec;
    s.rowsA = a.rowCount;
    s.rowsB = b.rowCount;
    s.matchedRows = res.matchedRows;
    s.pairs = res.pairs.size();

    std::vector<int> ta = catalogRingTruth(store, a.id), tb = catalogRingTruth(store, b.id);
    for (std::size_t r = 0; r < res.nearest.size(); ++r) {
        if (res.nearest[r] < 0) continue;
        const auto rb = static_cast<std::size_t>(res.nearest[r]);
        if (ta[r] < 0 || tb[rb] < 0) continue;
        ++s.labelComparisons;
        if (ta[r] != tb[rb])
            s.conflicts.push_back({static_cast<std::int64_t>(r), static_cast<std::int64_t>(rb),
                                   res.nearestSeparationArcsec[r],
                                   describeSide(a, ta[r]) + ", but " + describeSide(b, tb[rb])});
    }

    Transaction tx(store.db());
    store.db()
        .prepare("INSERT INTO crossmatches(catalog_a, catalog_b, radius_arcsec, matched_rows, pair_count, "
                 "created_at) "
                 "VALUES(?,?,?,?,?,?)")
        .bind(1, a.id)
        .bind(2, b.id)
        .bind(3, radiusArcsec)
        .bind(4, s.matchedRows)
        .bind(5, s.pairs)
        .bind(6, nowIso8601())
        .run();
    s.crossmatchId = store.db().lastInsertId();
    Statement ins =
        store.db().prepare("INSERT INTO crossmatch_pairs(crossmatch_id, row_a, row_b, separation_arcsec, "
                           "is_nearest) VALUES(?,?,?,?,?)");
    for (const MatchPair& p : res.pairs)
        ins.bind(1, s.crossmatchId)
            .bind(2, static_cast<std::int64_t>(p.rowA))
            .bind(3, static_cast<std::int64_t>(p.rowB))
            .bind(4, p.separationArcsec)
            .bind(5, res.nearest[p.rowA] == static_cast<std::int64_t>(p.rowB) ? 1 : 0)
            .run();
    tx.commit();
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return s;
}

} // namespace rm
