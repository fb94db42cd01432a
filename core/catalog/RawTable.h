#pragma once
// The cells of a text catalog as strings, before column types are known. Each column packs its cells into one
// character buffer with end offsets, so a million-row file costs about its own size plus 8 bytes a cell,
// instead of a std::string (32 bytes and often a heap block) per cell.
#include "catalog/CatalogReader.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rm::detail {

class RawColumn
{
public:
    std::size_t size() const { return m_ends.size(); }
    std::string_view cell(std::size_t row) const
    {
        const std::uint64_t begin = row ? m_ends[row - 1] : 0;
        return std::string_view(m_chars.data() + begin, m_ends[row] - begin);
    }
    void append(std::string_view cell)
    {
        m_chars.append(cell.data(), cell.size());
        m_ends.push_back(m_chars.size());
    }
    void dropLast() // undoes the last append (a row that turned out malformed)
    {
        m_ends.pop_back();
        m_chars.resize(m_ends.empty() ? 0 : m_ends.back());
    }
    void release() // frees the memory once the column has been converted
    {
        std::string().swap(m_chars);
        std::vector<std::uint64_t>().swap(m_ends);
    }
    void clear() // empties the column, keeping its buffers for the next chunk of rows
    {
        m_chars.clear();
        m_ends.clear();
    }

private:
    std::string m_chars;
    std::vector<std::uint64_t> m_ends;
};

struct RawTable
{
    std::vector<std::string> names;
    std::vector<RawColumn> columns;
    std::vector<std::size_t> sourceRow; // 1-based data row in the file of every stored row
    std::vector<ImportIssue> issues;    // rows that could not be stored at all (wrong number of fields)

    std::size_t rowCount() const { return sourceRow.size(); }
    void clearRows(); // drops the rows and issues, keeping the names and the columns' buffers
    // Up to max non-blank (after trimming) cells of one column, for position detection.
    std::vector<std::string> sample(std::size_t col, std::size_t max) const;
};

// A text catalog read a chunk of rows at a time (CSV, whitespace): the header is read on construction.
class TextChunkReader
{
public:
    virtual ~TextChunkReader() = default;
    const std::vector<std::string>& names() const { return m_names; }
    // Reads up to maxRows more data rows into chunk (its rows cleared first; names and columns set). Rows
    // with the wrong number of fields go to chunk.issues instead (under BadRowPolicy::Abort reading ends
    // after the first). False when there was nothing left to read.
    virtual bool next(RawTable& chunk, std::size_t maxRows) = 0;
    std::size_t rowsRead() const { return m_row; } // data rows read so far, bad ones included
    virtual std::size_t bytesRead() const = 0;     // how far into the text the reader is

protected:
    void prepare(RawTable& chunk) const
    {
        if (chunk.columns.size() != m_names.size()) {
            chunk.columns.clear();
            chunk.columns.resize(m_names.size());
        }
        chunk.names = m_names;
        chunk.clearRows();
    }
    std::vector<std::string> m_names;
    std::size_t m_row = 0;
    bool m_done = false;
};

// Infers each column's type over the rows with keep[row] != 0 and builds the typed table from them. Consumes
// raw column by column so that the peak memory is one column's worth above the raw cells.
Table buildTypedTable(RawTable& raw, const std::vector<std::uint8_t>& keep);

// What the kept cells of one column looked like so far, over every chunk read: the column's type follows
// from it exactly as buildTypedTable decides it over the whole file (Integer while every cell is an int64,
// Real once a cell is only a double, Text once a cell is neither or identifier-like cells come without
// reals).
struct ColumnShapes
{
    bool anyReal = false, anyIdentifier = false, anyText = false;
    ColumnType type() const;
};

// Adds the kept cells of every column of raw to shapes (one per column).
void classifyColumns(const RawTable& raw, const std::vector<std::uint8_t>& keep,
                     std::vector<ColumnShapes>& shapes);

// A chunk of rows as typed columns of the given types, adding its cells to shapes as it goes. Returns false
// (and a table that must not be used) as soon as a cell does not fit its column's type, i.e. when shapes
// now ask for a wider type than types says.
bool typedChunk(const RawTable& raw, const std::vector<std::uint8_t>& keep,
                const std::vector<ColumnType>& types, std::vector<ColumnShapes>& shapes, Table& out);

// Makes header names usable: blank names become "index" (first column, pandas' unnamed index) or "colN", and
// repeated names get a "_2", "_3" suffix so every column can be found by name.
std::vector<std::string> cleanColumnNames(std::vector<std::string> names);

// Names for a table without a header: "ra", "dec" for two columns (the usual bare position list), else
// col1..colN.
std::vector<std::string> defaultColumnNames(std::size_t count);

} // namespace rm::detail
