#include "results/ComparisonExport.h"

#include "results/ComparisonModel.h"

#include <QSaveFile>

#include <cmath>

namespace rm::ui {

namespace {

QString csvField(const QString& s)
{
    if (!s.contains(QLatin1Char(',')) && !s.contains(QLatin1Char('"')) && !s.contains(QLatin1Char('\n')))
        return s;
    QString q = s;
    q.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + q + QLatin1Char('"');
}

// Full precision: a CSV is for computing with, not reading.
QString csvNumber(double v)
{
    return std::isfinite(v) ? QString::number(v, 'g', 17) : QString();
}

QString markdownCell(QString s)
{
    s.replace(QLatin1Char('|'), QStringLiteral("\\|"));
    s.replace(QLatin1Char('\n'), QLatin1Char(' '));
    return s;
}

} // namespace

QString comparisonCsv(const ComparisonModel& model, const QVector<int>& rows)
{
    QStringList header;
    for (int c = 0; c < ComparisonModel::ColumnCount; ++c) {
        const ComparisonColumn& col = ComparisonModel::column(c);
        header << col.csvName;
        if (col.kind == ComparisonColumn::Metric)
            header << col.csvName + QStringLiteral("_low") << col.csvName + QStringLiteral("_high");
    }
    QString out = header.join(QLatin1Char(',')) + QLatin1Char('\n');
    for (int row : rows) {
        QStringList fields;
        for (int c = 0; c < ComparisonModel::ColumnCount; ++c) {
            const ComparisonColumn& col = ComparisonModel::column(c);
            switch (col.kind) {
            case ComparisonColumn::Text:
                fields << csvField(model.text(row, c));
                break;
            case ComparisonColumn::Number:
                fields << csvNumber(model.value(row, c));
                break;
            case ComparisonColumn::Metric: {
                const auto i = model.interval(row, c);
                fields << csvNumber(model.value(row, c)) << (i ? csvNumber(i->low) : QString())
                       << (i ? csvNumber(i->high) : QString());
                break;
            }
            }
        }
        out += fields.join(QLatin1Char(',')) + QLatin1Char('\n');
    }
    return out;
}

QString comparisonMarkdown(const ComparisonModel& model, const QVector<int>& rows)
{
    // The cross-validated columns only where some cell was cross-validated, as in the panel.
    QVector<int> columns;
    for (int c = 0; c < ComparisonModel::ColumnCount; ++c)
        if (model.hasCrossValidation() || (c != ComparisonModel::CvRocAuc && c != ComparisonModel::CvPrAuc))
            columns << c;
    QStringList header, rule;
    for (int c : columns) {
        const ComparisonColumn& col = ComparisonModel::column(c);
        header << markdownCell(col.header);
        rule << (col.kind == ComparisonColumn::Text ? QStringLiteral("---") : QStringLiteral("---:"));
    }
    QString out = QStringLiteral("| ") + header.join(QStringLiteral(" | ")) + QStringLiteral(" |\n| ") +
                  rule.join(QStringLiteral(" | ")) + QStringLiteral(" |\n");
    for (int row : rows) {
        QStringList cells;
        for (int c : columns) {
            QString cell = markdownCell(model.text(row, c));
            if (model.isBest(row, c)) {
                // Only the value is bold: "**0.912** [0.87, 0.95]".
                const int space = cell.indexOf(QLatin1Char(' '));
                cell = space < 0 ? QStringLiteral("**%1**").arg(cell)
                                 : QStringLiteral("**%1**%2").arg(cell.left(space), cell.mid(space));
            }
            cells << cell;
        }
        out += QStringLiteral("| ") + cells.join(QStringLiteral(" | ")) + QStringLiteral(" |\n");
    }
    out += QStringLiteral("\nTest-split metrics at the threshold chosen on validation; [95% bootstrap "
                          "interval]; **bold** = best of the runs listed.");
    if (model.hasCrossValidation())
        out += QStringLiteral(" CV = cross-validated (pooled out-of-fold scores, mean over repeats).");
    out += QLatin1Char('\n');
    return out;
}

bool writeTextFile(const QString& path, const QString& text, QString* error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text) || file.write(text.toUtf8()) < 0 ||
        !file.commit()) {
        if (error) *error = QObject::tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace rm::ui
