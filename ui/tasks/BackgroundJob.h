#pragma once
// One kind of long step at a time through the TaskManager, for a panel or a wizard that runs its steps one
// after another (reading a catalog, storing it, checking images, cross-matching, building a target set,
// mining, a saliency map): start() refuses while a step runs, and the step's result comes back through
// `finished` and the optional `then` on the GUI thread. The step itself is a Task::Function: it gets a
// TaskContext for progress and cancel, returns the text to show and throws rm::Error when it fails. It must
// open its own project connection: SQLite connections do not cross threads.
#include "tasks/TaskManager.h"

#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>

namespace rm::ui {

class BackgroundJob : public QObject
{
    Q_OBJECT
public:
    using Job = Task::Function;

    // manager nullptr: the application's (TaskManager::instance()).
    explicit BackgroundJob(QObject* parent = nullptr, TaskManager* manager = nullptr);
    ~BackgroundJob() override; // cancels a running job and waits for it

    // Runs on the GUI thread when the job is done, after `finished`.
    using Then = std::function<void(bool ok, const QString& message)>;

    // Flags of the tasks started from now on (Task::Hidden for short jobs the status bar need not list).
    void setTaskFlags(Task::Flags flags) { m_flags = flags; }
    // false when a job is already running.
    bool start(const QString& what, Job job, Then then = {});
    void cancel();
    bool busy() const { return m_task != nullptr; }
    QString what() const { return m_what; }
    // The running job's task (nullptr when none runs).
    Task* task() const { return m_task; }
    // For tests: waits (running the event loop) until the job is done; false on timeout.
    bool waitDone(int timeoutMs);

Q_SIGNALS:
    void started(QString what);
    void progress(qint64 done, qint64 total);
    void logLine(QString line);
    void finished(bool ok, QString message);

private:
    void done(bool ok, const QString& message);

    TaskManager* m_manager;
    QPointer<Task> m_task;
    Task::Flags m_flags = Task::NoFlags;
    Then m_then;
    QString m_what;
};

} // namespace rm::ui
