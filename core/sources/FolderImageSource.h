#pragma once
// Images in a local folder, found by a file-name template over catalog columns: GZ2 SDSS JPEGs by id
// ("{GalaxyID}.jpg"), GZ DECaLS PNG/JPEG by IAU name ("{iauname}.jpg", "{iauname[:4]}/{iauname}.png"), or a
// column that already holds the file name ("{file}"). JPEG and PNG of any size.
// Spec: {"kind":"folder","dir":"images/gzdecals","template":"{iauname}.jpg"}
#include "sources/TemplatedFileSource.h"

namespace rm {

class FolderImageSource : public TemplatedFileSource
{
public:
    FolderImageSource(std::string dir, std::string pattern);
    static std::unique_ptr<FolderImageSource> fromSpec(const nlohmann::json& spec,
                                                       const ImageSourceContext& ctx);

    std::string kind() const override { return "folder"; }
    nlohmann::json spec() const override;

protected:
    Image readFile(const std::string& path) const override;
    const char* fileKind() const override { return "image file"; }
};

} // namespace rm
