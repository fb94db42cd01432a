#pragma once
// The one runner of the GUI's long work, after QGIS's QgsTaskManager: a task is a name and a function run on
// a worker thread of its own, never on the GUI thread. The function gets a TaskContext to report progress
// (throttled: at most ~30 reports a second) and to see whether the user cancelled; what it returns is the
// message for success, and what it throws (rm::Error or any std::exception) becomes the failure message: no
// exception crosses the event loop. A Task's signals arrive on the GUI thread, `finished` once its worker
// thread has really stopped. The manager owns its tasks and deletes each one after its `finished` (hold a
// Task* in a QPointer); TaskStatusWidget shows the running ones in the main window's status bar with their
// progress, time left and a Cancel button, so a new kind of job needs no threading code of its own.
//
// A function must open its own project connection: SQLite connections do not cross threads.
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QString>
#include <QThread>

#include <atomic>
#include <cstddef>
#include <functional>

namespace rm::ui {

class Task;

// The worker's side of a task. Used only on the task's worker thread.
class TaskContext
{
public:
    // Progress in items (total 0: unknown); returns false once the user cancelled.
    bool progress(std::size_t done, std::size_t total);
    // Progress as a fraction (0..1; negative: unknown) and a line saying where the work is; returns false
    // once the user cancelled.
    bool setProgress(double fraction, const QString& text = {});
    bool cancelled() const;
    void throwIfCancelled() const; // rm::Error("cancelled")
    void log(const QString& line);

private:
    friend class Task;
    explicit TaskContext(Task* task) : m_task(task) {}
    bool due(bool last);
    Task* m_task;
    QElapsedTimer m_sinceReport;
};

class Task : public QObject
{
    Q_OBJECT
public:
    // Returns the text to show when it succeeds; throws when it fails.
    using Function = std::function<QString(TaskContext&)>;
    enum Flag
    {
        NoFlags = 0,
        Hidden = 0x1, // not listed in the status bar (short jobs such as a saliency map)
    };
    Q_DECLARE_FLAGS(Flags, Flag)

    ~Task() override; // cancels a running worker and waits for it

    QString name() const { return m_name; }
    Flags flags() const { return m_flags; }
    bool isRunning() const { return m_running; } // until `finished`
    bool isCancelled() const { return m_cancel.load(); }
    double fraction() const { return m_fraction; } // negative: unknown
    QString progressText() const { return m_text; }
    qint64 elapsedMs() const;
    // The time left, from the time spent and the fraction done; -1 while there is no estimate.
    qint64 remainingMs() const;
    // "ETA 42 s", "ETA 12 min", "ETA 1.5 h"; "ETA —" for a negative or unknown (NaN) time. Every panel that
    // shows a time left says it this way.
    static QString etaText(double remainingSeconds);
    // Blocks, without an event loop, until the worker thread has stopped (for destructors); false on timeout.
    bool waitForWorker(int timeoutMs = -1);

public Q_SLOTS:
    // Asks the work to stop: TaskContext::cancelled() turns true and `cancelRequested` tells a task whose
    // work stops some other way (training's pause and cancel).
    void cancel();
    // Progress known on the GUI thread.
    void setProgress(double fraction, const QString& text = {});

Q_SIGNALS:
    void progressChanged(double fraction, const QString& text);
    void progressCounted(qint64 done, qint64 total); // from TaskContext::progress
    void logLine(const QString& line);
    void cancelRequested();
    void finished(bool ok, const QString& message);

private:
    friend class TaskContext;
    friend class TaskManager;
    Task(const QString& name, Function function, Flags flags, QObject* parent);
    void start(QThread::Priority priority);
    void runOnWorker();
    void workerStopped();

    QString m_name;
    Function m_function;
    Flags m_flags;
    QThread* m_thread = nullptr;
    std::atomic<bool> m_cancel{false};
    bool m_running = false;
    double m_fraction = -1;
    QString m_text;
    QElapsedTimer m_clock;
    // Written by the worker before its thread stops, read on the GUI thread after.
    bool m_ok = false;
    QString m_message;
};

class TaskManager : public QObject
{
    Q_OBJECT
public:
    explicit TaskManager(QObject* parent = nullptr);
    ~TaskManager() override; // cancels every task and waits for its worker

    // The application's manager, made on first use as a child of the QCoreApplication.
    static TaskManager* instance();

    // Starts `function` on a new worker thread; the task is running when this returns.
    Task* run(const QString& name, Task::Function function, Task::Flags flags = Task::NoFlags,
              QThread::Priority priority = QThread::InheritPriority);
    // The running tasks, oldest first.
    QList<Task*> tasks() const { return m_tasks; }
    int count() const { return int(m_tasks.size()); }
    void cancelAll();
    // For tests: waits (running the event loop) until no task runs; false on timeout.
    bool waitForAll(int timeoutMs);

Q_SIGNALS:
    void taskAdded(rm::ui::Task* task);
    // After the task's own `finished`; the task is deleted later.
    void taskFinished(rm::ui::Task* task);
    void countChanged(int count);

private:
    friend class Task;
    void taskDone(Task* task);

    QList<Task*> m_tasks;
};

} // namespace rm::ui

Q_DECLARE_OPERATORS_FOR_FLAGS(rm::ui::Task::Flags)
