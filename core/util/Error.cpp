#include "util/Error.h"

namespace rm {

std::string describeLocation(const std::string& file, std::size_t row, const std::string& column)
{
    std::string where = file.empty() ? std::string("<input>") : file;
    if (row > 0) where += ", row " + std::to_string(row);
    if (!column.empty()) where += ", column '" + column + "'";
    return where;
}

InputError::InputError(std::string file, std::size_t row, std::string column, std::string reason)
    : Error(describeLocation(file, row, column) + ": " + reason), m_file(std::move(file)), m_row(row),
      m_column(std::move(column)), m_reason(std::move(reason))
{
}

} // namespace rm
