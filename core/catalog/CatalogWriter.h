#pragma once
// Writes a typed Table as CSV, a FITS binary table (cfitsio) or a VOTable (TABLEDATA, through libxml2's
// xmlTextWriter), so catalogs and target sets leave a project in the formats they came in.
#include "catalog/Table.h"

#include <string>
#include <vector>

namespace rm {

enum class ExportFormat
{
    Csv,
    Fits,
    VoTable
};

const char* exportFormatName(ExportFormat f);
// By extension: .csv, .fits/.fit/.fts, .vot/.votable/.xml. Throws rm::Error naming the known ones.
ExportFormat exportFormatForPath(const std::string& path);

struct ExportTable
{
    std::string name;        // the TABLE name (VOTable) or EXTNAME (FITS)
    std::string description; // VOTable DESCRIPTION; empty = none
    Table table;
    std::vector<std::string> ucds; // one per column ("" = none); only VOTable keeps them
};

// Writes to a temporary file beside path and renames it over path, so a failed export never leaves a
// half-written file. Integers with blanks get a null value no row uses (VOTable VALUES null, FITS TNULLn);
// blank reals are an empty TD (VOTable), NaN (FITS) or an empty field (CSV); reals are written with 17
// significant digits so they read back exactly. Throws rm::Error naming the file when it cannot be written.
void writeTable(const std::string& path, const ExportTable& table, ExportFormat format);

} // namespace rm
