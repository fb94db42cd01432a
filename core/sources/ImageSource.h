#pragma once
// Where a catalog's images come from, behind one interface: a local folder of JPEG/PNG files, a folder of
// FITS cutouts, or (registered by core/cutouts/CutoutService) a cutout web service. Each source is described
// by a JSON spec, stored per catalog in the project's image_sources table.
//
// load() throws ImageMissingError when the galaxy has no image (no file, template names a blank column) and
// ImageCorruptError when there is a file but it is not a usable image (HTML error page, truncated JPEG); both
// name the file. load() must be safe to call from several threads at once.
#include "imaging/Image.h"
#include "sources/GalaxyRef.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace rm {

enum class ImagePresence
{
    Present,
    Missing,
    Unknown
};

class ImageSource
{
public:
    virtual ~ImageSource() = default;

    virtual std::string kind() const = 0;
    // The spec this source was made from, with defaults filled in (what gets stored back).
    virtual nlohmann::json spec() const = 0;
    // The galaxy's image as 8-bit RGB (or grey) pixels, top row first.
    virtual Image load(const GalaxyRef& galaxy) const = 0;
    // The file the image is read from (or would be cached at); empty when the source has no files.
    virtual std::string locate(const GalaxyRef& galaxy) const = 0;
    // A cheap check without decoding: does the file exist? Unknown for sources that must ask a server.
    virtual ImagePresence probe(const GalaxyRef& galaxy) const = 0;
};

// What a spec's relative paths are relative to and where downloads may be cached.
struct ImageSourceContext
{
    std::string baseDir;  // relative "dir" values are taken relative to this (e.g. the project's folder)
    std::string cacheDir; // for service kinds: where downloaded cutouts live (e.g. <project>.files/cutouts)
};

using ImageSourceMaker = std::function<std::unique_ptr<ImageSource>(const nlohmann::json& spec,
                                                                    const ImageSourceContext& context)>;

// Adds a kind to the factory; the cutout-service kinds ("legacysurvey", "sdss") are registered this way by
// core/cutouts/CutoutService. Registering an existing name replaces it.
void registerImageSourceKind(const std::string& kind, ImageSourceMaker maker);
std::vector<std::string> imageSourceKinds();

// Makes the source a spec describes: {"kind":"folder",...}, {"kind":"fits",...} or a registered kind. Throws
// rm::Error naming the problem (unknown kind, with the known ones; missing "dir"; bad template).
std::unique_ptr<ImageSource> makeImageSource(const nlohmann::json& spec,
                                             const ImageSourceContext& context = {});
std::unique_ptr<ImageSource> makeImageSource(const std::string& specJson,
                                             const ImageSourceContext& context = {});

} // namespace rm
