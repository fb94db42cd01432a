#pragma once
// Rows of a project's catalogs within a few arcsec of a position, on a connection of its own (so a worker
// thread can search while the GUI thread uses the project): each catalog's sky index (SkyIndex) is built the
// first time it is needed and then kept, so a million-row catalog costs its build once and a lookup after
// that is instant.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rm {

class ProjectStore;
class SkyIndex;

struct Neighbour
{
    std::int64_t catalogId = 0;
    std::string catalogName;
    std::int64_t row = 0;
    double separationArcsec = 0;
    std::vector<std::pair<std::string, std::string>>
        values; // column -> value as SQLite writes it, "" if NULL
};

class NeighbourSearch
{
public:
    // Opens the project; throws rm::Error when it cannot.
    explicit NeighbourSearch(const std::string& projectPath);
    ~NeighbourSearch();
    NeighbourSearch(const NeighbourSearch&) = delete;
    NeighbourSearch& operator=(const NeighbourSearch&) = delete;

    const std::string& projectPath() const { return m_path; }

    // Every row of every catalog but excludeCatalogId within radiusArcsec of (ra, dec), catalog by catalog
    // (in the project's order), nearest first within each. abandon, when given, is asked before each catalog:
    // when it returns true the search stops and returns nullopt. Throws rm::Error on a store failure.
    std::optional<std::vector<Neighbour>> find(double ra, double dec, double radiusArcsec,
                                               std::int64_t excludeCatalogId,
                                               const std::function<bool()>& abandon = {});

private:
    std::string m_path;
    std::unique_ptr<ProjectStore> m_store;
    std::map<std::int64_t, std::unique_ptr<SkyIndex>> m_indexes;
};

} // namespace rm
