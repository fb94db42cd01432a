#pragma once
// The deterministic part of getting a decoded image to a model: centre crop, resize to the input size, and
// the channel count the model wants. This is what the decoded-image cache stores, so it works on 8-bit
// pixels.
//
// Greyscale is the plain mean of R, G and B, as Zoobot's 1-channel models were trained (galaxy-datasets'
// GrayscaleUnweighted / ToGray take arr.mean(axis=channels)), not the perceptual luminance weights of
// OpenCV, PIL or torchvision.
#include "imaging/Image.h"
#include "imaging/ImageShape.h"

namespace rm {

// The shape to make and how much of the centre to keep first.
struct PrepareParams : ImageShape
{
    double cropFraction = 1.0; // keep this fraction of each side around the centre before resizing
};

// Throws rm::Error for a size or channel count that makes no sense.
void validate(const PrepareParams& params);

// Crops, resizes and converts channels; the result has exactly params' size and channels.
Image prepareImage(const Image& src, const PrepareParams& params);

// The centred crop keeping `fraction` (0, 1] of the width and of the height.
Image centreCrop(const Image& src, double fraction);
// Area averaging when shrinking (OpenCV INTER_AREA; no aliasing of the fine ring structure), bilinear when
// enlarging. Uses OpenCV when built with it, else an equivalent plain C++ version.
Image resizeImage(const Image& src, int width, int height);
// The plain C++ resize used when there is no OpenCV (same rules; within 1 grey level of OpenCV's result).
Image resizeImagePlain(const Image& src, int width, int height);
// Mean of the channels, rounded to the nearest integer; a 1-channel image is returned as is.
Image greyMean(const Image& src);
// Three copies of a grey channel.
Image greyToRgb(const Image& src);

} // namespace rm
