#pragma once
// Checks the block structure of a FITS file before cfitsio opens it. cfitsio trusts the sizes in a header:
// a TFIELDS of 10^14 makes it calloc petabytes, and a lying NAXIS2 sends reads past the end. Walking the
// headers first (80-character cards in 2880-byte blocks) bounds every size by the file, so a damaged or
// hostile file is refused with the HDU and keyword at fault before anything is allocated from it.
#include <string>

namespace rm {

// Throws rm::InputError naming the file, the HDU (1-based) and the keyword when a header has no END card,
// a mandatory keyword is out of the standard's range (BITPIX, NAXIS <= 999, TFIELDS <= 999, GCOUNT >= 1)
// or the data the header describes does not fit in the file. Compressed files (gzip, bzip2, zip) are left
// to cfitsio.
void checkFitsStructure(const std::string& path);

} // namespace rm
