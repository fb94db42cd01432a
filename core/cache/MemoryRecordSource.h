#pragma once
// Images already in memory as a record source, e.g. the inspector's cutout handed to Grad-CAM. All images
// must have the same size and channels (a record source serves one shape).
#include "cache/RecordSource.h"
#include "util/Error.h"

#include <string>
#include <utility>
#include <vector>

namespace rm {

class MemoryRecordSource : public RecordSource
{
public:
    explicit MemoryRecordSource(std::vector<Image> images, std::vector<std::string> keys = {})
        : m_images(std::move(images)), m_keys(std::move(keys))
    {
        if (m_images.empty()) throw Error("memory record source: no images");
        for (const Image& im : m_images)
            if (im.width != m_images[0].width || im.height != m_images[0].height ||
                im.channels != m_images[0].channels || im.empty())
                throw Error("memory record source: images differ in size or channels");
        m_keys.resize(m_images.size());
    }

    std::size_t size() const override { return m_images.size(); }
    int width() const override { return m_images[0].width; }
    int height() const override { return m_images[0].height; }
    int channels() const override { return m_images[0].channels; }
    bool available(std::size_t index) const override { return index < m_images.size(); }
    ImageView fetch(std::size_t index, Image&) const override { return ImageView(m_images.at(index)); }
    std::string key(std::size_t index) const override
    {
        return m_keys.at(index).empty() ? "image " + std::to_string(index) : m_keys[index];
    }

private:
    std::vector<Image> m_images;
    std::vector<std::string> m_keys;
};

} // namespace rm
