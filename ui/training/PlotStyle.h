#pragma once
// How the workbench's plots look (colours from the widget palette, so they follow the dark theme) and how
// they are saved (PNG at twice the screen resolution for slides, PDF as vectors for papers).
#include <QColor>
#include <QString>

class QCustomPlot;

namespace rm::ui {

void stylePlot(QCustomPlot* plot);
// A qualitative colour for the i-th series (Tableau 10, readable on dark and light backgrounds).
QColor seriesColour(int i);
// By the file's suffix: .png or .pdf. Returns false with `error` set when the suffix is unknown or the file
// cannot be written.
bool exportPlot(QCustomPlot* plot, const QString& path, QString* error = nullptr);

} // namespace rm::ui
