#include "cutouts/CutoutService.h"

#include "util/Error.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <regex>

namespace rm {

namespace {

// Layers and releases go into URLs and folder names unescaped, so only plain characters are allowed.
bool plainName(const std::string& s)
{
    if (s.empty() || s.size() > 64 || s == "." || s == "..") return false;
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
    return true;
}

double wrapRa(double ra)
{
    double r = std::fmod(ra, 360.0);
    if (r < 0) r += 360.0;
    // fmod of a tiny negative number can round to exactly 360.
    return r >= 360.0 ? 0.0 : r;
}

void checkPosition(double ra, double dec)
{
    if (!std::isfinite(ra) || !std::isfinite(dec))
        throw Error("cutout position is not a number (ra " + formatNumber(ra) + ", dec " + formatNumber(dec) +
                    ")");
    if (dec < -90.0 || dec > 90.0) throw Error("cutout position has |dec| > 90: dec " + formatNumber(dec));
}

} // namespace

std::string formatNumber(double v, int decimals)
{
    if (!std::isfinite(v)) return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
    char buf[64];
    auto r = decimals < 0 ? std::to_chars(buf, buf + sizeof buf, v)
                          : std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
    std::string s(buf, r.ptr);
    if (s == "-0" || (s.size() > 1 && s[0] == '-' && s.find_first_not_of("-0.") == std::string::npos))
        s.erase(0, 1); // no "-0.000000" in URLs and file names
    return s;
}

bool isCutoutServiceKind(const std::string& kind)
{
    return kind == "legacysurvey" || kind == "sdss";
}

std::string defaultBaseUrl(const std::string& kind, const std::string& layer)
{
    if (kind == "legacysurvey") return "https://www.legacysurvey.org/viewer/cutout.jpg";
    if (kind == "sdss") return "https://skyserver.sdss.org/" + layer + "/SkyServerWS/ImgCutout/getjpeg";
    throw Error("unknown cutout service '" + kind + "' (known: legacysurvey, sdss)");
}

CutoutServiceSpec CutoutServiceSpec::defaults(const std::string& kind)
{
    CutoutServiceSpec s;
    s.kind = kind;
    if (kind == "sdss") {
        s.layer = "dr17";
        s.pixscale = 0.396;
    } else if (kind != "legacysurvey") {
        throw Error("unknown cutout service '" + kind + "' (known: legacysurvey, sdss)");
    }
    return s;
}

CutoutServiceSpec CutoutServiceSpec::fromJson(const nlohmann::json& j)
{
    if (!j.is_object()) throw Error("cutout service spec must be a JSON object, got: " + j.dump());
    auto kindIt = j.find("kind");
    if (kindIt == j.end() || !kindIt->is_string())
        throw Error("cutout service spec has no \"kind\" (legacysurvey or sdss): " + j.dump());
    CutoutServiceSpec s = defaults(kindIt->get<std::string>());
    try {
        if (j.contains("base_url")) s.baseUrl = j.at("base_url").get<std::string>();
        if (j.contains("layer")) s.layer = j.at("layer").get<std::string>();
        if (j.contains("pixscale")) s.pixscale = j.at("pixscale").get<double>();
        if (j.contains("size")) s.size = j.at("size").get<int>();
    } catch (const nlohmann::json::exception& e) {
        throw Error("cutout service spec has a value of the wrong type (" + std::string(e.what()) +
                    "): " + j.dump());
    }
    s.validate();
    return s;
}

nlohmann::json CutoutServiceSpec::toJson() const
{
    nlohmann::json j = {{"kind", kind}, {"layer", layer}, {"pixscale", pixscale}, {"size", size}};
    if (!baseUrl.empty()) j["base_url"] = baseUrl;
    return j;
}

void CutoutServiceSpec::validate() const
{
    if (!isCutoutServiceKind(kind))
        throw Error("unknown cutout service '" + kind + "' (known: legacysurvey, sdss)");
    if (!plainName(layer))
        throw Error("cutout layer '" + layer +
                    "' must be letters, digits, '-', '_' or '.' (e.g. ls-dr10, dr17)");
    if (kind == "sdss" && !std::regex_match(layer, std::regex("dr[0-9]+")))
        throw Error("SDSS layer '" + layer + "' must name a data release such as dr17");
    if (!(pixscale > 0.0 && pixscale <= 60.0))
        throw Error("cutout pixscale must be in (0, 60] arcsec/pixel, got " + formatNumber(pixscale));
    // The services' own limits: the Legacy Surveys viewer serves up to 512 px JPEG cutouts, SkyServer 2048.
    const int maxSize = kind == "sdss" ? 2048 : 512;
    if (size < 1 || size > maxSize)
        throw Error("cutout size must be 1.." + std::to_string(maxSize) + " pixels for " + kind + ", got " +
                    std::to_string(size));
    if (!baseUrl.empty() && baseUrl.rfind("http://", 0) != 0 && baseUrl.rfind("https://", 0) != 0)
        throw Error("cutout base URL must start with http:// or https://, got '" + baseUrl + "'");
}

std::string CutoutServiceSpec::effectiveBaseUrl() const
{
    return baseUrl.empty() ? defaultBaseUrl(kind, layer) : baseUrl;
}

std::string CutoutServiceSpec::url(double ra, double dec) const
{
    checkPosition(ra, dec);
    const std::string base = effectiveBaseUrl();
    std::string u = base + (base.find('?') == std::string::npos ? "?" : "&");
    u += "ra=" + formatNumber(wrapRa(ra), 6) + "&dec=" + formatNumber(dec, 6);
    if (kind == "sdss") {
        const std::string n = std::to_string(size);
        u += "&scale=" + formatNumber(pixscale) + "&width=" + n + "&height=" + n;
    } else {
        u += "&layer=" + layer + "&pixscale=" + formatNumber(pixscale) + "&size=" + std::to_string(size);
    }
    return u;
}

std::string CutoutServiceSpec::cacheKey() const
{
    return kind + "_" + layer + "_" + formatNumber(pixscale) + "_" + std::to_string(size);
}

std::string cutoutRelativePath(double ra, double dec)
{
    checkPosition(ra, dec);
    const double r = wrapRa(ra);
    std::string ras = formatNumber(r, 6), decs = formatNumber(dec, 6);
    // Rounding to six decimals can carry 359.9999996 up to 360.000000: that is RA 0.
    if (ras == "360.000000") ras = "0.000000";
    if (decs[0] != '-') decs = "+" + decs;
    char shard[8];
    std::snprintf(shard, sizeof shard, "%03d", std::stoi(ras) % 360);
    return std::string(shard) + "/" + ras + "_" + decs + ".jpg";
}

} // namespace rm
