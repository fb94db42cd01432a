#pragma once
// The comparison table: one row per run of the project (optionally of one experiment) with its metrics.
// Metric cells show "0.912 [0.87, 0.95]" (value with its 95% bootstrap interval where the run recorded one)
// and sort by value through SortRole; the best value of each metric column among the rows shown is marked
// (BestRole, bold, a star). Accuracy, precision, recall and F1 are the test split's, at the threshold chosen
// on validation.
#include "results/RunResults.h"

#include <QAbstractTableModel>
#include <QIcon>
#include <QSortFilterProxyModel>

#include <vector>

namespace rm::ui {

struct ComparisonColumn
{
    enum Kind
    {
        Text,
        Metric, // higher is better; the best is marked
        Number  // a plain number (threshold, epochs)
    };
    QString header;
    QString csvName;
    Kind kind = Text;
    std::string split, metric; // for Metric and Number columns read from the metrics table
};

class ComparisonModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        RunId,
        Experiment,
        TargetSet,
        Model,
        Mode,
        State,
        CvRocAuc, // cross-validated (pooled out-of-fold) ROC AUC: what to compare on small label sets
        CvPrAuc,
        ValRocAuc,
        TestRocAuc,
        TestPrAuc,
        Accuracy,
        Precision,
        Recall,
        F1,
        Threshold,
        Epochs,
        Device,
        ColumnCount
    };
    enum Role
    {
        SortRole = Qt::UserRole + 1, // double for numbers (NaN when missing), QString otherwise
        BestRole,                    // bool
        RunIdRole,                   // qint64
        ValueRole,                   // QVariant(): missing; else the double value
        LowRole,                     // CI bounds; QVariant() when the run recorded no interval
        HighRole
    };

    explicit ComparisonModel(QObject* parent = nullptr);
    static const ComparisonColumn& column(int c);

    // Rebuilds from the results' runs (those of `experiment`, or all when it is empty).
    void setRuns(const std::vector<RunRow>& runs, const QString& experiment = {});
    QString experiment() const { return m_experiment; }
    const RunRow& runAt(int row) const { return m_rows[std::size_t(row)]; }
    int rowOfRun(qint64 runId) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // For the writers: the cell's value (NaN when missing) and its interval if recorded.
    double value(int row, int column) const;
    // Whether any row shown has cross-validated metrics (the panel hides the CV columns otherwise).
    bool hasCrossValidation() const;
    std::optional<rm::MetricInterval> interval(int row, int column) const;
    QString text(int row, int column) const; // as displayed
    bool isBest(int row, int column) const;

private:
    void findBest();

    std::vector<RunRow> m_rows;
    QString m_experiment;
    std::vector<double> m_best; // per column; NaN when the column has no best
    QIcon m_star;
};

// Sorts by SortRole: numbers as numbers, missing values (NaN) below every number whichever way it sorts.
class ComparisonSortProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit ComparisonSortProxy(QObject* parent = nullptr);

protected:
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;
};

// "0.912 [0.87, 0.95]" (no brackets when the interval is a single point or missing).
QString formatMetric(double value, std::optional<rm::MetricInterval> interval);

} // namespace rm::ui
