#pragma once
// File names made from catalog columns: "{iauname}.jpg", "{id_str}.png", "{file}", and prefixes such as
// "{iauname[:4]}/{iauname}.png" (GZ DECaLS keeps its cutouts in folders named by the first 4 characters of
// the IAU name). "{{" and "}}" are literal braces.
#include <string>
#include <vector>

namespace rm {

struct GalaxyRef;

class FileNameTemplate
{
public:
    // Throws rm::Error for an unbalanced brace, an empty column name or a bad slice.
    explicit FileNameTemplate(std::string pattern);

    const std::string& pattern() const { return m_pattern; }
    std::vector<std::string> columns() const; // the column names the template uses

    // The relative path for one galaxy. Throws rm::Error naming the column and the galaxy when a column is
    // missing or blank, or when a value would climb out of the folder ("..") or is an absolute path.
    std::string expand(const GalaxyRef& galaxy) const;

private:
    struct Part
    {
        bool literal = true;
        std::string text; // the literal text, or the column name
        int begin = 0;    // slice [begin, end) of the value; end < 0 = to the end
        int end = -1;
    };
    std::string m_pattern;
    std::vector<Part> m_parts;
};

} // namespace rm
