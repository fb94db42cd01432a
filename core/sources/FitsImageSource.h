#pragma once
// FITS cutouts: 2-D images (shown grey) or cubes with one plane per band (Legacy Surveys cutouts are g,r,z
// cubes with NAXIS3=3), turned into 8-bit RGB with the Lupton et al. (2004) asinh stretch.
// Spec: {"kind":"fits", "dir":.., "template":"{iauname}.fits", "bands":["g","r","z"], "rgb":["z","r","g"],
//        "scales":[1,1,1], "Q":8, "stretch":0.5, "minimum":0, "hdu":0}
//   bands    names of the cube's planes in file order (default: BAND0.. keywords, else g,r,z)
//   rgb      which band is shown as red, green, blue (default: the bands reversed, so the reddest band
//            listed last is red)
//   scales   multiplier per band, in "bands" order (or {"g":6.0,...})
//   Q, stretch, minimum   Lupton parameters; minimum may be one number per band
//   hdu      1-based HDU number; 0 = the first HDU holding an image
// Rows are flipped so north is up as in JPEG cutouts (FITS stores the bottom row first).
#include "imaging/LuptonStretch.h"
#include "sources/TemplatedFileSource.h"

#include <map>

namespace rm {

struct FitsStretchOptions
{
    std::vector<std::string> bands; // empty = from the header, else g,r,z
    std::vector<std::string> rgb;   // empty = bands reversed
    // Per band, either by name or in plane order; by name wins; neither = scale 1, minimum 0.
    std::map<std::string, double> scaleByBand;
    std::vector<double> scales;
    std::map<std::string, double> minimumByBand;
    std::vector<double> minimum;
    double Q = 8.0;
    double stretch = 0.5;
    int hdu = 0;
};

// Reads a FITS image file and stretches it to RGB. Throws ImageMissingError / ImageCorruptError naming the
// file.
Image readFitsImage(const std::string& path, const FitsStretchOptions& options);

class FitsImageSource : public TemplatedFileSource
{
public:
    FitsImageSource(std::string dir, std::string pattern, FitsStretchOptions options);
    static std::unique_ptr<FitsImageSource> fromSpec(const nlohmann::json& spec,
                                                     const ImageSourceContext& ctx);

    std::string kind() const override { return "fits"; }
    nlohmann::json spec() const override;

    const FitsStretchOptions& options() const { return m_options; }

protected:
    Image readFile(const std::string& path) const override;
    const char* fileKind() const override { return "FITS cutout"; }

private:
    FitsStretchOptions m_options;
};

} // namespace rm
