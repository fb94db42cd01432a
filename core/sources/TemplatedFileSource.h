#pragma once
// What every "files in a folder, named by a template over catalog columns" image source shares: where a
// galaxy's file is, whether it is there, and the error that names the template and folder when it is not.
// Subclasses only say how a file is read (JPEG/PNG decode, FITS stretch) and what the file is called in
// messages.
#include "sources/FileNameTemplate.h"
#include "sources/ImageSource.h"

namespace rm {

class TemplatedFileSource : public ImageSource
{
public:
    TemplatedFileSource(std::string dir, std::string pattern);

    Image load(const GalaxyRef& galaxy) const final;
    std::string locate(const GalaxyRef& galaxy) const final;
    ImagePresence probe(const GalaxyRef& galaxy) const final;

    const std::string& dir() const { return m_dir; }
    const std::string& pattern() const { return m_template.pattern(); }

protected:
    // Reads one file; throws ImageMissingError / ImageCorruptError naming it.
    virtual Image readFile(const std::string& path) const = 0;
    // What a file is called in "no <fileKind> for <galaxy>" ("image file", "FITS cutout").
    virtual const char* fileKind() const = 0;

private:
    std::string m_dir;
    FileNameTemplate m_template;
};

// A spec's "dir", resolved against the context's base folder when relative. Throws rm::Error when absent.
std::string resolveSpecDir(const nlohmann::json& spec, const ImageSourceContext& ctx);
// A spec's "template" (string). Throws rm::Error when absent.
std::string specTemplate(const nlohmann::json& spec);

} // namespace rm
