#pragma once
// The experiment matrix as a table: one row per target set, one column per (model, fine-tune mode), each
// cell one training run with its state (queued, running, done, failed, cancelled) and headline metric
// (validation ROC AUC) as the project records them and as the training controller reports them live.
#include "training/ExperimentMatrix.h"
#include "training/MatrixEdits.h"

#include <QAbstractTableModel>
#include <QString>

#include <cmath>
#include <map>
#include <string>

namespace rm::ui {

struct CellStatus
{
    QString
        state; // "" (never run), "queued", "running", "paused", "interrupted", "done", "failed", "cancelled"
    qint64 runId = 0;
    double valAuc = std::nan("");
    double testAuc = std::nan("");
    double cvAuc = std::nan(""), cvLow = std::nan(""), cvHigh = std::nan(""); // cross-validated cells
    QString error;
    QString detail;            // running: what part of the cell runs now ("cv fold 2/5")
    int epoch = 0, epochs = 0; // running: epochs finished of epochs planned
    double progress = 0;       // running: fraction of the whole run
};

class MatrixGridModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Role
    {
        CellKeyRole = Qt::UserRole + 1, // QString
        StateRole,                      // QString
        ValAucRole,                     // double (NaN when not done)
        ProgressRole,                   // double in [0, 1]
        OverriddenRole,                 // bool: the cell has its own parameters
        EtaRole                         // double: seconds still to go (estimate or live), NaN = unknown
    };

    explicit MatrixGridModel(QObject* parent = nullptr);

    void setMatrix(const rm::ExperimentMatrix& matrix);
    const rm::ExperimentMatrix& matrix() const { return m_matrix; }
    const std::vector<MatrixColumn>& columns() const { return m_columns; }
    QString keyAt(const QModelIndex& index) const;
    QModelIndex indexOf(const QString& cellKey) const;

    const CellStatus& status(const QString& cellKey) const;
    void setStatus(const QString& cellKey, const CellStatus& status);
    void clearStatuses();

    // Time still to go per cell: the time estimate before a run, the live remaining time while it runs. Kept
    // apart from the statuses, which are re-read from the project.
    void setEta(const QString& cellKey, double seconds);
    double eta(const QString& cellKey) const;
    void clearEtas();

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString modeTitle(const std::string& mode); // "head only"

private:
    rm::ExperimentMatrix m_matrix;
    std::vector<MatrixColumn> m_columns;
    std::map<QString, CellStatus> m_status;
    std::map<QString, double> m_eta;
};

} // namespace rm::ui
