#pragma once
// The size and channel count of the images a model reads, and of the decoded-image cache made for it. One
// struct under every name it travels by (a training view, a cache's preparation, a target set's images) and
// one check of its range.
#include <string>

namespace rm {

// Square inputs from 8 px (the smallest the encoders' strides leave a feature map for) to 1024 px (a batch of
// larger images does not fit a GPU's memory for these encoders).
inline constexpr int kMinImageSide = 8;
inline constexpr int kMaxImageSide = 1024;

struct ImageShape
{
    int width = 224;
    int height = 224;
    int channels = 3; // 1 = mean of R, G, B (Zoobot's greyscale); 3 = RGB

    // The shape alone, from any struct built on it (views, preparation parameters).
    const ImageShape& shape() const { return *this; }
    std::string text() const; // "224x224x3"
};

inline bool operator==(const ImageShape& a, const ImageShape& b)
{
    return a.width == b.width && a.height == b.height && a.channels == b.channels;
}
inline bool operator!=(const ImageShape& a, const ImageShape& b)
{
    return !(a == b);
}

// Throws rm::Error naming the bad side or channel count: sides from kMinImageSide to kMaxImageSide, channels
// 1 or 3.
void validate(const ImageShape& shape);

} // namespace rm
