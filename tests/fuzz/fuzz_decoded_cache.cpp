// The decoded-image cache (.rmcache) that training and the GPU build read through a memory map: every
// header field, key table and status byte comes from the file.
#include "FuzzSupport.h"

#include "cache/DecodedCache.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string path = rm::fuzz::scratchFile("images.rmcache", data, size);
    RM_FUZZ_EXPECT_ERRORS({
        const auto cache = rm::DecodedCache::open(path);
        unsigned sum = 0;
        for (std::size_t i = 0; i < cache->size(); ++i) {
            (void)cache->key(i);
            (void)cache->error(i);
            if (!cache->available(i)) continue;
            const auto view = cache->record(i);
            const std::size_t bytes = static_cast<std::size_t>(view.width) * view.height * view.channels;
            for (std::size_t b = 0; b < bytes; b += 97)
                sum += view.data[b]; // touch the mapped pixels
        }
        (void)sum;
    });
    return 0;
}
