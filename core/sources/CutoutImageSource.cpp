#include "sources/CutoutImageSource.h"

#include "imaging/ImageDecode.h"
#include "imaging/ImageErrors.h"

#include <filesystem>
#include <mutex>

namespace fs = std::filesystem;

namespace rm {

CutoutImageSource::CutoutImageSource(CutoutServiceSpec spec, std::string cacheDir)
    : m_spec(std::move(spec)), m_cacheDir(std::move(cacheDir))
{
    m_spec.validate();
    if (m_cacheDir.empty())
        throw Error("image source '" + m_spec.kind +
                    "' needs a cache folder (a project's <project>.files/cutouts)");
}

std::unique_ptr<CutoutImageSource> CutoutImageSource::fromSpec(const nlohmann::json& spec,
                                                               const ImageSourceContext& ctx)
{
    return std::make_unique<CutoutImageSource>(CutoutServiceSpec::fromJson(spec), ctx.cacheDir);
}

std::string CutoutImageSource::locate(const GalaxyRef& galaxy) const
{
    return (fs::path(m_cacheDir) / m_spec.cacheKey() / cutoutRelativePath(galaxy.ra, galaxy.dec)).string();
}

ImagePresence CutoutImageSource::probe(const GalaxyRef& galaxy) const
{
    std::string path;
    try {
        path = locate(galaxy);
    } catch (const Error&) {
        return ImagePresence::Missing; // no usable position: nothing can ever be fetched for it
    }
    std::error_code ec;
    return fs::is_regular_file(path, ec) ? ImagePresence::Present : ImagePresence::Missing;
}

Image CutoutImageSource::load(const GalaxyRef& galaxy) const
{
    std::string path;
    try {
        path = locate(galaxy);
    } catch (const Error& e) {
        throw ImageMissingError(m_cacheDir, galaxy.describe() + ": " + e.what());
    }
    try {
        return decodeImageFile(path);
    } catch (const ImageMissingError&) {
        throw ImageMissingError(path, galaxy.describe() + " has no " + m_spec.cacheKey() +
                                          " cutout yet (run: ringminer-cli cutouts fetch)");
    }
}

void registerCutoutImageSources()
{
    static std::once_flag once;
    std::call_once(once, [] {
        for (const char* kind : {"legacysurvey", "sdss"})
            registerImageSourceKind(kind, [](const nlohmann::json& spec, const ImageSourceContext& ctx) {
                return std::unique_ptr<ImageSource>(CutoutImageSource::fromSpec(spec, ctx));
            });
    });
}

} // namespace rm
