#pragma once
// The comparison table as files: CSV for analysis (plain numbers, each interval as _low/_high columns) and
// Markdown for a paper draft or a lab notebook (as shown, best values in bold). Rows are written in the order
// given (the view's sort order), so what is exported is what the user sees.
#include <QString>
#include <QVector>

namespace rm::ui {

class ComparisonModel;

QString comparisonCsv(const ComparisonModel& model, const QVector<int>& rows);
QString comparisonMarkdown(const ComparisonModel& model, const QVector<int>& rows);

// Writes text to path as UTF-8; false with *error set when it cannot.
bool writeTextFile(const QString& path, const QString& text, QString* error);

} // namespace rm::ui
