#pragma once
// A contact sheet of a mining run's top candidates: the N highest p_ring rows of the candidate catalog, each
// image as a tile in a grid, captioned with its rank, id and p_ring and framed by what it is (a new candidate
// above the threshold, a known ring, or below the threshold). `ringminer-cli mine --contact-sheet N` writes
// it beside rings.csv, so anyone can look at what a run calls a ring without opening the workbench. Drawing
// needs OpenCV (ContactSheet_cv.cpp); a build without it throws rm::Error from writeContactSheet.
#include "imaging/Image.h"
#include "mining/CandidateCatalog.h"

#include <cstddef>
#include <string>
#include <vector>

namespace rm {

struct ContactSheetTile
{
    Image image;        // RGB or grey; empty when the image could not be loaded (then `error` says why)
    std::string title;  // "#1 J101230.12+020304.5"
    std::string detail; // "p 0.973  NEW"
    bool isRing = false;
    bool known = false;
    std::string error;
};

struct ContactSheetOptions
{
    int columns = 0;     // 0 = about 4:3 for the tile count
    int tileSize = 160;  // px, the image's longer side
    std::string heading; // one line above the grid ("" = none)
};

// The rows of `table` with the n highest p_ring (rows not scored are never picked), highest first; equal
// scores keep file order.
std::vector<std::size_t> topCandidateRows(const CandidateTable& table, std::size_t n);

// Caption text for row `row` of the table at rank `rank` (1-based), filled into tile.title / tile.detail.
void captionTile(ContactSheetTile& tile, const CandidateTable& table, std::size_t row, std::size_t rank);

// Lays the tiles out in a grid and writes it (PNG, or JPEG by the file's extension) via a temp file renamed
// into place. Throws rm::Error when there are no tiles, or the build has no OpenCV.
void writeContactSheet(const std::string& path, const std::vector<ContactSheetTile>& tiles,
                       const ContactSheetOptions& options = {});

} // namespace rm
