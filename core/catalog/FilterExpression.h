#pragma once
// The filter language of the catalog browser's filter bar and `ringminer-cli catalog show --where`, e.g.
// `z < 0.05 and OV != ''` or `(ring = 1 or name like 'NGC%') and not split = 'test'`, translated to a
// parameterised SQL WHERE clause (run by CatalogQuery, query/CatalogView.h).
//
// User text never reaches the SQL: every column name is checked against the source's columns and replaced by
// the SQL the source gives for it, and every number and string becomes a bound parameter. Anything else is a
// FilterError naming the offending token and where it is.
//
// Grammar (keywords case-insensitive):
//   expr       := term ('or' term)*
//   term       := factor ('and' factor)*
//   factor     := 'not' factor | '(' expr ')' | comparison
//   comparison := operand op operand | operand ['not'] 'like' operand | operand 'is' ['not'] 'null'
//   op         := = == != <> < <= > >=
//   operand    := column | `quoted column` | number | 'string' | "string"
// A blank cell is NULL in the store, and `col = ''` / `col != ''` treat it as the empty string, which is what
// an astronomer filtering VizieR tables means by "blank".
#include "util/Error.h"

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace rm {

// A value bound to one ?-placeholder.
using SqlParam = std::variant<std::int64_t, double, std::string>;

struct FilterColumn
{
    std::string name; // what the user types
    std::string sql;  // what it stands for in SQL (a quoted identifier or a table-qualified column)
};

struct CompiledFilter
{
    std::string where; // empty when the filter is empty
    std::vector<SqlParam> params;
    bool empty() const { return where.empty(); }
};

class FilterError : public Error
{
public:
    FilterError(const std::string& message, int position, std::string token)
        : Error(message), m_position(position), m_token(std::move(token))
    {
    }
    int position() const { return m_position; } // 1-based character position of the token
    const std::string& token() const { return m_token; }

private:
    int m_position;
    std::string m_token;
};

// Throws FilterError for anything that is not a well-formed filter over these columns.
CompiledFilter compileFilter(const std::string& text, const std::vector<FilterColumn>& columns);

} // namespace rm
