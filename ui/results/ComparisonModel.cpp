#include "results/ComparisonModel.h"

#include <QFont>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>
#include <QtMath>

#include <cmath>

namespace rm::ui {

namespace {

const std::vector<ComparisonColumn>& columns()
{
    using C = ComparisonColumn;
    static const std::vector<ComparisonColumn> all = {
        {QObject::tr("Run"), QStringLiteral("run"), C::Number, "", ""},
        {QObject::tr("Experiment"), QStringLiteral("experiment"), C::Text, "", ""},
        {QObject::tr("Target set"), QStringLiteral("target_set"), C::Text, "", ""},
        {QObject::tr("Model"), QStringLiteral("model"), C::Text, "", ""},
        {QObject::tr("Mode"), QStringLiteral("mode"), C::Text, "", ""},
        {QObject::tr("State"), QStringLiteral("state"), C::Text, "", ""},
        {QObject::tr("CV ROC AUC"), QStringLiteral("cv_roc_auc"), C::Metric, "cv", "roc_auc"},
        {QObject::tr("CV PR AUC"), QStringLiteral("cv_pr_auc"), C::Metric, "cv", "pr_auc"},
        {QObject::tr("Val ROC AUC"), QStringLiteral("val_roc_auc"), C::Metric, "val", "roc_auc"},
        {QObject::tr("Test ROC AUC"), QStringLiteral("test_roc_auc"), C::Metric, "test", "roc_auc"},
        {QObject::tr("Test PR AUC"), QStringLiteral("test_pr_auc"), C::Metric, "test", "pr_auc"},
        {QObject::tr("Accuracy"), QStringLiteral("test_accuracy"), C::Metric, "test", "accuracy"},
        {QObject::tr("Precision"), QStringLiteral("test_precision"), C::Metric, "test", "precision"},
        {QObject::tr("Recall"), QStringLiteral("test_recall"), C::Metric, "test", "recall"},
        {QObject::tr("F1"), QStringLiteral("test_f1"), C::Metric, "test", "f1"},
        {QObject::tr("Threshold"), QStringLiteral("threshold"), C::Number, "", ""},
        {QObject::tr("Epochs"), QStringLiteral("epochs"), C::Number, "", ""},
        {QObject::tr("Device"), QStringLiteral("device"), C::Text, "", ""},
    };
    return all;
}

QIcon starIcon()
{
    QPixmap pixmap(32, 32);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    QPainterPath star;
    for (int i = 0; i < 10; ++i) {
        const double r = i % 2 ? 6.5 : 15.0;
        const double a = qDegreesToRadians(-90.0 + 36.0 * i);
        const QPointF pt(16 + r * std::cos(a), 16.5 + r * std::sin(a));
        i ? star.lineTo(pt) : star.moveTo(pt);
    }
    star.closeSubpath();
    p.fillPath(star, QColor(242, 184, 36));
    p.setPen(QPen(QColor(150, 100, 10), 1.2));
    p.drawPath(star);
    return QIcon(pixmap);
}

QString numberText(double v, int decimals)
{
    return std::isfinite(v) ? QString::number(v, 'f', decimals) : QString();
}

} // namespace

QString formatMetric(double value, std::optional<rm::MetricInterval> interval)
{
    if (!std::isfinite(value)) return QStringLiteral("—");
    QString text = QString::number(value, 'f', 3);
    if (interval && std::isfinite(interval->low) && std::isfinite(interval->high) &&
        interval->high - interval->low > 1e-12)
        text += QStringLiteral(" [%1, %2]")
                    .arg(QString::number(interval->low, 'f', 2), QString::number(interval->high, 'f', 2));
    return text;
}

ComparisonModel::ComparisonModel(QObject* parent) : QAbstractTableModel(parent), m_star(starIcon()) {}

const ComparisonColumn& ComparisonModel::column(int c)
{
    return columns().at(std::size_t(c));
}

void ComparisonModel::setRuns(const std::vector<RunRow>& runs, const QString& experiment)
{
    beginResetModel();
    m_experiment = experiment;
    m_rows.clear();
    for (const RunRow& r : runs)
        if (experiment.isEmpty() || QString::fromStdString(r.run.experiment) == experiment)
            m_rows.push_back(r);
    findBest();
    endResetModel();
}

int ComparisonModel::rowOfRun(qint64 runId) const
{
    for (std::size_t i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].run.id == runId) return int(i);
    return -1;
}

void ComparisonModel::findBest()
{
    m_best.assign(ColumnCount, NAN);
    for (int c = 0; c < ColumnCount; ++c) {
        if (column(c).kind != ComparisonColumn::Metric) continue;
        for (int r = 0; r < int(m_rows.size()); ++r) {
            const double v = value(r, c);
            if (std::isfinite(v) && !(v <= m_best[std::size_t(c)])) m_best[std::size_t(c)] = v;
        }
    }
}

int ComparisonModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ComparisonModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

double ComparisonModel::value(int row, int c) const
{
    const RunRow& r = m_rows[std::size_t(row)];
    switch (c) {
    case RunId:
        return double(r.run.id);
    case Threshold:
        return r.done() ? r.threshold() : NAN;
    case Epochs:
        return r.run.epochs > 0 || r.done() ? double(r.run.epochs) : NAN;
    default:
        break;
    }
    const ComparisonColumn& col = column(c);
    return col.kind == ComparisonColumn::Metric ? r.metric(col.split, col.metric) : NAN;
}

bool ComparisonModel::hasCrossValidation() const
{
    for (const RunRow& r : m_rows)
        if (!r.cv.empty()) return true;
    return false;
}

std::optional<rm::MetricInterval> ComparisonModel::interval(int row, int c) const
{
    const ComparisonColumn& col = column(c);
    if (col.kind != ComparisonColumn::Metric) return std::nullopt;
    auto i = m_rows[std::size_t(row)].interval(col.split, col.metric);
    if (i && !(i->high - i->low > 1e-12)) return std::nullopt; // a point, not an interval
    return i;
}

bool ComparisonModel::isBest(int row, int c) const
{
    const double best = m_best[std::size_t(c)];
    return std::isfinite(best) && value(row, c) == best;
}

QString ComparisonModel::text(int row, int c) const
{
    const RunRow& r = m_rows[std::size_t(row)];
    switch (c) {
    case RunId:
        return QString::number(r.run.id);
    case Experiment:
        return QString::fromStdString(r.run.experiment);
    case TargetSet:
        return QString::fromStdString(r.run.targetSet);
    case Model:
        return QString::fromStdString(r.run.model);
    case Mode:
        return QString::fromStdString(r.run.mode);
    case State: // the status says what the state means now (a "running" run whose process died, say)
        return QString::fromStdString(r.run.status.empty() ? r.run.state : r.run.status);
    case Threshold:
        return numberText(value(row, c), 3);
    case Epochs:
        return numberText(value(row, c), 0);
    case Device:
        return QString::fromStdString(r.run.device);
    default:
        return formatMetric(value(row, c), interval(row, c));
    }
}

QVariant ComparisonModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= int(m_rows.size())) return {};
    const int row = index.row(), c = index.column();
    const ComparisonColumn& col = column(c);
    switch (role) {
    case Qt::DisplayRole:
        return text(row, c);
    case Qt::ToolTipRole: {
        const RunRow& r = m_rows[std::size_t(row)];
        QString tip = r.title();
        if (!r.run.error.empty()) tip += QStringLiteral("\n") + QString::fromStdString(r.run.error);
        if (isBest(row, c)) tip += tr("\nbest %1 of the runs shown").arg(col.header);
        return tip;
    }
    case Qt::TextAlignmentRole:
        return col.kind == ComparisonColumn::Text ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                                  : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::FontRole:
        if (isBest(row, c)) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case Qt::DecorationRole:
        return isBest(row, c) ? QVariant(m_star) : QVariant();
    case Qt::ForegroundRole: {
        const std::string& state = m_rows[std::size_t(row)].run.state;
        if (c == State && state == "failed") return QColor(214, 69, 65);
        if (c == State && state == "running" && m_rows[std::size_t(row)].run.status == "running")
            return QColor(60, 140, 220);
        return {};
    }
    case SortRole:
        return col.kind == ComparisonColumn::Text ? QVariant(text(row, c)) : QVariant(value(row, c));
    case BestRole:
        return isBest(row, c);
    case RunIdRole:
        return qint64(m_rows[std::size_t(row)].run.id);
    case ValueRole: {
        const double v = value(row, c);
        return std::isfinite(v) ? QVariant(v) : QVariant();
    }
    case LowRole:
    case HighRole: {
        const auto i = interval(row, c);
        return i ? QVariant(role == LowRole ? i->low : i->high) : QVariant();
    }
    default:
        return {};
    }
}

QVariant ComparisonModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount) return {};
    const ComparisonColumn& col = column(section);
    if (role == Qt::DisplayRole) return col.header;
    if (role == Qt::ToolTipRole && col.kind == ComparisonColumn::Metric)
        return tr("%1 split; [95% bootstrap interval]; ★ marks the best run shown")
            .arg(QString::fromStdString(col.split));
    return {};
}

ComparisonSortProxy::ComparisonSortProxy(QObject* parent) : QSortFilterProxyModel(parent)
{
    setSortRole(ComparisonModel::SortRole);
}

bool ComparisonSortProxy::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    const QVariant a = left.data(sortRole()), b = right.data(sortRole());
    if (a.typeId() == QMetaType::Double && b.typeId() == QMetaType::Double) {
        const double x = a.toDouble(), y = b.toDouble();
        const bool xm = !std::isfinite(x), ym = !std::isfinite(y);
        // Missing values stay at the bottom: in descending order "less" is shown last.
        if (xm || ym) return xm != ym && (sortOrder() == Qt::AscendingOrder ? ym : xm);
        if (x != y) return x < y;
    } else {
        const int c = QString::localeAwareCompare(a.toString(), b.toString());
        if (c != 0) return c < 0;
    }
    return left.data(ComparisonModel::RunIdRole).toLongLong() <
           right.data(ComparisonModel::RunIdRole).toLongLong();
}

} // namespace rm::ui
