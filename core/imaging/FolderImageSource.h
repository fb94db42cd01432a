#pragma once
// Images in a local folder, found by a file-name template over catalog columns: GZ2 SDSS JPEGs by id
// ("{GalaxyID}.jpg"), GZ DECaLS PNG/JPEG by IAU name ("{iauname}.jpg", "{iauname[:4]}/{iauname}.png"), or a
// column that already holds the file name ("{file}"). JPEG and PNG of any size.
// Spec: {"kind":"folder","dir":"images/gzdecals","template":"{iauname}.jpg"}
#include "imaging/FileNameTemplate.h"
#include "imaging/ImageSource.h"

namespace rm {

class FolderImageSource : public ImageSource
{
public:
    FolderImageSource(std::string dir, std::string pattern);
    static std::unique_ptr<FolderImageSource> fromSpec(const nlohmann::json& spec,
                                                       const ImageSourceContext& ctx);

    std::string kind() const override { return "folder"; }
    nlohmann::json spec() const override;
    Image load(const GalaxyRef& galaxy) const override;
    std::string locate(const GalaxyRef& galaxy) const override;
    ImagePresence probe(const GalaxyRef& galaxy) const override;

    const std::string& dir() const { return m_dir; }

private:
    std::string m_dir;
    FileNameTemplate m_template;
};

// A spec's "dir", resolved against the context's base folder when relative. Throws rm::Error when absent.
std::string resolveSpecDir(const nlohmann::json& spec, const ImageSourceContext& ctx);
// A spec's "template" (string). Throws rm::Error when absent.
std::string specTemplate(const nlohmann::json& spec);

} // namespace rm
