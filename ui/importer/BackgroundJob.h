#pragma once
// Runs the import wizard's long steps (reading a catalog, storing it, checking images, cross-matching,
// building a target set) one at a time on a worker thread, never on the GUI thread. A job is a function that
// gets a JobContext for progress and cancel; its result comes back through `finished` on the GUI thread, and
// a core error (rm::Error) becomes the message. The job must open its own project connection: SQLite
// connections do not cross threads.
#include <QObject>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>

class QThread;

namespace rm::ui {

class JobRunner;

class JobContext
{
public:
    // Reports progress (total 0: unknown); returns false once the user cancelled.
    bool progress(std::size_t done, std::size_t total);
    bool cancelled() const;
    void throwIfCancelled() const; // rm::Error("cancelled")
    void log(const QString& line);

private:
    friend class JobRunner;
    JobContext(JobRunner* runner, std::shared_ptr<std::atomic<bool>> cancel)
        : m_runner(runner), m_cancel(std::move(cancel))
    {
    }
    JobRunner* m_runner;
    std::shared_ptr<std::atomic<bool>> m_cancel;
};

class BackgroundJob : public QObject
{
    Q_OBJECT
public:
    // Returns the text to show when it succeeds; throws rm::Error (or std::exception) when it fails.
    using Job = std::function<QString(JobContext&)>;

    explicit BackgroundJob(QObject* parent = nullptr);
    ~BackgroundJob() override; // cancels a running job and waits for it

    // Runs on the GUI thread when the job is done, after `finished`.
    using Then = std::function<void(bool ok, const QString& message)>;

    // false when a job is already running.
    bool start(const QString& what, Job job, Then then = {});
    void cancel();
    bool busy() const { return m_busy; }
    QString what() const { return m_what; }
    // For tests: waits (running the event loop) until the job is done; false on timeout.
    bool waitDone(int timeoutMs);

Q_SIGNALS:
    void started(QString what);
    void progress(qint64 done, qint64 total);
    void logLine(QString line);
    void finished(bool ok, QString message);

private:
    void done(bool ok, const QString& message);

    QThread* m_thread;
    JobRunner* m_runner;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    Then m_then;
    bool m_busy = false;
    QString m_what;
};

} // namespace rm::ui
