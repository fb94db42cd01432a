// The catalog browser's filter language: whatever the user types must compile to parameterised SQL or be
// refused with a FilterError pointing at the token; never a crash, never user text inside the SQL.
#include "FuzzSupport.h"

#include "catalog/FilterExpression.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const std::vector<rm::FilterColumn> columns = {
        {"ra", "\"ra\""},        {"dec", "\"dec\""},     {"z", "\"z\""},
        {"OV", "\"OV\""},        {"Names", "\"Names\""}, {"ring score", "\"ring score\""},
        {"label", "l.\"label\""}};
    const std::string text = rm::fuzz::asString(data, size);
    try {
        const auto filter = rm::compileFilter(text, columns);
        // User text reaches SQLite only as bound parameters: a quote or semicolon in the compiled text can
        // come from the column list alone.
        if (filter.where.find(';') != std::string::npos) __builtin_trap();
    } catch (const rm::FilterError& e) {
        if (e.position() < 0 || static_cast<std::size_t>(e.position()) > text.size() + 1) __builtin_trap();
    } catch (const rm::Error&) {
    }
    return 0;
}
