#include "sources/FitsImageSource.h"

#include "imaging/ImageErrors.h"
#include "util/FitsStructure.h"

#include <fitsio.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <mutex>

namespace fs = std::filesystem;

namespace rm {

namespace {

std::string fitsMessage(int status)
{
    char text[FLEN_STATUS] = {0};
    fits_get_errstatus(status, text);
    std::string msg = text;
    char detail[FLEN_ERRMSG];
    while (fits_read_errmsg(detail))
        msg += std::string("; ") + detail; // also empties cfitsio's message stack
    return msg + " (cfitsio status " + std::to_string(status) + ")";
}

// cfitsio keeps global state unless it was built reentrant; then every call must be serialised.
std::mutex& fitsMutex()
{
    static std::mutex m;
    return m;
}

struct FitsFile
{
    fitsfile* f = nullptr;
    ~FitsFile()
    {
        int status = 0;
        if (f) fits_close_file(f, &status);
    }
};

std::vector<std::string> headerBands(fitsfile* f, int planes)
{
    std::vector<std::string> bands;
    for (int i = 0; i < planes; ++i) {
        char value[FLEN_VALUE] = {0};
        int status = 0;
        std::string key = "BAND" + std::to_string(i);
        if (fits_read_key(f, TSTRING, key.c_str(), value, nullptr, &status) != 0) return {};
        bands.emplace_back(value);
    }
    return bands;
}

double perBand(const std::map<std::string, double>& byName, const std::vector<double>& byIndex,
               const std::string& band, std::size_t index, double fallback)
{
    auto it = byName.find(band);
    if (it != byName.end()) return it->second;
    return index < byIndex.size() ? byIndex[index] : fallback;
}

std::string joined(const std::vector<std::string>& v)
{
    std::string s;
    for (const auto& x : v)
        s += (s.empty() ? "" : ",") + x;
    return s;
}

struct FitsPlanes
{
    long width = 0, height = 0, planes = 0;
    std::vector<std::string> bands;
    std::vector<float> data; // planes * height * width, FITS order (bottom row first)
};

FitsPlanes readFitsPlanes(const std::string& path, const FitsStretchOptions& options)
{
    // The lock is declared before the file so the file is closed while the lock is still held.
    std::unique_lock<std::mutex> lock(fitsMutex(), std::defer_lock);
    if (!fits_is_reentrant()) lock.lock();
    try {
        checkFitsStructure(path);
    } catch (const InputError& e) {
        throw ImageCorruptError(path, e.reason());
    }
    FitsFile file;
    int status = 0;
    // The disk-file variant does not parse CFITSIO's extended syntax, so names with brackets are taken
    // literally.
    if (fits_open_diskfile(&file.f, path.c_str(), READONLY, &status))
        throw ImageCorruptError(path, "not a readable FITS file: " + fitsMessage(status));

    int hduCount = 0;
    fits_get_num_hdus(file.f, &hduCount, &status);
    int naxis = 0;
    long naxes[3] = {1, 1, 1};
    bool found = false;
    for (int h = options.hdu > 0 ? options.hdu : 1; h <= hduCount && !found && !status; ++h) {
        int type = 0;
        if (fits_movabs_hdu(file.f, h, &type, &status)) break;
        if (type == IMAGE_HDU) {
            fits_get_img_dim(file.f, &naxis, &status);
            if (naxis >= 2 && naxis <= 3 && !fits_get_img_size(file.f, 3, naxes, &status)) found = true;
        }
        if (options.hdu > 0) break; // an explicit HDU: that one or nothing
    }
    if (status) throw ImageCorruptError(path, "cannot read FITS image: " + fitsMessage(status));
    if (!found)
        throw ImageCorruptError(path, options.hdu > 0 ? "HDU " + std::to_string(options.hdu) +
                                                            " is not a 2-D image or a 3-D cube"
                                                      : "holds no 2-D image or 3-D cube");
    FitsPlanes out;
    out.width = naxes[0];
    out.height = naxes[1];
    out.planes = naxis == 3 ? naxes[2] : 1;
    if (out.width <= 0 || out.height <= 0 || out.planes <= 0 || out.width > 32768 || out.height > 32768 ||
        out.planes > 64)
        throw ImageCorruptError(path, "unusable image size " + std::to_string(out.width) + "x" +
                                          std::to_string(out.height) + "x" + std::to_string(out.planes));
    out.bands = options.bands;
    if (out.planes > 1) {
        if (out.bands.empty()) out.bands = headerBands(file.f, static_cast<int>(out.planes));
        if (out.bands.empty() && out.planes == 3) out.bands = {"g", "r", "z"};
        if (static_cast<long>(out.bands.size()) != out.planes)
            throw ImageCorruptError(path, "a cube of " + std::to_string(out.planes) + " planes, but " +
                                              std::to_string(out.bands.size()) + " band names (" +
                                              joined(out.bands) + "); set \"bands\" in the source spec");
    } else if (out.bands.size() != 1) {
        out.bands = {out.bands.empty() ? std::string("image") : out.bands.front()};
    }
    out.data.resize(static_cast<std::size_t>(out.width) * out.height * out.planes);
    long first[3] = {1, 1, 1};
    float nan = NAN;
    int anyNull = 0;
    if (fits_read_pix(file.f, TFLOAT, first, static_cast<LONGLONG>(out.data.size()), &nan, out.data.data(),
                      &anyNull, &status))
        throw ImageCorruptError(path, "cannot read the pixels (truncated file?): " + fitsMessage(status));
    return out;
}

} // namespace

Image readFitsImage(const std::string& path, const FitsStretchOptions& options)
{
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) throw ImageMissingError(path, "no such FITS file");
    FitsPlanes fp = readFitsPlanes(path, options);
    const long w = fp.width, h = fp.height, planes = fp.planes;
    const std::vector<std::string>& bands = fp.bands;
    const std::vector<float>& data = fp.data;
    const std::size_t n = static_cast<std::size_t>(w) * h;

    // Pick the planes shown as red, green, blue.
    std::vector<std::string> rgb = options.rgb;
    if (rgb.empty()) {
        if (planes == 1)
            rgb = {bands[0], bands[0], bands[0]};
        else
            rgb = {bands[bands.size() - 1], bands[bands.size() / 2], bands[0]};
    }
    if (rgb.size() != 3) throw Error("FITS source: \"rgb\" must name 3 bands, got " + joined(rgb));
    std::vector<float> scaled[3];
    LuptonParams lupton;
    lupton.Q = options.Q;
    lupton.stretch = options.stretch;
    for (int k = 0; k < 3; ++k) {
        auto it = std::find(bands.begin(), bands.end(), rgb[k]);
        if (it == bands.end())
            throw ImageCorruptError(path, "band '" + rgb[k] + "' asked for as " + "RGB"[k] +
                                              " is not in the file (bands: " + joined(bands) + ")");
        std::size_t index = static_cast<std::size_t>(it - bands.begin());
        const double scale = perBand(options.scaleByBand, options.scales, rgb[k], index, 1.0);
        lupton.minimum[k] = perBand(options.minimumByBand, options.minimum, rgb[k], index, 0.0);
        // Flip rows: FITS row 0 is the bottom of the sky image.
        scaled[k].resize(n);
        const float* plane = data.data() + index * n;
        for (long y = 0; y < h; ++y) {
            const float* src = plane + static_cast<std::size_t>(h - 1 - y) * w;
            float* dst = scaled[k].data() + static_cast<std::size_t>(y) * w;
            for (long x = 0; x < w; ++x)
                dst[x] = static_cast<float>(src[x] * scale);
        }
    }
    Image out(static_cast<int>(w), static_cast<int>(h), 3);
    luptonRgb(scaled[0].data(), scaled[1].data(), scaled[2].data(), n, lupton, out.pixels.data());
    return out;
}

namespace {

// A per-band spec value: a number (all bands), an array (plane order) or an object (by band name).
void parsePerBand(const nlohmann::json& spec, const char* key, std::map<std::string, double>& byName,
                  std::vector<double>& byIndex)
{
    auto it = spec.find(key);
    if (it == spec.end()) return;
    if (it->is_number()) {
        byIndex.assign(16, it->get<double>());
    } else if (it->is_array()) {
        for (const auto& v : *it) {
            if (!v.is_number())
                throw Error(std::string("FITS source spec: \"") + key + "\" must hold numbers");
            byIndex.push_back(v.get<double>());
        }
    } else if (it->is_object()) {
        for (const auto& [band, v] : it->items()) {
            if (!v.is_number())
                throw Error(std::string("FITS source spec: \"") + key + "\" must hold numbers");
            byName[band] = v.get<double>();
        }
    } else {
        throw Error(std::string("FITS source spec: \"") + key + "\" must be a number, an array or an object");
    }
}

std::vector<std::string> parseNames(const nlohmann::json& spec, const char* key)
{
    std::vector<std::string> out;
    auto it = spec.find(key);
    if (it == spec.end()) return out;
    if (!it->is_array())
        throw Error(std::string("FITS source spec: \"") + key + "\" must be an array of names");
    for (const auto& v : *it) {
        if (!v.is_string())
            throw Error(std::string("FITS source spec: \"") + key + "\" must hold band names");
        out.push_back(v.get<std::string>());
    }
    return out;
}

} // namespace

FitsImageSource::FitsImageSource(std::string dir, std::string pattern, FitsStretchOptions options)
    : TemplatedFileSource(std::move(dir), std::move(pattern)), m_options(std::move(options))
{
    if (!(m_options.Q > 0) || !(m_options.stretch > 0))
        throw Error("FITS source: Q and stretch must be positive (Q=" + std::to_string(m_options.Q) +
                    ", stretch=" + std::to_string(m_options.stretch) + ")");
    if (!m_options.rgb.empty() && m_options.rgb.size() != 3)
        throw Error("FITS source: \"rgb\" must name exactly 3 bands, got " + joined(m_options.rgb));
}

std::unique_ptr<FitsImageSource> FitsImageSource::fromSpec(const nlohmann::json& spec,
                                                           const ImageSourceContext& ctx)
{
    FitsStretchOptions o;
    o.bands = parseNames(spec, "bands");
    o.rgb = parseNames(spec, "rgb");
    parsePerBand(spec, "scales", o.scaleByBand, o.scales);
    parsePerBand(spec, "minimum", o.minimumByBand, o.minimum);
    try {
        o.Q = spec.value("Q", o.Q);
        o.stretch = spec.value("stretch", o.stretch);
        o.hdu = spec.value("hdu", o.hdu);
    } catch (const nlohmann::json::exception& e) {
        throw Error("FITS source spec: Q, stretch and hdu must be numbers (" + std::string(e.what()) + ")");
    }
    return std::make_unique<FitsImageSource>(resolveSpecDir(spec, ctx), specTemplate(spec), std::move(o));
}

nlohmann::json FitsImageSource::spec() const
{
    nlohmann::json j = {{"kind", "fits"},
                        {"dir", dir()},
                        {"template", pattern()},
                        {"Q", m_options.Q},
                        {"stretch", m_options.stretch},
                        {"hdu", m_options.hdu}};
    if (!m_options.bands.empty()) j["bands"] = m_options.bands;
    if (!m_options.rgb.empty()) j["rgb"] = m_options.rgb;
    if (!m_options.scaleByBand.empty())
        j["scales"] = m_options.scaleByBand;
    else if (!m_options.scales.empty())
        j["scales"] = m_options.scales;
    if (!m_options.minimumByBand.empty())
        j["minimum"] = m_options.minimumByBand;
    else if (!m_options.minimum.empty())
        j["minimum"] = m_options.minimum;
    return j;
}

Image FitsImageSource::readFile(const std::string& path) const
{
    return readFitsImage(path, m_options);
}

} // namespace rm
