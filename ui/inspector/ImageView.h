#pragma once
// A cutout shown as large as the panel allows, aspect kept, on black; a line of text when there is none.
#include <QImage>
#include <QWidget>

namespace rm::ui {

class ImageView : public QWidget
{
    Q_OBJECT
public:
    explicit ImageView(QWidget* parent = nullptr);

    void setImage(const QImage& image); // the pixmap is made here, on the GUI thread
    void setMessage(const QString& text);
    void setGreyscale(bool grey);
    // A translucent image laid over the centre `fraction` of each side of the cutout (a saliency map);
    // setImage and setMessage remove it.
    void setOverlay(const QImage& overlay, double fraction = 1.0);
    void clearOverlay();
    bool hasOverlay() const { return !m_overlay.isNull(); }
    const QImage& overlay() const { return m_overlay; }
    bool hasImage() const { return !m_pixmap.isNull(); }
    const QImage& image() const { return m_image; }

    QSize sizeHint() const override { return {360, 360}; }
    QSize minimumSizeHint() const override { return {160, 160}; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    void rebuild();

    QImage m_image;
    QPixmap m_pixmap;
    QImage m_overlay;
    double m_overlayFraction = 1.0;
    QString m_message;
    bool m_greyscale = false;
};

} // namespace rm::ui
