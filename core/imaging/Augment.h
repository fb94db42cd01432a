#pragma once
// Turning an 8-bit image (a decoded-cache record) into the float32 CHW tensor data a model reads, with or
// without training augmentation. Plain C++ with no OpenCV, so the headless GPU build can augment cached
// images.
//
// Augmentation follows Zoobot (galaxy-datasets default_albumentation_transforms): a rotation by any angle
// about the centre with a constant black border (border_mode=0, value=0: galaxies have no "up", and a
// reflected border would invent mirrored neighbours), then a random resized crop (area fraction 0.7-0.8,
// aspect 0.9-1.1, bilinear), then flips. All of it is one affine map sampled once, bilinear, so there is a
// single interpolation. Evaluation is a fixed centre crop and resize.
#include "imaging/Image.h"
#include "imaging/ImageShape.h"

#include <cstdint>
#include <vector>

namespace rm {

enum class BorderMode
{
    Constant,
    Reflect
};

struct AugmentParams
{
    bool rotate = true;         // uniform angle in [0, 360)
    bool flipHorizontal = true; // each flip with probability 1/2
    bool flipVertical = true;
    double cropScaleMin = 0.7; // crop area as a fraction of the image (Zoobot's crop_scale_bounds)
    double cropScaleMax = 0.8;
    double cropRatioMin = 0.9; // crop width/height, log-uniform (Zoobot's crop_ratio_bounds)
    double cropRatioMax = 1.1;
    BorderMode border = BorderMode::Constant;

    // Photometric augmentation (SimCLR's colour distortion and blur; off by default, because Zoobot's
    // supervised recipe has none and colour is most of what tells a ring host apart). Applied to the [0, 1]
    // image before normalisation; see imaging/PhotometricAugment.h.
    double brightness = 0;          // multiply by a factor uniform in [1-b, 1+b]
    double contrast = 0;            // blend with the image's mean grey, factor in [1-c, 1+c]
    double saturation = 0;          // blend with the pixel's grey (3 channels), factor in [1-s, 1+s]
    double jitterProbability = 0.8; // chance the colour jitter is applied at all (the 3 in random order)
    double grayscaleProbability = 0;
    double blurProbability = 0; // Gaussian blur, sigma uniform in [blurSigmaMin, blurSigmaMax] output pixels
    double blurSigmaMin = 0.1;
    double blurSigmaMax = 2.0;
};

// Whether any photometric step can happen with these parameters.
bool hasPhotometric(const AugmentParams& params);
// SimCLR-style strong augmentation for contrastive and semi-supervised training: base's geometry plus colour
// jitter 0.4/0.4/0.4 (probability 0.8) and blur (probability 0.5, sigma 0.1-2 px); no greyscale, since
// colour matters for rings.
AugmentParams strongAugmentation(const AugmentParams& base);

// After scaling bytes to [0, 1]: (x - mean[c]) / std[c] per output channel; empty = leave in [0, 1].
struct Normalisation
{
    std::vector<float> mean;
    std::vector<float> std;
};

// What the model reads and how it is made from a stored image.
struct ViewParams : ImageShape
{
    double evalCropFraction = 1.0; // evaluation: keep this centre fraction of each side
    bool augment = false;          // training augmentation on/off
    AugmentParams augmentation;
    Normalisation normalisation;
};

// Output pixel (u, v) samples the source at (a*u + b*v + c, d*u + e*v + f), in source pixel indices.
struct AffineMap
{
    double a = 1, b = 0, c = 0, d = 0, e = 1, f = 0;
};

// Throws rm::Error for impossible parameters (bad size, channels, crop ranges, normalisation lengths).
void validate(const ViewParams& params);

// Centre crop of `fraction` of each side, scaled to the output size. Identity when sizes match and fraction
// = 1.
AffineMap evalMap(int srcWidth, int srcHeight, int outWidth, int outHeight, double fraction);
// A random rotation + resized crop + flips, drawn from `seed` (use mixSeed(seed, epoch, index)).
AffineMap augmentMap(int srcWidth, int srcHeight, int outWidth, int outHeight, const AugmentParams& params,
                     std::uint64_t seed);

// Samples src through the map (bilinear) into outChannels planes of outWidth*outHeight floats at dst, scaled
// to [0, 1] and normalised. 3 -> 1 channels takes the mean, 1 -> 3 copies.
void renderPlanar(const ImageView& src, const AffineMap& map, int outWidth, int outHeight, int outChannels,
                  BorderMode border, const Normalisation& normalisation, float* dst);

// The whole view of one image: evaluation, or augmentation seeded by (seed, epoch, index). Writes
// channels*height*width floats at dst.
void renderView(const ImageView& src, const ViewParams& params, std::uint64_t seed, std::uint64_t epoch,
                std::uint64_t index, float* dst);

} // namespace rm
