#pragma once
// The image source of each catalog of a project, made once from the spec in its image_sources row and shared
// with the thumbnail workers (ImageSource::load is safe to call from several threads at once).
#include "store/ProjectStore.h"

#include <QString>

#include <map>
#include <memory>

namespace rm {
class ImageSource;
}

namespace rm::ui {

class ImageSources
{
public:
    // Relative "dir" values in specs are taken relative to projectDir (where the .rmproj file is).
    ImageSources(rm::ProjectStore& store, QString projectDir);
    ~ImageSources();

    // Throws rm::Error saying why the catalog has no usable source (none set, bad spec).
    std::shared_ptr<const rm::ImageSource> forCatalog(qint64 catalogId);
    bool hasSource(qint64 catalogId);
    void reload(); // after the project's image_sources table changed

private:
    struct Entry
    {
        std::shared_ptr<const rm::ImageSource> source;
        std::string error;
    };
    rm::ProjectStore& m_store;
    QString m_projectDir;
    std::map<qint64, Entry> m_entries;
};

} // namespace rm::ui
