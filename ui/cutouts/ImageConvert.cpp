#include "cutouts/ImageConvert.h"

#include "imaging/Image.h"

#include <algorithm>
#include <cstring>

namespace rm::ui {

QImage toQImage(const rm::Image& image)
{
    if (image.empty()) return {};
    QImage::Format format = QImage::Format_Invalid;
    if (image.channels == 3) format = QImage::Format_RGB888;
    if (image.channels == 1) format = QImage::Format_Grayscale8;
    if (image.channels == 4) format = QImage::Format_RGBA8888;
    if (format == QImage::Format_Invalid) return {};
    QImage out(image.width, image.height, format);
    const std::size_t rowBytes = std::size_t(image.width) * image.channels;
    // QImage rows are 4-byte aligned, core rows are packed: copy row by row.
    for (int y = 0; y < image.height; ++y)
        std::memcpy(out.scanLine(y), image.row(y), rowBytes);
    return out;
}

QImage greyscaleMean(const QImage& image)
{
    if (image.isNull() || image.format() == QImage::Format_Grayscale8) return image;
    const QImage rgb = image.convertToFormat(QImage::Format_RGB888);
    QImage out(rgb.width(), rgb.height(), QImage::Format_Grayscale8);
    for (int y = 0; y < rgb.height(); ++y) {
        const uchar* in = rgb.constScanLine(y);
        uchar* o = out.scanLine(y);
        for (int x = 0; x < rgb.width(); ++x, in += 3)
            o[x] = uchar((int(in[0]) + in[1] + in[2] + 1) / 3);
    }
    return out;
}

rm::Image toCoreImage(const QImage& source)
{
    const QImage rgb = source.convertToFormat(QImage::Format_RGB888);
    rm::Image out(rgb.width(), rgb.height(), 3);
    for (int y = 0; y < rgb.height(); ++y)
        std::copy_n(rgb.constScanLine(y), std::size_t(rgb.width()) * 3, out.row(y));
    return out;
}

} // namespace rm::ui
