#include "sources/FolderImageSource.h"

#include "imaging/ImageDecode.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace rm {

FolderImageSource::FolderImageSource(std::string dir, std::string pattern)
    : TemplatedFileSource(std::move(dir), std::move(pattern))
{
}

std::unique_ptr<FolderImageSource> FolderImageSource::fromSpec(const nlohmann::json& spec,
                                                               const ImageSourceContext& ctx)
{
    return std::make_unique<FolderImageSource>(resolveSpecDir(spec, ctx), specTemplate(spec));
}

nlohmann::json FolderImageSource::spec() const
{
    return {{"kind", "folder"}, {"dir", dir()}, {"template", pattern()}};
}

Image FolderImageSource::readFile(const std::string& path) const
{
    return decodeImageFile(path);
}

} // namespace rm
