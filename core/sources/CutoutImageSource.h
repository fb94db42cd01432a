#pragma once
// A cutout service as an ImageSource: images are read from the download cache (<cacheDir>/<cacheKey>/...)
// that `ringminer-cli cutouts fetch` (CutoutFetcher) fills. Loading never touches the network, so training
// and browsing are fast and reproducible; a galaxy not yet downloaded is an ImageMissingError saying how to
// get it. Spec: {"kind":"legacysurvey","layer":"ls-dr10","pixscale":0.262,"size":256} (see CutoutService.h).
#include "cutouts/CutoutService.h"
#include "sources/ImageSource.h"

namespace rm {

class CutoutImageSource : public ImageSource
{
public:
    CutoutImageSource(CutoutServiceSpec spec, std::string cacheDir);
    // Throws rm::Error for a bad spec or when the context has no cache folder.
    static std::unique_ptr<CutoutImageSource> fromSpec(const nlohmann::json& spec,
                                                       const ImageSourceContext& ctx);

    std::string kind() const override { return m_spec.kind; }
    nlohmann::json spec() const override { return m_spec.toJson(); }
    Image load(const GalaxyRef& galaxy) const override;
    std::string locate(const GalaxyRef& galaxy) const override;
    ImagePresence probe(const GalaxyRef& galaxy) const override;

    const CutoutServiceSpec& serviceSpec() const { return m_spec; }

private:
    CutoutServiceSpec m_spec;
    std::string m_cacheDir;
};

// makeImageSource() knows the "legacysurvey" and "sdss" kinds from the start; this (idempotent) call puts
// them back after a test replaced them with registerImageSourceKind().
void registerCutoutImageSources();

} // namespace rm
