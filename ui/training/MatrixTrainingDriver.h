#pragma once
// Drives the training of the matrix the editor shows: starts the TrainingController on the project (every
// cell, or the cells picked in the grid, as `ringminer-cli train --cells` does), turns the run's events into
// the cells' states on the grid model (queued; running with its epoch, fold and progress; done with its AUC;
// failed; cancelled) and reads the states back from the project, which is the record, when asked and when a
// run ends. The matrix editor only edits the matrix and delegates its Start, Run Selected, Pause and Cancel
// here.
#include "training/ExperimentMatrix.h"

#include <QObject>
#include <QString>
#include <QStringList>

namespace rm::ui {

class MatrixGridModel;
class TrainingController;

class MatrixTrainingDriver : public QObject
{
    Q_OBJECT
public:
    MatrixTrainingDriver(TrainingController* controller, MatrixGridModel* grid, QObject* parent = nullptr);

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

    TrainingController* controller() const { return m_controller; }
    QString lastError() const { return m_lastError; }

Q_SIGNALS:
    // Some cell's state changed (the editor's summary line).
    void statesChanged();
    // Training started or the worker is gone (the editor's actions).
    void runningChanged(bool running);
    // Something went wrong: the message to show.
    void failed(const QString& message);

private:
    void fail(const QString& message);
    void markQueued();
    void markRunning(const QString& key, qint64 runId);
    void showFold(const QString& logMessage);

    TrainingController* m_controller;
    MatrixGridModel* m_grid;
    QString m_projectPath;
    QString m_lastError;
};

} // namespace rm::ui
