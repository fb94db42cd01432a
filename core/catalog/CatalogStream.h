#pragma once
// Reading a catalog a chunk of rows at a time, for imports that must not hold the whole table: a text catalog
// (CSV, whitespace) of ten million rows is parsed and handed on 64k rows at a time, so the memory it takes is
// flat in the row count. The schema (names, types) and the position columns are decided from the first chunk
// with the same rules and messages as importCatalog; bad rows are checked in file order as they come.
#include "catalog/CatalogReader.h"

#include <cstddef>

namespace rm {

// Rows read in one chunk of a streamed import.
constexpr std::size_t kImportChunkRows = 65536;

// Receives a streamed catalog. begin() comes first, once the columns, their types and the position columns
// are known; then rows() once per chunk, in file order. If a later chunk holds a cell that the type chosen
// from the first rows cannot store (a word in a column of numbers), begin() is called again with the types of
// the whole file and every row follows again from the start: the sink must drop what it stored since the
// first begin(). Anything a sink throws ends the import.
class CatalogSink
{
public:
    virtual ~CatalogSink() = default;
    // head: path, format, position, positionNote, notes, and table with every column (types, units) and no
    // rows.
    virtual void begin(const ImportedCatalog& head) = 0;
    // chunk: table, ra, dec and sourceRow of the rows kept from one chunk (moved from, if the sink likes).
    virtual void rows(ImportedCatalog& chunk) = 0;
};

// Reads path into sink. Returns the import's summary: everything importCatalog returns except the rows
// (table has the columns and no rows; ra, dec and sourceRow are empty). Throws as importCatalog does, at the
// row where the problem is, after the chunks before it were handed to the sink; the caller's transaction
// must then roll back. CSV and whitespace text are streamed (parsing the next chunk on a second thread while
// the sink stores the last one); FITS and VOTable tables are read whole, then handed on as one chunk.
// options.progress is called on the calling thread with (rows read, 0) after each chunk.
ImportedCatalog streamCatalog(const std::string& path, const ImportOptions& options, CatalogSink& sink);

} // namespace rm
