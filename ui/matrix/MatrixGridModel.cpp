#include "matrix/MatrixGridModel.h"

#include "training/TimeEstimate.h"

#include <QColor>

namespace rm::ui {

MatrixGridModel::MatrixGridModel(QObject* parent) : QAbstractTableModel(parent) {}

void MatrixGridModel::setMatrix(const rm::ExperimentMatrix& matrix)
{
    // Same rows and columns (a parameter edit): keep the view's current cell and selection.
    if (matrix.targetSets == m_matrix.targetSets && matrixColumns(matrix) == m_columns) {
        m_matrix = matrix;
        if (rowCount() > 0 && columnCount() > 0)
            Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
        return;
    }
    beginResetModel();
    m_matrix = matrix;
    m_columns = matrixColumns(m_matrix);
    endResetModel();
}

QString MatrixGridModel::keyAt(const QModelIndex& index) const
{
    if (!index.isValid() || index.row() >= int(m_matrix.targetSets.size()) ||
        index.column() >= int(m_columns.size()))
        return {};
    return QString::fromStdString(
        cellKey(m_matrix.targetSets[std::size_t(index.row())], m_columns[std::size_t(index.column())]));
}

QModelIndex MatrixGridModel::indexOf(const QString& key) const
{
    for (int r = 0; r < rowCount(); ++r)
        for (int c = 0; c < columnCount(); ++c)
            if (keyAt(index(r, c)) == key) return index(r, c);
    return {};
}

const CellStatus& MatrixGridModel::status(const QString& key) const
{
    static const CellStatus none;
    auto it = m_status.find(key);
    return it == m_status.end() ? none : it->second;
}

void MatrixGridModel::setStatus(const QString& key, const CellStatus& status)
{
    m_status[key] = status;
    const QModelIndex i = indexOf(key);
    if (i.isValid()) Q_EMIT dataChanged(i, i);
}

void MatrixGridModel::clearStatuses()
{
    m_status.clear();
    if (rowCount() > 0 && columnCount() > 0)
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
}

void MatrixGridModel::setEta(const QString& key, double seconds)
{
    if (std::isfinite(seconds))
        m_eta[key] = seconds;
    else
        m_eta.erase(key);
    const QModelIndex i = indexOf(key);
    if (i.isValid()) Q_EMIT dataChanged(i, i);
}

double MatrixGridModel::eta(const QString& key) const
{
    const auto it = m_eta.find(key);
    return it == m_eta.end() ? std::nan("") : it->second;
}

void MatrixGridModel::clearEtas()
{
    if (m_eta.empty()) return;
    m_eta.clear();
    if (rowCount() > 0 && columnCount() > 0)
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
}

int MatrixGridModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_matrix.targetSets.size());
}

int MatrixGridModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_columns.size());
}

QString MatrixGridModel::modeTitle(const std::string& mode)
{
    return QString::fromStdString(mode).replace(QLatin1Char('_'), QLatin1Char(' '));
}

QVariant MatrixGridModel::data(const QModelIndex& index, int role) const
{
    const QString key = keyAt(index);
    if (key.isEmpty()) return {};
    const CellStatus& s = status(key);
    switch (role) {
    case Qt::DisplayRole: {
        const QString state = s.state.isEmpty() ? tr("not run") : s.state;
        // A cross-validated cell shows what cells are compared on: its pooled out-of-fold AUC.
        if (s.state == QLatin1String("done") && std::isfinite(s.cvAuc))
            return tr("%1\nCV AUC %2").arg(state).arg(s.cvAuc, 0, 'f', 3);
        if (s.state == QLatin1String("done") && std::isfinite(s.valAuc))
            return tr("%1\nAUC %2").arg(state).arg(s.valAuc, 0, 'f', 3);
        if (s.state == QLatin1String("running") && !s.detail.isEmpty())
            return tr("%1\n%2").arg(state, s.detail);
        if (s.state == QLatin1String("running") && s.epochs > 0)
            return tr("%1\nepoch %2/%3").arg(state).arg(s.epoch).arg(s.epochs);
        return state;
    }
    case Qt::ToolTipRole: {
        QString tip = QStringLiteral("<b>%1</b><br>").arg(key.toHtmlEscaped());
        tip += tr("state: %1").arg(s.state.isEmpty() ? tr("not run yet") : s.state);
        if (s.runId) tip += tr("<br>run %1").arg(s.runId);
        if (std::isfinite(s.valAuc)) tip += tr("<br>validation ROC AUC %1").arg(s.valAuc, 0, 'f', 4);
        if (std::isfinite(s.testAuc)) tip += tr("<br>test ROC AUC %1").arg(s.testAuc, 0, 'f', 4);
        if (std::isfinite(s.cvAuc))
            tip += tr("<br>cross-validated ROC AUC %1 [%2, %3]")
                       .arg(s.cvAuc, 0, 'f', 3)
                       .arg(s.cvLow, 0, 'f', 3)
                       .arg(s.cvHigh, 0, 'f', 3);
        if (!s.error.isEmpty()) tip += tr("<br>error: %1").arg(s.error.toHtmlEscaped());
        if (std::isfinite(eta(key)))
            tip += (s.state == QLatin1String("running") ? tr("<br>about %1 to go")
                                                        : tr("<br>estimated time: %1 (from one timed step)"))
                       .arg(QString::fromStdString(rm::formatEstimate(eta(key))));
        const nlohmann::json own = cellOverrides(m_matrix, key.toStdString());
        if (!own.empty())
            tip +=
                tr("<br>own parameters: <tt>%1</tt>").arg(QString::fromStdString(own.dump()).toHtmlEscaped());
        return tip;
    }
    case Qt::TextAlignmentRole:
        return int(Qt::AlignCenter);
    case CellKeyRole:
        return key;
    case StateRole:
        return s.state;
    case ValAucRole:
        return s.valAuc;
    case ProgressRole:
        return s.progress;
    case OverriddenRole:
        return !cellOverrides(m_matrix, key.toStdString()).empty();
    case EtaRole:
        return eta(key);
    default:
        return {};
    }
}

QVariant MatrixGridModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole) return {};
    if (orientation == Qt::Vertical) {
        if (section < 0 || section >= int(m_matrix.targetSets.size())) return {};
        const QString name = QString::fromStdString(m_matrix.targetSets[std::size_t(section)]);
        return role == Qt::DisplayRole ? name : tr("target set %1").arg(name);
    }
    if (section < 0 || section >= int(m_columns.size())) return {};
    const MatrixColumn& c = m_columns[std::size_t(section)];
    if (role == Qt::DisplayRole)
        return QStringLiteral("%1\n%2").arg(QString::fromStdString(c.model), modeTitle(c.mode));
    for (const rm::MatrixModel& m : m_matrix.models)
        if (m.name == c.model)
            return tr("%1: %2, %3 channel(s)%4, %5")
                .arg(QString::fromStdString(m.name), QString::fromStdString(m.arch))
                .arg(m.inChannels)
                .arg(m.pretrained.empty() ? tr(", random init")
                                          : tr(", from %1").arg(QString::fromStdString(m.pretrained)))
                .arg(modeTitle(c.mode));
    return {};
}

} // namespace rm::ui
