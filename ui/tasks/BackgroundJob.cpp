#include "tasks/BackgroundJob.h"

#include <QEventLoop>
#include <QTimer>

namespace rm::ui {

BackgroundJob::BackgroundJob(QObject* parent, TaskManager* manager)
    : QObject(parent), m_manager(manager ? manager : TaskManager::instance())
{
}

BackgroundJob::~BackgroundJob()
{
    if (!m_task) return;
    disconnect(m_task, nullptr, this, nullptr);
    m_task->cancel();
    m_task->waitForWorker();
}

bool BackgroundJob::start(const QString& what, Job job, Then then)
{
    if (m_task) return false;
    m_then = std::move(then);
    m_what = what;
    m_task = m_manager->run(what, std::move(job), m_flags);
    connect(m_task, &Task::progressCounted, this, &BackgroundJob::progress);
    connect(m_task, &Task::logLine, this, &BackgroundJob::logLine);
    connect(m_task, &Task::finished, this, &BackgroundJob::done);
    Q_EMIT started(what);
    return true;
}

void BackgroundJob::cancel()
{
    if (m_task) m_task->cancel();
}

void BackgroundJob::done(bool ok, const QString& message)
{
    m_task = nullptr;
    Then then = std::move(m_then);
    m_then = {};
    Q_EMIT finished(ok, message);
    if (then) then(ok, message);
}

bool BackgroundJob::waitDone(int timeoutMs)
{
    if (!m_task) return true;
    QEventLoop loop;
    connect(this, &BackgroundJob::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
    return !m_task;
}

} // namespace rm::ui
