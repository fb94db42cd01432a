#pragma once
// Drives the training of the matrix the editor shows: starts the TrainingController on the project (every
// cell, or the cells picked in the grid, as `ringminer-cli train --cells` does), turns the run's events into
// the cells' states on the grid model (queued; running with its epoch, fold and progress; done with its AUC;
// failed; cancelled) and reads the states back from the project, which is the record, when asked and when a
// run ends. The matrix editor only edits the matrix and delegates its Start, Run Selected, Pause and Cancel
// here.
#include "training/ExperimentMatrix.h"

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QStringList>

#include <map>
#include <memory>

namespace rm {
class QueueEta;
struct MatrixTimeEstimate;
} // namespace rm

namespace rm::ui {

class MatrixGridModel;
class TrainingController;

class MatrixTrainingDriver : public QObject
{
    Q_OBJECT
public:
    MatrixTrainingDriver(TrainingController* controller, MatrixGridModel* grid, QObject* parent = nullptr);
    ~MatrixTrainingDriver() override;

    // The project trained and read; empty: none.
    void setProjectPath(const QString& path);
    QString projectPath() const { return m_projectPath; }

    // Trains `matrix` as experiment `experiment` (only `onlyCells` when given). Returns false, with
    // lastError() and `failed`, when it did not start.
    bool start(const rm::ExperimentMatrix& matrix, const QString& experiment, const QStringList& onlyCells);
    void pause();
    void cancel();
    bool isRunning() const;
    // Reads every cell's latest run of `experiment` from the project into the grid (cleared without a
    // project).
    void refreshStates(const QString& experiment);

    // The time estimate of the queue about to run: the grid shows each cell's time to go, live once a cell
    // runs (its own step rate), and queueEtaChanged tells the whole queue's.
    void setEstimate(const rm::MatrixTimeEstimate& estimate);
    void clearEstimate();
    double queueRemainingSeconds() const; // NaN without an estimate

    TrainingController* controller() const { return m_controller; }
    QString lastError() const { return m_lastError; }

Q_SIGNALS:
    // Some cell's state changed (the editor's summary line).
    void statesChanged();
    // Training started or the worker is gone (the editor's actions).
    void runningChanged(bool running);
    // Something went wrong: the message to show.
    void failed(const QString& message);
    // The queue's remaining time changed (seconds; NaN when unknown).
    void queueEtaChanged(double seconds);

private:
    void fail(const QString& message);
    void markQueued();
    void markRunning(const QString& key, qint64 runId);
    void showFold(const QString& logMessage);

    TrainingController* m_controller;
    MatrixGridModel* m_grid;
    void updateEta(const QString& key, double fraction);

    QString m_projectPath;
    QString m_lastError;
    std::unique_ptr<rm::QueueEta> m_eta;
    std::map<QString, QElapsedTimer> m_cellClock;
    std::map<QString, bool> m_cvCell; // cross-validated: the step fraction restarts with every fold
};

} // namespace rm::ui
