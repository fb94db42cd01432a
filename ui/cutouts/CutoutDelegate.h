#pragma once
// Paints one cutout of the grid: the image (colour or the models' greyscale) at the zoom size, the galaxy's
// name under it, its hand-label badge (top left) and a run's classifier score (top right). Pixmaps are made
// here, on the GUI thread, and kept in QPixmapCache.
#include <QStyledItemDelegate>

namespace rm::ui {

class CutoutDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    explicit CutoutDelegate(QObject* parent = nullptr);

    void setThumbnailSize(int pixels) { m_size = pixels; }
    int thumbnailSize() const { return m_size; }
    void setGreyscale(bool grey) { m_greyscale = grey; }
    bool greyscale() const { return m_greyscale; }

    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;

private:
    QPixmap pixmapFor(const QImage& image) const;
    int captionHeight(const QStyleOptionViewItem& option) const;

    int m_size = 144;
    bool m_greyscale = false;
};

} // namespace rm::ui
