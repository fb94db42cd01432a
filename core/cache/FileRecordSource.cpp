#include "cache/FileRecordSource.h"

#include "imaging/ImageDecode.h"

namespace rm {

FileRecordSource::FileRecordSource(std::vector<CacheItem> items, PrepareParams prepare)
    : m_items(std::move(items)), m_prepare(prepare)
{
    validate(m_prepare);
}

ImageView FileRecordSource::fetch(std::size_t index, Image& scratch) const
{
    const CacheItem& item = m_items.at(index);
    scratch = prepareImage(item.load ? item.load() : decodeImageFile(item.path), m_prepare);
    return ImageView(scratch);
}

} // namespace rm
