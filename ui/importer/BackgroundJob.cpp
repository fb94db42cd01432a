#include "importer/BackgroundJob.h"

#include "util/Error.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QThread>
#include <QTimer>

namespace rm::ui {

// Lives on the worker thread; its signals reach BackgroundJob queued, on the GUI thread.
class JobRunner : public QObject
{
    Q_OBJECT
public:
    void run(BackgroundJob::Job job, std::shared_ptr<std::atomic<bool>> cancel)
    {
        JobContext context(this, std::move(cancel));
        bool ok = false;
        QString message;
        try {
            message = job(context);
            ok = true;
        } catch (const std::exception& e) {
            message = QString::fromStdString(e.what());
        }
        Q_EMIT done(ok, message);
    }

Q_SIGNALS:
    void progress(qint64 done, qint64 total);
    void logLine(QString line);
    void done(bool ok, QString message);

private:
    friend class JobContext;
    QElapsedTimer m_sinceReport;
};

bool JobContext::progress(std::size_t done, std::size_t total)
{
    // At most ~30 reports a second: a reader calls this every few thousand rows.
    if (!m_runner->m_sinceReport.isValid() || m_runner->m_sinceReport.elapsed() > 33 || done == total) {
        m_runner->m_sinceReport.restart();
        Q_EMIT m_runner->progress(qint64(done), qint64(total));
    }
    return !cancelled();
}

bool JobContext::cancelled() const
{
    return m_cancel->load();
}

void JobContext::throwIfCancelled() const
{
    if (cancelled()) throw rm::Error("cancelled");
}

void JobContext::log(const QString& line)
{
    Q_EMIT m_runner->logLine(line);
}

BackgroundJob::BackgroundJob(QObject* parent)
    : QObject(parent), m_thread(new QThread(this)), m_runner(new JobRunner),
      m_cancel(std::make_shared<std::atomic<bool>>(false))
{
    m_thread->setObjectName(QStringLiteral("import worker"));
    m_runner->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_runner, &QObject::deleteLater);
    connect(m_runner, &JobRunner::progress, this, &BackgroundJob::progress);
    connect(m_runner, &JobRunner::logLine, this, &BackgroundJob::logLine);
    connect(m_runner, &JobRunner::done, this, &BackgroundJob::done);
    m_thread->start();
}

BackgroundJob::~BackgroundJob()
{
    m_cancel->store(true);
    m_thread->quit();
    m_thread->wait();
}

bool BackgroundJob::start(const QString& what, Job job, Then then)
{
    if (m_busy) return false;
    m_busy = true;
    m_then = std::move(then);
    m_what = what;
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    Q_EMIT started(what);
    QMetaObject::invokeMethod(
        m_runner, [runner = m_runner, job = std::move(job), cancel = m_cancel] { runner->run(job, cancel); },
        Qt::QueuedConnection);
    return true;
}

void BackgroundJob::cancel()
{
    m_cancel->store(true);
}

void BackgroundJob::done(bool ok, const QString& message)
{
    m_busy = false;
    Then then = std::move(m_then);
    m_then = {};
    Q_EMIT finished(ok, message);
    if (then) then(ok, message);
}

bool BackgroundJob::waitDone(int timeoutMs)
{
    if (!m_busy) return true;
    QEventLoop loop;
    connect(this, &BackgroundJob::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
    return !m_busy;
}

} // namespace rm::ui

#include "BackgroundJob.moc"
