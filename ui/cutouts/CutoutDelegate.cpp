#include "cutouts/CutoutDelegate.h"

#include "cutouts/CutoutModel.h"
#include "cutouts/ImageConvert.h"
#include "labels/LabelStyle.h"

#include <QPainter>
#include <QPainterPath>
#include <QPixmapCache>

namespace rm::ui {

namespace {
constexpr int kPadding = 5;
}

CutoutDelegate::CutoutDelegate(QObject* parent) : QStyledItemDelegate(parent)
{
    // Enough for a few screens of the largest thumbnails.
    QPixmapCache::setCacheLimit(qMax(QPixmapCache::cacheLimit(), 96 * 1024));
}

int CutoutDelegate::captionHeight(const QStyleOptionViewItem& option) const
{
    return option.fontMetrics.height() + 2;
}

QSize CutoutDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex&) const
{
    return {m_size + 2 * kPadding, m_size + 2 * kPadding + captionHeight(option)};
}

QPixmap CutoutDelegate::pixmapFor(const QImage& image) const
{
    // QImage::cacheKey names these pixels, so a pixmap never outlives the image (or project) it came from.
    const QString key =
        QStringLiteral("rm-cutout:%1:%2:%3").arg(image.cacheKey()).arg(m_size).arg(m_greyscale);
    QPixmap pixmap;
    if (QPixmapCache::find(key, &pixmap)) return pixmap;
    const QImage shown = m_greyscale ? greyscaleMean(image) : image;
    pixmap = QPixmap::fromImage(shown.scaled(m_size, m_size, Qt::KeepAspectRatio, Qt::SmoothTransformation));
    QPixmapCache::insert(key, pixmap);
    return pixmap;
}

void CutoutDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                           const QModelIndex& index) const
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const QRect cell = option.rect.adjusted(1, 1, -1, -1);
    const bool selected = option.state & QStyle::State_Selected;
    const bool current = option.state & QStyle::State_HasFocus;
    const QPalette& pal = option.palette;

    const QRect imageRect(cell.left() + kPadding - 1, cell.top() + kPadding - 1, m_size, m_size);
    painter->fillRect(imageRect, QColor(12, 12, 14));

    const QImage image = index.data(CutoutModel::ImageRole).value<QImage>();
    if (!image.isNull()) {
        const QPixmap pixmap = pixmapFor(image);
        const QRect target(QPoint(0, 0), pixmap.size());
        const QRect placed = target.translated(imageRect.center() - target.center());
        painter->drawPixmap(placed, pixmap);
        const QImage overlay = index.data(CutoutModel::OverlayRole).value<QImage>();
        if (!overlay.isNull()) {
            const double f = index.data(CutoutModel::OverlayFractionRole).toDouble();
            const QSizeF crop = QSizeF(placed.size()) * f;
            painter->drawImage(
                QRectF(QRectF(placed).center() - QPointF(crop.width() / 2, crop.height() / 2), crop),
                overlay);
        }
    } else {
        const QString failure = index.data(CutoutModel::FailureRole).toString();
        painter->setPen(failure.isEmpty() ? QColor(110, 110, 120) : QColor(200, 110, 100));
        QFont small = option.font;
        small.setPointSizeF(small.pointSizeF() * 0.85);
        painter->setFont(small);
        painter->drawText(imageRect.adjusted(4, 4, -4, -4), Qt::AlignCenter | Qt::TextWordWrap,
                          failure.isEmpty() ? tr("loading…") : tr("no image"));
    }

    // The hand label, where the eye lands first.
    const QVariant label = index.data(CutoutModel::LabelRole);
    if (label.isValid()) {
        rm::CurrentLabel l;
        l.label = rm::HandLabel(label.toInt());
        l.ringType = index.data(CutoutModel::RingTypeRole).toString().toStdString();
        const QString text = labelBadgeText(l);
        QFont bold = option.font;
        bold.setBold(true);
        bold.setPointSizeF(bold.pointSizeF() * 0.85);
        painter->setFont(bold);
        const QFontMetrics fm(bold);
        const QRect badge(imageRect.left() + 4, imageRect.top() + 4, fm.horizontalAdvance(text) + 10,
                          fm.height() + 2);
        QPainterPath path;
        path.addRoundedRect(badge, 4, 4);
        painter->fillPath(path, labelColor(l.label));
        painter->setPen(Qt::white);
        painter->drawText(badge, Qt::AlignCenter, text);
    }

    // The classifier's score, opposite the hand label so the two can be compared at a glance: warm when the
    // run calls it a ring at its threshold, cool when not.
    const QVariant score = index.data(CutoutModel::ScoreRole);
    if (score.isValid()) {
        const double p = score.toDouble();
        const bool ring = p >= index.data(CutoutModel::ScoreThresholdRole).toDouble();
        const QString text = QStringLiteral("p=%1").arg(p, 0, 'f', 2);
        QFont small = option.font;
        small.setBold(true);
        small.setPointSizeF(small.pointSizeF() * 0.8);
        painter->setFont(small);
        const QFontMetrics fm(small);
        const int w = fm.horizontalAdvance(text) + 8;
        const QRect badge(imageRect.right() - 3 - w, imageRect.top() + 4, w, fm.height() + 1);
        QPainterPath path;
        path.addRoundedRect(badge, 4, 4);
        painter->fillPath(path, ring ? QColor(235, 120, 30, 225) : QColor(60, 110, 190, 225));
        painter->setPen(Qt::white);
        painter->drawText(badge, Qt::AlignCenter, text);
    }

    // A mined candidate above its threshold: new (not in any rings catalog of the project) or known.
    const QString mined = index.data(CutoutModel::MinedRole).toString();
    if (!mined.isEmpty()) {
        const bool isNew = mined == QLatin1String("new");
        const QString text = isNew ? tr("NEW") : tr("KNOWN");
        QFont small = option.font;
        small.setBold(true);
        small.setPointSizeF(small.pointSizeF() * 0.75);
        painter->setFont(small);
        const QFontMetrics fm(small);
        const QRect badge(imageRect.left() + 4, imageRect.bottom() - fm.height() - 4,
                          fm.horizontalAdvance(text) + 8, fm.height() + 1);
        QPainterPath path;
        path.addRoundedRect(badge, 4, 4);
        painter->fillPath(path, isNew ? QColor(40, 160, 90, 230) : QColor(110, 110, 125, 230));
        painter->setPen(Qt::white);
        painter->drawText(badge, Qt::AlignCenter, text);
    }

    const QRect captionRect(cell.left() + kPadding, imageRect.bottom() + 2, cell.width() - 2 * kPadding,
                            captionHeight(option));
    painter->setFont(option.font);
    painter->setPen(selected ? pal.color(QPalette::HighlightedText) : pal.color(QPalette::Text));
    const QString caption = index.data(CutoutModel::CaptionRole).toString();
    painter->drawText(captionRect, Qt::AlignHCenter | Qt::AlignVCenter,
                      option.fontMetrics.elidedText(caption, Qt::ElideMiddle, captionRect.width()));

    if (selected || current) {
        QPen pen(pal.color(QPalette::Highlight), selected ? 3 : 1.5);
        painter->setPen(pen);
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(QRectF(cell).adjusted(1.5, 1.5, -1.5, -1.5), 5, 5);
    }
    painter->restore();
}

} // namespace rm::ui
