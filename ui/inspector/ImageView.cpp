#include "inspector/ImageView.h"

#include "cutouts/ImageConvert.h"

#include <QPainter>

namespace rm::ui {

ImageView::ImageView(QWidget* parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ImageView::setOverlay(const QImage& overlay, double fraction)
{
    m_overlay = overlay;
    m_overlayFraction = fraction > 0 && fraction <= 1 ? fraction : 1.0;
    update();
}

void ImageView::clearOverlay()
{
    if (m_overlay.isNull()) return;
    m_overlay = QImage();
    update();
}

void ImageView::setImage(const QImage& image)
{
    m_overlay = QImage();
    m_image = image;
    m_message.clear();
    rebuild();
}

void ImageView::setMessage(const QString& text)
{
    m_image = QImage();
    m_overlay = QImage();
    m_message = text;
    rebuild();
}

void ImageView::setGreyscale(bool grey)
{
    if (grey == m_greyscale) return;
    m_greyscale = grey;
    rebuild();
}

void ImageView::rebuild()
{
    m_pixmap =
        m_image.isNull() ? QPixmap() : QPixmap::fromImage(m_greyscale ? greyscaleMean(m_image) : m_image);
    update();
}

void ImageView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), QColor(8, 8, 10));
    if (m_pixmap.isNull()) {
        p.setPen(QColor(150, 150, 160));
        p.drawText(rect().adjusted(12, 12, -12, -12), Qt::AlignCenter | Qt::TextWordWrap, m_message);
        return;
    }
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    const QSize size = m_pixmap.size().scaled(this->size(), Qt::KeepAspectRatio);
    QRect target(QPoint(0, 0), size);
    target.moveCenter(rect().center());
    p.drawPixmap(target, m_pixmap);
    if (!m_overlay.isNull()) {
        QRectF area(target);
        const QSizeF crop = area.size() * m_overlayFraction;
        area = QRectF(area.center() - QPointF(crop.width() / 2, crop.height() / 2), crop);
        p.drawImage(area, m_overlay);
    }
}

} // namespace rm::ui
