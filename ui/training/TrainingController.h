#pragma once
// Runs an experiment matrix (rm::RunQueue::run) as a task of the TaskManager (its worker thread, its line in
// the status bar with the training's progress and a Cancel that cancels the training) and reports the run's
// events on the GUI thread as signals. The worker never calls into the GUI: it appends events to a locked
// queue and wakes the GUI only for events that matter at once (a cell starting or finishing, an epoch);
// training steps, which can come hundreds of times a second on a GPU, are collected and delivered in batches
// at most kStepBatchesPerSecond times a second, so the GUI thread is never flooded. Pause and cancel go to
// the run queue through an atomic.
//
// Nothing here blocks the GUI thread: start() returns at once, stopping is a request, and `finished` says
// when the worker is done. Only destroying a controller whose worker still runs waits (after cancelling),
// which closeWhenStopped() lets a window avoid.
#include "tasks/TaskManager.h"
#include "training/TrainingTypes.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>

class QWidget;

namespace rm::ui {

struct TrainingRequest
{
    QString projectPath;
    rm::ExperimentMatrix matrix;
    QString experimentName;
    rm::RunQueueOptions options;
    // The editor is the source of truth: an experiment of the same name takes the edited matrix (runs of
    // cells that did not change keep their results).
    bool replaceMatrix = true;
};

// What the worker and the GUI thread share; outlives both through shared_ptr.
struct TrainingChannel
{
    std::mutex mutex;
    std::deque<rm::RunEvent> events;
    bool wakePending = false;
    std::atomic<int> stop{int(rm::StopRequest::None)};
    std::atomic<int> cellsDone{0}; // what RunQueue::run returned
};

class TrainingController : public QObject
{
    Q_OBJECT
public:
    static constexpr int kStepBatchesPerSecond = 20;

    // tasks nullptr: the application's (TaskManager::instance()).
    explicit TrainingController(QObject* parent = nullptr, TaskManager* tasks = nullptr);
    ~TrainingController() override; // cancels and waits for a running worker

    // Validates the matrix (its cells) and starts the worker. Returns false, with lastError(), when a run is
    // already going or the matrix does not validate.
    bool start(const TrainingRequest& request);
    void pause();  // finish the current epoch, keep the checkpoint, leave the cell queued
    void cancel(); // stop within a step, mark the running cell cancelled

    bool isRunning() const { return m_task != nullptr; }
    // The running training's task (nullptr when none runs).
    Task* task() const { return m_task; }
    bool isStopping() const;
    QString lastError() const { return m_lastError; }
    const TrainingRequest& request() const { return m_request; }
    // The planned configuration of a cell of the running (or last) request.
    std::optional<rm::MatrixCell> cell(const QString& key) const;
    int stepBatchesDelivered() const { return m_stepBatches; }

    // For a window's closeEvent: true when nothing runs. Otherwise asks (without a nested event loop)
    // whether to stop training; on yes it cancels and closes `window` once the worker has finished.
    bool closeWhenStopped(QWidget* window);

Q_SIGNALS:
    void started(const QString& experiment, int cellCount);
    void cellStarted(const QString& key, qint64 runId, int index, int count);
    void cellSkipped(const QString& key, qint64 runId, int index, int count);
    void stepsArrived(const QString& key, const QVector<rm::StepEvent>& steps);
    void epochFinished(const QString& key, qint64 runId, const rm::EpochEvent& epoch);
    void cellFinished(const QString& key, qint64 runId, double valAuc, double testAuc);
    void cellFailed(const QString& key, qint64 runId, const QString& message);
    void cellCancelled(const QString& key, qint64 runId);
    void logMessage(const QString& message);
    void stopRequested(rm::StopRequest request);
    // The worker is gone. `error` is set when the run queue itself failed (not a single cell).
    void finished(int cellsDone, bool stopped, const QString& error);

private:
    void drain();
    void taskDone(bool ok, const QString& message);
    void deliver(const rm::RunEvent& event);

    TaskManager* m_tasks;
    std::shared_ptr<TrainingChannel> m_channel;
    QPointer<Task> m_task;
    QTimer m_stepTimer;
    TrainingRequest m_request;
    std::vector<rm::MatrixCell> m_cells;
    QString m_lastError;
    int m_stepBatches = 0;
    bool m_closePending = false;
};

} // namespace rm::ui
