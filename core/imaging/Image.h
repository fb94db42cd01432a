#pragma once
// An 8-bit image in memory: rows top to bottom, pixels interleaved, channels in RGB order (1 = grey). Every
// image source returns this, whatever the file format, so preprocessing and the cache see one layout.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace rm {

struct Image
{
    int width = 0;
    int height = 0;
    int channels = 0;
    std::vector<std::uint8_t> pixels; // width * height * channels bytes, row-major, interleaved

    Image() = default;
    Image(int w, int h, int c) : width(w), height(h), channels(c), pixels(std::size_t(w) * h * c) {}

    bool empty() const { return pixels.empty(); }
    std::size_t byteSize() const { return pixels.size(); }
    std::uint8_t* row(int y) { return pixels.data() + std::size_t(y) * width * channels; }
    const std::uint8_t* row(int y) const { return pixels.data() + std::size_t(y) * width * channels; }
    std::uint8_t& at(int x, int y, int c) { return pixels[(std::size_t(y) * width + x) * channels + c]; }
    std::uint8_t at(int x, int y, int c) const { return pixels[(std::size_t(y) * width + x) * channels + c]; }
};

// A read-only view of pixels laid out like Image, e.g. one record of the memory-mapped decoded cache.
struct ImageView
{
    const std::uint8_t* data = nullptr;
    int width = 0;
    int height = 0;
    int channels = 0;

    ImageView() = default;
    ImageView(const std::uint8_t* d, int w, int h, int c) : data(d), width(w), height(h), channels(c) {}
    ImageView(const Image& im)
        : data(im.pixels.data()), width(im.width), height(im.height), channels(im.channels)
    {
    }
};

} // namespace rm
