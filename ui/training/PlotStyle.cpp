#include "training/PlotStyle.h"

#include "training/QCustomPlotInclude.h"
#include <QFileInfo>

namespace rm::ui {

void stylePlot(QCustomPlot* plot)
{
    const QPalette pal = plot->palette();
    const QColor text = pal.color(QPalette::WindowText);
    QColor grid = text;
    grid.setAlpha(40);
    plot->setBackground(pal.color(QPalette::Base));
    for (QCPAxis* axis : {plot->xAxis, plot->yAxis, plot->xAxis2, plot->yAxis2}) {
        axis->setBasePen(QPen(text, 1));
        axis->setTickPen(QPen(text, 1));
        axis->setSubTickPen(QPen(text, 1));
        axis->setTickLabelColor(text);
        axis->setLabelColor(text);
        axis->grid()->setPen(QPen(grid, 1, Qt::DotLine));
        axis->grid()->setZeroLinePen(Qt::NoPen);
    }
    QColor legendBack = pal.color(QPalette::Base);
    legendBack.setAlpha(200);
    plot->legend->setBrush(legendBack);
    plot->legend->setBorderPen(QPen(grid));
    plot->legend->setTextColor(text);
    QFont small = plot->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    plot->legend->setFont(small);
    plot->setNoAntialiasingOnDrag(true);
}

QColor seriesColour(int i)
{
    static const QColor colours[] = {QColor(0x4e, 0x79, 0xa7), QColor(0xf2, 0x8e, 0x2b),
                                     QColor(0x59, 0xa1, 0x4f), QColor(0xe1, 0x57, 0x59),
                                     QColor(0x76, 0xb7, 0xb2), QColor(0xed, 0xc9, 0x48),
                                     QColor(0xb0, 0x7a, 0xa1), QColor(0xff, 0x9d, 0xa7),
                                     QColor(0x9c, 0x75, 0x5f), QColor(0xba, 0xb0, 0xac)};
    return colours[std::size_t(i) % (sizeof colours / sizeof colours[0])].lighter(115);
}

bool exportPlot(QCustomPlot* plot, const QString& path, QString* error)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    bool ok = false;
    if (suffix == QLatin1String("png"))
        ok = plot->savePng(path, plot->width(), plot->height(), 2.0);
    else if (suffix == QLatin1String("pdf"))
        ok = plot->savePdf(path, plot->width(), plot->height());
    else {
        if (error) *error = QObject::tr("Choose a .png or .pdf file name, not %1").arg(path);
        return false;
    }
    if (!ok && error) *error = QObject::tr("Cannot write %1").arg(path);
    return ok;
}

} // namespace rm::ui
