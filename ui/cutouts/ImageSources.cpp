#include "cutouts/ImageSources.h"

#include "sources/ImageSource.h"
#include "util/Error.h"

#include <QDir>
#include <QFile>

namespace rm::ui {

ImageSources::ImageSources(rm::ProjectStore& store, QString projectDir)
    : m_store(store), m_projectDir(std::move(projectDir))
{
}

ImageSources::~ImageSources() = default;

void ImageSources::reload()
{
    m_entries.clear();
}

std::shared_ptr<const rm::ImageSource> ImageSources::forCatalog(qint64 catalogId)
{
    auto it = m_entries.find(catalogId);
    if (it == m_entries.end()) {
        Entry e;
        try {
            const std::optional<std::string> spec = m_store.imageSourceSpec(std::int64_t(catalogId));
            if (!spec) {
                e.error = "catalog '" + m_store.catalog(std::int64_t(catalogId)).name +
                          "' has no image source yet (a folder of cutouts, FITS files or a cutout service)";
            } else {
                rm::ImageSourceContext context;
                context.baseDir = QFile::encodeName(m_projectDir).toStdString();
                // Not filesDir(): that creates the folder, and opening a project must not write beside it.
                context.cacheDir = m_store.path() + ".files/cutouts";
                e.source = rm::makeImageSource(*spec, context);
            }
        } catch (const rm::Error& err) {
            e.error = err.what();
        }
        it = m_entries.emplace(catalogId, std::move(e)).first;
    }
    if (!it->second.source) throw rm::Error(it->second.error);
    return it->second.source;
}

bool ImageSources::hasSource(qint64 catalogId)
{
    try {
        return forCatalog(catalogId) != nullptr;
    } catch (const rm::Error&) {
        return false;
    }
}

} // namespace rm::ui
