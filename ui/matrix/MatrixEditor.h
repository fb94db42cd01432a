#pragma once
// The experiment matrix editor: the matrix as a grid (target sets x model/mode columns) with the default 18
// configurations preloaded and pointed at the project's target sets, rows and columns added and removed,
// the training parameters of a cell or of every cell in a form beside the grid, load/save as JSON, each cell
// showing its run's state and validation ROC AUC, and Start / Run Selected / Pause / Cancel of the training,
// which it hands to a MatrixTrainingDriver (ui/training): the editor edits, the driver trains.
#include "training/ExperimentChoice.h"

#include <QString>
#include <QWidget>

#include <cmath>
#include <memory>

class QAction;
class QMessageBox;
class QLabel;
class QLineEdit;
class QMenu;
class QTableView;
class QToolBar;
class QToolButton;

namespace rm {
struct MatrixTimeEstimate;
}

namespace rm::ui {

class BackgroundJob;
class CellConfigForm;
class MatrixGridModel;
class MatrixTrainingDriver;
class ProjectSession;
class TrainingController;

class MatrixEditor : public QWidget
{
    Q_OBJECT
public:
    MatrixEditor(TrainingController* controller, QWidget* parent = nullptr);
    ~MatrixEditor() override;

    // The project whose target sets the rows come from and whose runs fill the cells. On a new project the
    // editor shows its latest experiment's matrix, else the default matrix pointed at its target sets.
    void setSession(ProjectSession* session);
    void setMatrix(const rm::ExperimentMatrix& matrix);
    const rm::ExperimentMatrix& matrix() const;
    QString experimentName() const;
    void setExperimentName(const QString& name);

    // Each returns false, with lastError(), when it did nothing.
    bool addTargetSet(const QString& name);
    bool removeTargetSet(const QString& name);
    bool addColumn(const rm::MatrixModel& model, const QString& mode);
    bool removeColumn(int column);
    bool loadMatrix(const QString& path);
    bool saveMatrix(const QString& path);
    // Start first estimates the queue's time (one timed step per network, on a worker) unless the current
    // estimate is for this matrix; a queue over slowQueueSeconds() on a CPU then asks (slowMatrixPrompt():
    // CPU preset / start anyway / cancel) before training. Returns true when training or its estimate began.
    bool start();
    // Trains only the cells selected in the grid (the same subset as `ringminer-cli train --cells`); the
    // experiment's other cells keep whatever they have.
    bool startSelected();
    // Keys of the cells selected in the grid, in matrix order.
    QStringList selectedCellKeys() const;
    void resetToDefault();
    // Reads every cell's latest run from the project (state, validation AUC).
    void refreshStates();
    // Shows `cellKey`'s parameters in the form, or the matrix defaults for an empty key.
    void editScope(const QString& cellKey);

    // Times the cells still to train and shows each one's estimate in the grid and the queue's in the
    // summary.
    bool estimateTime();
    bool estimating() const;
    BackgroundJob* estimateJob() const { return m_estimateJob; }
    // The current estimate's queue time (NaN when none); the CPU preset's, when it was estimated beside it.
    double estimatedQueueSeconds() const;
    double estimatedPresetSeconds() const { return m_presetSeconds; }
    // The CPU preset (smaller images, fewer epochs) over the current matrix, as experiment "<name>-cpu".
    void applyCpuPreset();
    // The queue time on a CPU above which Start asks first (1 h; tests lower it).
    void setSlowQueueSeconds(double seconds) { m_slowQueueSeconds = seconds; }
    QMessageBox* slowMatrixPrompt() const { return m_slowPrompt; }
    QAction* estimateAction() const { return m_estimateAction; }
    QAction* cpuPresetAction() const { return m_cpuPresetAction; }

    QString lastError() const { return m_lastError; }
    QStringList projectTargetSets() const { return m_projectTargetSets; }
    QTableView* view() const { return m_view; }
    MatrixGridModel* model() const { return m_model; }
    CellConfigForm* form() const { return m_form; }
    QAction* startAction() const { return m_start; }
    QAction* runSelectedAction() const { return m_runSelected; }
    QAction* pauseAction() const { return m_pause; }
    QAction* cancelAction() const { return m_cancel; }
    MatrixTrainingDriver* driver() const { return m_driver; }

Q_SIGNALS:
    void statusMessage(const QString& message);
    void matrixChanged();

private:
    void buildToolBar(QToolBar* bar);
    void applyEdit(const rm::ExperimentMatrix& edited);
    void fail(const QString& message);
    void updateActions();
    void updateSummary();
    void fillAddTargetSetMenu();
    void chooseColumnToAdd();
    void onValueEdited(const QString& scope, const QString& key, const nlohmann::json& value);
    bool startCells(const QStringList& onlyCells);
    bool startEstimate(const QStringList& onlyCells, bool thenStart);
    void estimateDone(const QStringList& onlyCells, bool thenStart);
    bool startTraining(const QStringList& onlyCells);
    QString estimateKey(const QStringList& onlyCells) const;
    void keepRowsInView();
    void onExperimentNameEdited();
    void fillExperimentMenu();
    // Shows the project's experiment `name` (its stored matrix and its runs' states) when it exists; returns
    // false, changing nothing but the states, for a name not yet used (a new experiment of the current
    // matrix).
    bool showStoredExperiment(const QString& name);
    // The project as rm::chooseExperiment needs it (its target sets; stored matrices are read by the caller).
    rm::ProjectExperiments projectExperiments() const;

    ProjectSession* m_session = nullptr;
    QString m_projectPath;
    QStringList m_projectTargetSets;
    MatrixGridModel* m_model;
    MatrixTrainingDriver* m_driver;
    QTableView* m_view;
    CellConfigForm* m_form;
    QLineEdit* m_experiment;
    QMenu* m_experimentMenu;
    QString m_shownExperiment; // the name whose stored matrix is in the grid (edits since then are kept)
    QLabel* m_summary;
    QMenu* m_addTargetSetMenu;
    QAction* m_start;
    QAction* m_runSelected;
    QAction* m_pause;
    QAction* m_cancel;
    QAction* m_removeRow;
    QAction* m_addColumn;
    QAction* m_removeColumn;
    QAction* m_defaults;
    QAction* m_reset;
    QAction* m_estimateAction;
    QAction* m_cpuPresetAction;
    BackgroundJob* m_estimateJob;
    std::shared_ptr<rm::MatrixTimeEstimate> m_estimate; // for m_estimateFor
    QString m_estimateFor;                              // estimateKey() it was made for
    double m_presetSeconds = std::nan("");
    double m_slowQueueSeconds;
    QMessageBox* m_slowPrompt = nullptr;
    QString m_lastError;
};

} // namespace rm::ui
