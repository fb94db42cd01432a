#include "sources/ImageSource.h"

#include "sources/CutoutImageSource.h"
#include "sources/FitsImageSource.h"
#include "sources/FolderImageSource.h"
#include "sources/SyntheticImageSource.h"
#include "util/Error.h"

#include <map>
#include <mutex>

namespace rm {

namespace {

struct Registry
{
    std::mutex mutex;
    std::map<std::string, ImageSourceMaker> makers;
};

// The built-in kinds are added here rather than by static registrars in their own files, because a registrar
// object in a static library is dropped by the linker when nothing else references its file.
Registry& registry()
{
    static Registry r;
    static std::once_flag once;
    std::call_once(once, [] {
        r.makers["folder"] = [](const nlohmann::json& spec, const ImageSourceContext& ctx) {
            return std::unique_ptr<ImageSource>(FolderImageSource::fromSpec(spec, ctx));
        };
        r.makers["fits"] = [](const nlohmann::json& spec, const ImageSourceContext& ctx) {
            return std::unique_ptr<ImageSource>(FitsImageSource::fromSpec(spec, ctx));
        };
        r.makers["synthetic"] = [](const nlohmann::json& spec, const ImageSourceContext&) {
            return std::unique_ptr<ImageSource>(SyntheticImageSource::fromSpec(spec));
        };
        // Cutout services serve from (and only from) their on-disk cache here; `cutouts fetch` fills it.
        for (const char* kind : {"legacysurvey", "sdss"})
            r.makers[kind] = [](const nlohmann::json& spec, const ImageSourceContext& ctx) {
                return std::unique_ptr<ImageSource>(CutoutImageSource::fromSpec(spec, ctx));
            };
    });
    return r;
}

// Service kinds that exist in the design but are provided by another file; named so the error says what to
// do.
bool isServiceKind(const std::string& kind)
{
    return kind == "legacysurvey" || kind == "sdss";
}

} // namespace

void registerImageSourceKind(const std::string& kind, ImageSourceMaker maker)
{
    auto& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    r.makers[kind] = std::move(maker);
}

std::vector<std::string> imageSourceKinds()
{
    auto& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    std::vector<std::string> kinds;
    for (const auto& [k, m] : r.makers)
        kinds.push_back(k);
    return kinds;
}

std::unique_ptr<ImageSource> makeImageSource(const nlohmann::json& spec, const ImageSourceContext& context)
{
    if (!spec.is_object()) throw Error("image source spec must be a JSON object, got: " + spec.dump());
    auto kindIt = spec.find("kind");
    if (kindIt == spec.end() || !kindIt->is_string())
        throw Error("image source spec has no \"kind\" (folder, fits, legacysurvey, sdss): " + spec.dump());
    const std::string kind = kindIt->get<std::string>();
    ImageSourceMaker maker;
    {
        auto& r = registry();
        std::lock_guard<std::mutex> lock(r.mutex);
        auto it = r.makers.find(kind);
        if (it != r.makers.end()) maker = it->second;
    }
    if (!maker) {
        std::string known;
        for (const auto& k : imageSourceKinds())
            known += (known.empty() ? "" : ", ") + k;
        if (isServiceKind(kind))
            throw Error(
                "image source kind '" + kind +
                "' is a cutout service and is not available in this build (registered kinds: " + known + ")");
        throw Error("unknown image source kind '" + kind + "' (known: " + known + ")");
    }
    return maker(spec, context);
}

std::unique_ptr<ImageSource> makeImageSource(const std::string& specJson, const ImageSourceContext& context)
{
    nlohmann::json spec;
    try {
        spec = nlohmann::json::parse(specJson);
    } catch (const nlohmann::json::exception& e) {
        throw Error("image source spec is not valid JSON (" + std::string(e.what()) + "): " + specJson);
    }
    return makeImageSource(spec, context);
}

} // namespace rm
