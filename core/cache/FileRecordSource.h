#pragma once
// Records decoded from their files on demand and prepared to one size: the batch loader's fallback when there
// is no decoded-image cache (e.g. a one-off evaluation). Every epoch pays the JPEG decoding again.
#include "cache/DecodedCacheBuilder.h"
#include "cache/RecordSource.h"

namespace rm {

class FileRecordSource : public RecordSource
{
public:
    FileRecordSource(std::vector<CacheItem> items, PrepareParams prepare);

    std::size_t size() const override { return m_items.size(); }
    int width() const override { return m_prepare.width; }
    int height() const override { return m_prepare.height; }
    int channels() const override { return m_prepare.channels; }
    bool available(std::size_t) const override { return true; } // unknown until decoded
    ImageView fetch(std::size_t index, Image& scratch) const override;
    std::string key(std::size_t index) const override { return m_items.at(index).key; }

private:
    std::vector<CacheItem> m_items;
    PrepareParams m_prepare;
};

} // namespace rm
