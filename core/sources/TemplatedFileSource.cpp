#include "sources/TemplatedFileSource.h"

#include "imaging/ImageErrors.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace rm {

std::string resolveSpecDir(const nlohmann::json& spec, const ImageSourceContext& ctx)
{
    auto it = spec.find("dir");
    if (it == spec.end() || !it->is_string() || it->get<std::string>().empty())
        throw Error("image source spec of kind '" + spec.value("kind", std::string("?")) +
                    "' needs \"dir\" (the folder holding the images): " + spec.dump());
    fs::path dir = it->get<std::string>();
    if (dir.is_relative() && !ctx.baseDir.empty()) dir = fs::path(ctx.baseDir) / dir;
    return dir.lexically_normal().string();
}

std::string specTemplate(const nlohmann::json& spec)
{
    auto it = spec.find("template");
    if (it == spec.end() || !it->is_string())
        throw Error("image source spec of kind '" + spec.value("kind", std::string("?")) +
                    "' needs \"template\", e.g. \"{iauname}.jpg\": " + spec.dump());
    return it->get<std::string>();
}

TemplatedFileSource::TemplatedFileSource(std::string dir, std::string pattern)
    : m_dir(std::move(dir)), m_template(std::move(pattern))
{
}

std::string TemplatedFileSource::locate(const GalaxyRef& galaxy) const
{
    return (fs::path(m_dir) / m_template.expand(galaxy)).string();
}

ImagePresence TemplatedFileSource::probe(const GalaxyRef& galaxy) const
{
    std::string path;
    try {
        path = locate(galaxy);
    } catch (const Error&) {
        return ImagePresence::Missing; // a blank or absent column: there is no file to look for
    }
    std::error_code ec;
    return fs::is_regular_file(path, ec) ? ImagePresence::Present : ImagePresence::Missing;
}

Image TemplatedFileSource::load(const GalaxyRef& galaxy) const
{
    std::string path;
    try {
        path = locate(galaxy);
    } catch (const Error& e) {
        throw ImageMissingError(m_dir, e.what());
    }
    try {
        return readFile(path);
    } catch (const ImageMissingError&) {
        throw ImageMissingError(path, std::string("no ") + fileKind() + " for " + galaxy.describe() +
                                          " (template '" + m_template.pattern() + "' in " + m_dir + ")");
    }
}

} // namespace rm
