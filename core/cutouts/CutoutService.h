#pragma once
// The cutout web services behind one description: the Legacy Surveys viewer
//   https://www.legacysurvey.org/viewer/cutout.jpg?ra=..&dec=..&layer=ls-dr10&pixscale=0.262&size=256
// and the SDSS SkyServer (DR17 by default)
//   https://skyserver.sdss.org/dr17/SkyServerWS/ImgCutout/getjpeg?ra=..&dec=..&scale=..&width=..&height=..
// A spec says which service and which parameters; it builds the request URL and the cache key, the folder
// name under which its downloads are kept (so two parameter sets never share a file).
//
// JSON form (stored in the project's image_sources table):
//   {"kind":"legacysurvey","layer":"ls-dr10","pixscale":0.262,"size":256}
//   {"kind":"sdss","layer":"dr17","pixscale":0.396,"size":256}
// plus "base_url" when the endpoint is not the public one (a mirror, or the tests' local server).
#include <nlohmann/json.hpp>

#include <string>

namespace rm {

struct CutoutServiceSpec
{
    std::string kind = "legacysurvey"; // legacysurvey | sdss
    std::string baseUrl;               // empty: the service's public endpoint (defaultBaseUrl)
    std::string layer = "ls-dr10";     // Legacy Surveys layer; for SDSS the data release ("dr17")
    double pixscale = 0.262;           // arcsec per pixel (SDSS calls it "scale")
    int size = 256;                    // pixels on a side (SDSS: width = height = size)

    // The defaults of a kind: layer ls-dr10 / dr17, pixscale 0.262 / 0.396 (each survey's native pixel).
    static CutoutServiceSpec defaults(const std::string& kind);
    // Missing keys take the kind's defaults. Throws rm::Error naming a bad kind, key or value.
    static CutoutServiceSpec fromJson(const nlohmann::json& spec);
    nlohmann::json toJson() const;

    // Throws rm::Error unless the kind is known and the values are usable in a URL and a folder name.
    void validate() const;
    std::string effectiveBaseUrl() const;
    // The request for one galaxy; ra is wrapped into [0, 360). Throws rm::Error for a non-finite position or
    // |dec| > 90.
    std::string url(double ra, double dec) const;
    // Source plus parameters, safe as a folder name: "legacysurvey_ls-dr10_0.262_256", "sdss_dr17_0.396_256".
    // The base URL is not part of it: a mirror serves the same images.
    std::string cacheKey() const;
};

bool isCutoutServiceKind(const std::string& kind);
std::string defaultBaseUrl(const std::string& kind, const std::string& layer);

// Where one galaxy's cutout lives under <cacheDir>/<cacheKey>/: "150/150.123456_+2.345678.jpg". Positions are
// written with six decimals (0.004 arcsec), in the C locale whatever the process locale; files are sharded
// into one folder per whole degree of RA so a million-galaxy cache is not one huge directory.
std::string cutoutRelativePath(double ra, double dec);

// A double in the C locale: fixed with `decimals` digits, or the shortest round-trip form when decimals < 0.
std::string formatNumber(double v, int decimals = -1);

} // namespace rm
