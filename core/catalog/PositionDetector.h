#pragma once
// Finds which columns of a catalog hold the sky position, and turns one row's cells into (ra, dec). Works on
// column names and cell text so that the CSV reader can run it before column types are known (bad rows must
// be found before type inference, or one bad cell would turn a numeric column into text).
#include "catalog/CatalogReader.h"

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace rm::detail {

// Up to max non-blank cells of column col, as text, from the start of the table.
using ColumnSampler = std::function<std::vector<std::string>(std::size_t col, std::size_t max)>;

struct DetectedPosition
{
    PositionColumns columns;
    int raIndex = -1;  // for IauName: the name column
    int decIndex = -1; // -1 for IauName
    std::string how;   // for people: which columns were chosen and why ("... the only RA/Dec-like pair ...")
};

// Applies the options, then the known column-name conventions in priority order, then any other pair of
// RA/Dec-like names (objra/objdec, ra_deg/dec_deg, ALPHA_J2000/DELTA_J2000, ...: the same name with an RA
// word where the other has a Dec word) whose sampled values are in range. Throws InputError naming the file
// and listing the columns when nothing fits (or returns raIndex -1 when requirePositions is false), when an
// option names a missing column, or when several such pairs fit (listing them, and asking for --ra/--dec).
DetectedPosition detectPosition(const std::string& file, const std::vector<std::string>& names,
                                const ColumnSampler& sample, const ImportOptions& options,
                                bool requirePositions = true);

// One cell as a reader holds it: blank, a number already decoded (FITS) or text.
struct PositionCell
{
    bool blank = true;
    bool isNumber = false;
    double number = 0;
    std::string_view text;

    static PositionCell ofText(std::string_view t);
    static PositionCell ofNumber(double v);
    static PositionCell ofBlank() { return {}; }
};

struct RowPosition
{
    bool ok = false;
    double ra = 0, dec = 0;
    std::string column; // the offending column when !ok
    std::string reason;
};

// Converts one row; for IauName only raCell is used. ok rows are finite and in range, ra in [0, 360).
RowPosition rowPosition(const DetectedPosition& where, const PositionCell& raCell,
                        const PositionCell& decCell);

} // namespace rm::detail
