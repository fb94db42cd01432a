#pragma once
// Random access to same-sized 8-bit images by record index: what the batch loader reads from. The
// decoded-image cache is one (no decoding, memory-mapped); FileRecordSource decodes files on demand (slower,
// no cache needed).
#include "imaging/Image.h"

#include <cstddef>
#include <string>

namespace rm {

class RecordSource
{
public:
    virtual ~RecordSource() = default;

    virtual std::size_t size() const = 0;
    virtual int width() const = 0;
    virtual int height() const = 0;
    virtual int channels() const = 0;
    // False for a record known to be unusable (a failed decode recorded in the cache).
    virtual bool available(std::size_t index) const = 0;
    // The pixels of one record, valid until scratch changes or the source goes away; scratch may be used as
    // storage. Throws (naming the record) when it cannot be had. Must be safe to call from several threads.
    virtual ImageView fetch(std::size_t index, Image& scratch) const = 0;
    // The record's key, for messages.
    virtual std::string key(std::size_t index) const = 0;
};

} // namespace rm
