#include "mining/ContactSheet.h"

#include "util/Error.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace rm {

std::vector<std::size_t> topCandidateRows(const CandidateTable& table, std::size_t n)
{
    std::vector<std::size_t> rows;
    for (std::size_t i = 0; i < table.size(); ++i)
        if (table.error[i].empty() && std::isfinite(table.pRing[i])) rows.push_back(i);
    const std::size_t keep = std::min(n, rows.size());
    std::partial_sort(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(keep), rows.end(),
                      [&](std::size_t a, std::size_t b) {
                          if (table.pRing[a] != table.pRing[b]) return table.pRing[a] > table.pRing[b];
                          return a < b;
                      });
    rows.resize(keep);
    return rows;
}

void captionTile(ContactSheetTile& tile, const CandidateTable& table, std::size_t row, std::size_t rank)
{
    tile.title = "#" + std::to_string(rank) + " " + table.id[row];
    tile.isRing = table.isRing[row] != 0;
    tile.known = table.knownRing[row] != 0;
    char p[64];
    std::snprintf(p, sizeof p, "p %.3f", static_cast<double>(table.pRing[row]));
    std::string detail = p;
    if (table.tta && std::isfinite(table.pRingStd[row])) {
        std::snprintf(p, sizeof p, " +-%.3f", static_cast<double>(table.pRingStd[row]));
        detail += p;
    }
    if (tile.known)
        detail += "  KNOWN " + table.knownCatalog[row];
    else
        detail += tile.isRing ? "  NEW" : "  below thr";
    tile.detail = detail;
}

#ifndef RINGMINER_HAVE_OPENCV
void writeContactSheet(const std::string& path, const std::vector<ContactSheetTile>&,
                       const ContactSheetOptions&)
{
    throw Error("cannot write the contact sheet " + path +
                ": this build of RingMiner has no OpenCV to draw and encode images");
}
#endif

} // namespace rm
