#pragma once
// Pixels between core and Qt, and the greyscale the 1-channel models see.
#include <QImage>

namespace rm {
struct Image;
}

namespace rm::ui {

// An RGB888 (3 channels) or Grayscale8 (1 channel) copy of a core image.
QImage toQImage(const rm::Image& image);
// An RGB (3 channel) core image of a QImage of any format, e.g. the inspector's cutout for Grad-CAM.
rm::Image toCoreImage(const QImage& image);

// Zoobot's 1-channel models see the mean of R, G and B (not a luminance weighting); this is the same rounding
// as core's rm::greyMean, so what the astronomer sees is what the model is fed.
QImage greyscaleMean(const QImage& image);

} // namespace rm::ui
