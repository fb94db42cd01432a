#pragma once
// IVOA VOTable (1.1 to 1.4) into a typed Table through libxml2's streaming reader: the TABLEDATA, BINARY and
// BINARY2 serialisations (base64 STREAM). Scalar columns and character strings only: numeric and bit arrays
// and complex fields have no place in a flat catalog table and are left out with a note, as the FITS reader
// does.
#include "catalog/CatalogReader.h"

#include <string>
#include <string_view>
#include <vector>

namespace rm::detail {

struct VoTable
{
    Table table;                     // every row of the chosen TABLE; Column::unit from FIELD unit
    std::vector<std::string> ucds;   // FIELD ucd of every column of table
    std::vector<std::string> notes;  // fields that could not be kept, with why
    std::vector<ImportIssue> issues; // cells that could not be decoded; row 1-based, sorted
};

// True for .vot, .votable and .xml names (any case).
bool hasVoTableExtension(const std::string& path);
// True when the text starts (after a byte-order mark, blanks and an XML declaration or comments) with a
// <VOTABLE element.
bool looksLikeVoTable(std::string_view content);

// Reads the TABLE chosen by options.fitsHdu (0 = the first, N = the N-th TABLE of the document). Types come
// from FIELD datatype: boolean and scalar bit -> integer 0/1, unsignedByte/short/int/long -> integer,
// float/double -> real, char/unicodeChar -> text. Nulls: VALUES null="..." for integers, NaN for floats, '?'
// for booleans, empty cells and BINARY2 null flags for everything. Throws InputError naming the file and the
// place (line, element) for malformed XML, a document that is not a VOTable, an unsupported serialisation
// (FITS, an external href, an encoding other than base64) or a truncated STREAM.
VoTable readVoTable(const std::string& path, const ImportOptions& options);

} // namespace rm::detail
