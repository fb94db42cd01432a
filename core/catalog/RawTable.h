#pragma once
// The cells of a text catalog as strings, before column types are known. Each column packs its cells into one
// character buffer with end offsets, so a million-row file costs about its own size plus 8 bytes a cell,
// instead of a std::string (32 bytes and often a heap block) per cell.
#include "catalog/CatalogReader.h"

#include <cstddef>
#include <cstdint>
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
    // Up to max non-blank (after trimming) cells of one column, for position detection.
    std::vector<std::string> sample(std::size_t col, std::size_t max) const;
};

// Infers each column's type over the rows with keep[row] != 0 and builds the typed table from them. Consumes
// raw column by column so that the peak memory is one column's worth above the raw cells.
Table buildTypedTable(RawTable& raw, const std::vector<std::uint8_t>& keep);

// Makes header names usable: blank names become "index" (first column, pandas' unnamed index) or "colN", and
// repeated names get a "_2", "_3" suffix so every column can be found by name.
std::vector<std::string> cleanColumnNames(std::vector<std::string> names);

// Names for a table without a header: "ra", "dec" for two columns (the usual bare position list), else
// col1..colN.
std::vector<std::string> defaultColumnNames(std::size_t count);

} // namespace rm::detail
