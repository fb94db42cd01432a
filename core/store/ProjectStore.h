#pragma once
// One RingMiner project = one SQLite file (WAL) holding catalogs, cross-matches, target sets, labels,
// experiments, runs, metrics and predictions. Big arrays live in files beside it (<project>.files/).
#include "catalog/CatalogReader.h"
#include "catalog/Table.h"
#include "store/Database.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace rm {

struct CrossMatchResult;

// What a catalog is for: rings (every row is a known ring: excluded from negatives), images (rows that have
// cutouts), parent (a pool of candidate negatives), labelled (a label column says ring or not), candidates
// (a catalog `mine` wrote: scored galaxies with p_ring, is_ring and known_ring), other.
enum class CatalogRole
{
    Other,
    Rings,
    Images,
    Parent,
    Labelled,
    Candidates
};
const char* catalogRoleName(CatalogRole r);
CatalogRole parseCatalogRole(const std::string& s); // throws rm::Error listing the valid names

struct CatalogInfo
{
    std::int64_t id = 0;
    std::string name;
    std::string sourcePath;
    std::string format;
    CatalogRole role = CatalogRole::Other;
    std::string labelColumn; // for Labelled: the column whose truthy values mean "ring"
    PositionColumns position;
    std::size_t rowCount = 0;
    std::size_t skippedRows = 0;
    std::vector<std::pair<std::string, ColumnType>> columns;
    std::string importedAt; // ISO 8601 UTC
    std::string
        tableName; // the SQL table holding its rows: _rm_row (0-based), _rm_ra, _rm_dec, _rm_src, columns
};

struct CatalogPositions
{
    std::vector<double> ra, dec;
};

class ProjectStore
{
public:
    static constexpr int kSchemaVersion = 6;

    // Creates a new project file (fails if it exists) or opens one, migrating an older schema.
    static std::unique_ptr<ProjectStore> create(const std::string& path);
    static std::unique_ptr<ProjectStore> open(const std::string& path);
    ~ProjectStore();

    Database& db() { return *m_db; }
    const std::string& path() const { return m_path; }
    // Opened read-only (the user cannot write the file or its folder): reading works, writing verbs call
    // requireWritable first so they fail before doing any work.
    bool readOnly() const;
    void requireWritable(const std::string& what) const;
    std::string filesDir() const; // <project>.files/, created on demand, for images, weights, embeddings
    int schemaVersion();
    void setMeta(const std::string& key, const std::string& value);
    std::optional<std::string> meta(const std::string& key);

    // --- catalogs -----------------------------------------------------------------------------------------
    // Stores a catalog in one transaction (nothing is left behind if it throws). Throws if the name is taken.
    std::int64_t addCatalog(const std::string& name, const ImportedCatalog& catalog, CatalogRole role,
                            const std::string& labelColumn = {},
                            const std::function<bool(std::size_t, std::size_t)>& progress = {});
    std::vector<CatalogInfo> catalogs();
    CatalogInfo catalog(const std::string& name); // throws rm::Error naming the known catalogs
    CatalogInfo catalog(std::int64_t id);
    bool hasCatalog(const std::string& name);
    void removeCatalog(std::int64_t id);
    CatalogPositions positions(std::int64_t catalogId); // indexed by _rm_row
    // Columns (all when empty) of every row, in _rm_row order.
    Table loadTable(std::int64_t catalogId, const std::vector<std::string>& columns = {});

    // --- image sources ------------------------------------------------------------------------------------
    // The JSON spec of where a catalog's images come from (see sources/ImageSource.h), if one is set.
    std::optional<std::string> imageSourceSpec(std::int64_t catalogId);
    void setImageSourceSpec(std::int64_t catalogId, const std::string& specJson);

private:
    ProjectStore(std::unique_ptr<Database> db, std::string path);
    void migrate();

    std::unique_ptr<Database> m_db;
    std::string m_path;
};

std::string nowIso8601();

} // namespace rm
