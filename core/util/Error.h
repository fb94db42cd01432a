#pragma once
// Errors in core are exceptions that carry where things went wrong; the UI and the CLI turn them into
// messages.
#include <cstddef>
#include <stdexcept>
#include <string>

namespace rm {

class Error : public std::runtime_error
{
public:
    explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// A problem in an input file, located as precisely as the reader knows it. row and column are 1-based data
// row numbers (the header is not counted) and column names; 0 / empty when not applicable.
class InputError : public Error
{
public:
    InputError(std::string file, std::size_t row, std::string column, std::string reason);

    const std::string& file() const { return m_file; }
    std::size_t row() const { return m_row; }
    const std::string& column() const { return m_column; }
    const std::string& reason() const { return m_reason; }

private:
    std::string m_file;
    std::size_t m_row;
    std::string m_column;
    std::string m_reason;
};

// Formats "file, row R, column 'C': reason" leaving out what is unknown.
std::string describeLocation(const std::string& file, std::size_t row, const std::string& column);

} // namespace rm
