#pragma once
// The catalog a mining (or predict) command scores: a CSV/FITS/whitespace file or a catalog of the project,
// read with positions optional (scoring needs only an id and an image; positions, when there, are used for
// the known-ring cross-match). Rows the reader could not read are kept as issues so that every input row
// ends up in the output, scored or with its reason.
#include "catalog/CatalogReader.h"
#include "catalog/Table.h"
#include "sources/GalaxyRef.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace rm {

class ImageSource;
class ProjectStore;

struct MiningInput
{
    std::string label;           // "file '<path>'" or "catalog '<name>'", for messages
    std::string path;            // the file read (for a project catalog: the file it was imported from)
    std::string sha256;          // of that file when it exists, else of the catalog's stored rows
    Table table;                 // the rows read, every column
    std::vector<double> ra, dec; // NaN where a row has no position
    std::vector<std::size_t> sourceRow; // 1-based data row in the file of every row read
    bool hasPositions = false;
    std::vector<ImportIssue> skipped; // rows that could not be read, with why
    int idColumn = 0;
    std::string idName;

    std::size_t totalRows() const { return table.rowCount() + skipped.size(); }
    std::string id(std::size_t row) const; // the id column's text of a row read
    // One GalaxyRef per row read (every column as text, positions set).
    std::vector<GalaxyRef> galaxies() const;
};

// The column that names a galaxy: the one asked for (rm::Error when missing, listing the columns), or the
// first usual identifier the table has (iauname, id_str, objid, dr7objid, GalaxyID, ...), else column 0.
int findIdColumn(const Table& table, const std::optional<std::string>& asked);

// Reads a catalog file for scoring (positions optional, unreadable rows kept as issues).
MiningInput readMiningInput(const std::string& path, const std::optional<std::string>& idColumn,
                            const std::function<bool(std::size_t, std::size_t)>& progress = {});
// A catalog of the project.
MiningInput readMiningInput(ProjectStore& store, const std::string& catalogName,
                            const std::optional<std::string>& idColumn);

// Checks, before any scoring, that the image source can serve this catalog: every column its file-name
// template names exists (else rm::Error naming the column and listing the catalog's columns), and the images
// of the first `sample` rows are not all missing (else one rm::Error naming the source, the template and the
// first file looked for). Sources that cannot tell without downloading (cutout services) pass the second
// check.
void checkImageSource(const ImageSource& source, const MiningInput& input, std::size_t sample = 20);

} // namespace rm
