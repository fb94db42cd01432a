#pragma once
// The training monitor: live curves of the running cell (loss per step and per epoch, validation AUC per
// epoch), the project's runs as a checkable list whose ticked runs are overlaid as ROC and PR curves, the
// epoch history of the selected run, a log, and export of every plot as PNG or PDF.
#include "training/TrainingTypes.h"

#include <QWidget>

#include <cstdint>

class QCustomPlot;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QTabWidget;
class QTableWidget;
class QTreeWidget;
class QToolButton;
class QTreeWidgetItem;

namespace rm::ui {

class ProjectSession;

class LossCurvesView;
class RocPrView;
class TrainingController;

class TrainingMonitor : public QWidget
{
    Q_OBJECT
public:
    enum RunColumn
    {
        RunIdColumn = 0,
        CellColumn, // model · mode; the full cell key is its tooltip
        ValAucColumn,
        TestAucColumn,
        StateColumn,
        EpochsColumn,
        TargetSetColumn,
        ExperimentColumn
    };

    explicit TrainingMonitor(TrainingController* controller, QWidget* parent = nullptr);

    void setSession(ProjectSession* session); // null: no project; runs are read through its store
    void refreshRuns();
    // Ticks (or unticks) a run in the list, which overlays (or removes) its ROC and PR curves.
    bool setRunChecked(qint64 runId, bool checked);
    bool selectRun(qint64 runId); // makes it current: its epoch history shows
    void showTab(int index);

    LossCurvesView* curves() const { return m_curves; }
    RocPrView* rocPr() const { return m_rocPr; }
    QTreeWidget* runList() const { return m_runs; }
    QTableWidget* epochTable() const { return m_epochs; }
    QTabWidget* tabs() const { return m_tabs; }
    QString statusText() const;
    QString liveCellKey() const { return m_liveKey; }

Q_SIGNALS:
    void statusMessage(const QString& message);

private:
    void buildExportMenu(QToolButton* button);
    void exportInteractively(QCustomPlot* plot, const QString& name);
    void onCellStarted(const QString& key, qint64 runId, int index, int count);
    void onSteps(const QString& key, const QVector<rm::StepEvent>& steps);
    void onEpoch(const QString& key, qint64 runId, const rm::EpochEvent& epoch);
    void onCellEnded(const QString& key, qint64 runId, const QString& how);
    void onFinished(int cellsDone, bool stopped, const QString& error);
    void showRunHistory(QTreeWidgetItem* item);
    void updateOverlay();
    void log(const QString& line);
    QTreeWidgetItem* itemOf(qint64 runId) const;

    TrainingController* m_controller;
    ProjectSession* m_session = nullptr;
    QLabel* m_status;
    QProgressBar* m_progress;
    QTreeWidget* m_runs;
    QTableWidget* m_epochs;
    QTabWidget* m_tabs;
    LossCurvesView* m_curves;
    RocPrView* m_rocPr;
    QPlainTextEdit* m_log;
    QString m_liveKey;
    qint64 m_liveRun = 0;
    qint64 m_curvesRun = 0; // the run the curves show
    int m_liveIndex = 0, m_liveCount = 0, m_liveEpochs = 0;
    bool m_refreshing = false;
};

} // namespace rm::ui
