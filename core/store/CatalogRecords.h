#pragma once
// One catalog row by galaxy (catalog id, row): its position and every column as text. What the inspector,
// the thumbnails' captions and the label store read for one galaxy, with one prepared statement per catalog
// kept for reuse (a grid of thumbnails reads hundreds of rows a second).
#include "store/ProjectStore.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace rm {

struct CatalogRecord
{
    std::int64_t catalogId = 0;
    std::int64_t row = 0;
    double ra = 0, dec = 0;
    // Every column in the catalog's order: integers in full, reals with 10 significant digits, NULL as "".
    std::vector<std::pair<std::string, std::string>> values;
};

class CatalogRecordReader
{
public:
    // Reads through the store's connection: use it on the store's thread only.
    explicit CatalogRecordReader(ProjectStore& store);
    ~CatalogRecordReader();
    CatalogRecordReader(const CatalogRecordReader&) = delete;
    CatalogRecordReader& operator=(const CatalogRecordReader&) = delete;

    const CatalogInfo& catalog(std::int64_t id); // cached; throws rm::Error for an unknown id
    CatalogRecord read(std::int64_t catalogId,
                       std::int64_t row); // throws rm::Error when the row does not exist

private:
    Statement& statement(std::int64_t catalogId);

    ProjectStore& m_store;
    std::map<std::int64_t, CatalogInfo> m_catalogs;
    std::map<std::int64_t, std::unique_ptr<Statement>> m_statements;
};

} // namespace rm
