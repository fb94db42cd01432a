#include "query/NeighbourSearch.h"

#include "sky/CrossMatcher.h"
#include "store/ProjectStore.h"

namespace rm {

NeighbourSearch::NeighbourSearch(const std::string& projectPath)
    : m_path(projectPath), m_store(ProjectStore::open(projectPath))
{
}

NeighbourSearch::~NeighbourSearch() = default;

std::optional<std::vector<Neighbour>> NeighbourSearch::find(double ra, double dec, double radiusArcsec,
                                                            std::int64_t excludeCatalogId,
                                                            const std::function<bool()>& abandon)
{
    std::vector<Neighbour> out;
    for (const CatalogInfo& info : m_store->catalogs()) {
        if (info.id == excludeCatalogId) continue;
        if (abandon && abandon()) return std::nullopt;
        auto it = m_indexes.find(info.id);
        if (it == m_indexes.end()) {
            const CatalogPositions p = m_store->positions(info.id);
            it = m_indexes.emplace(info.id, std::make_unique<SkyIndex>(p.ra, p.dec)).first;
        }
        const auto hits = it->second->within(ra, dec, radiusArcsec);
        if (hits.empty()) continue;
        std::string sql = "SELECT ";
        for (std::size_t c = 0; c < info.columns.size(); ++c)
            sql += (c ? ", " : "") + quoteIdentifier(info.columns[c].first);
        if (info.columns.empty()) sql += "_rm_row";
        sql += " FROM " + quoteIdentifier(info.tableName) + " WHERE _rm_row = ?";
        Statement s = m_store->db().prepare(sql);
        for (const auto& [row, separation] : hits) {
            Neighbour n;
            n.catalogId = info.id;
            n.catalogName = info.name;
            n.row = row;
            n.separationArcsec = separation;
            s.reset();
            s.bind(1, std::int64_t(row));
            if (s.step())
                for (std::size_t c = 0; c < info.columns.size(); ++c)
                    n.values.emplace_back(info.columns[c].first,
                                          s.isNull(int(c)) ? std::string() : s.text(int(c)));
            out.push_back(std::move(n));
        }
    }
    return out;
}

} // namespace rm
