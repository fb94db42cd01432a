#include "tasks/TaskManager.h"

#include "util/Error.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QPointer>
#include <QTimer>

#include <cmath>
#include <exception>

namespace rm::ui {

// --- TaskContext ------------------------------------------------------------------------------------------

bool TaskContext::due(bool last)
{
    // At most ~30 reports a second: a reader calls this every few thousand rows, training every step.
    if (m_sinceReport.isValid() && m_sinceReport.elapsed() <= 33 && !last) return false;
    m_sinceReport.restart();
    return true;
}

bool TaskContext::progress(std::size_t done, std::size_t total)
{
    if (due(done == total)) {
        const double fraction = total > 0 ? double(done) / double(total) : -1.0;
        const QString text = total > 0 ? QStringLiteral("%L1 of %L2").arg(qint64(done)).arg(qint64(total))
                                       : QStringLiteral("%L1").arg(qint64(done));
        QMetaObject::invokeMethod(
            m_task,
            [task = m_task, done = qint64(done), total = qint64(total), fraction, text] {
                Q_EMIT task->progressCounted(done, total);
                task->setProgress(fraction, text);
            },
            Qt::QueuedConnection);
    }
    return !cancelled();
}

bool TaskContext::setProgress(double fraction, const QString& text)
{
    if (due(fraction >= 1.0))
        QMetaObject::invokeMethod(
            m_task, [task = m_task, fraction, text] { task->setProgress(fraction, text); },
            Qt::QueuedConnection);
    return !cancelled();
}

bool TaskContext::cancelled() const
{
    return m_task->m_cancel.load();
}

void TaskContext::throwIfCancelled() const
{
    if (cancelled()) throw rm::Error("cancelled");
}

void TaskContext::log(const QString& line)
{
    QMetaObject::invokeMethod(
        m_task, [task = m_task, line] { Q_EMIT task->logLine(line); }, Qt::QueuedConnection);
}

// --- Task -------------------------------------------------------------------------------------------------

Task::Task(const QString& name, Function function, Flags flags, QObject* parent)
    : QObject(parent), m_name(name), m_function(std::move(function)), m_flags(flags)
{
}

Task::~Task()
{
    m_cancel = true;
    waitForWorker();
}

void Task::start(QThread::Priority priority)
{
    m_running = true;
    m_clock.start();
    m_thread = QThread::create([this] { runOnWorker(); });
    m_thread->setParent(this);
    m_thread->setObjectName(m_name);
    // Queued: the thread emits it, this object lives on the GUI thread.
    connect(m_thread, &QThread::finished, this, &Task::workerStopped);
    m_thread->start(priority);
}

void Task::runOnWorker()
{
    TaskContext context(this);
    try {
        m_message = m_function(context);
        m_ok = true;
    } catch (const std::exception& e) {
        m_message = QString::fromStdString(e.what());
    } catch (...) {
        m_message = QStringLiteral("unknown error in the worker thread");
    }
}

void Task::workerStopped()
{
    if (!m_running) return;
    m_running = false;
    m_function = {}; // what it holds goes on the GUI thread, where it was made
    Q_EMIT finished(m_ok, m_message);
    if (auto* manager = qobject_cast<TaskManager*>(parent())) manager->taskDone(this);
}

void Task::cancel()
{
    if (!m_running || m_cancel.exchange(true)) return;
    Q_EMIT cancelRequested();
}

void Task::setProgress(double fraction, const QString& text)
{
    if (fraction == m_fraction && text == m_text) return;
    m_fraction = fraction;
    m_text = text;
    Q_EMIT progressChanged(fraction, text);
}

qint64 Task::elapsedMs() const
{
    return m_clock.isValid() ? m_clock.elapsed() : 0;
}

qint64 Task::remainingMs() const
{
    if (!m_running || m_fraction <= 0) return -1;
    if (m_fraction >= 1) return 0;
    return qint64(double(elapsedMs()) * (1.0 - m_fraction) / m_fraction);
}

QString Task::etaText(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0) return tr("ETA —");
    if (seconds < 90) return tr("ETA %1 s").arg(std::lround(seconds));
    if (seconds < 5400) return tr("ETA %1 min").arg(std::lround(seconds / 60));
    return tr("ETA %1 h").arg(seconds / 3600, 0, 'f', 1);
}

bool Task::waitForWorker(int timeoutMs)
{
    if (!m_thread) return true;
    return m_thread->wait(timeoutMs < 0 ? QDeadlineTimer(QDeadlineTimer::Forever)
                                        : QDeadlineTimer(timeoutMs));
}

// --- TaskManager ------------------------------------------------------------------------------------------

TaskManager::TaskManager(QObject* parent) : QObject(parent) {}

TaskManager::~TaskManager()
{
    cancelAll();
    for (Task* t : std::as_const(m_tasks))
        t->waitForWorker();
}

TaskManager* TaskManager::instance()
{
    static QPointer<TaskManager> manager;
    if (!manager) manager = new TaskManager(QCoreApplication::instance());
    return manager;
}

Task* TaskManager::run(const QString& name, Task::Function function, Task::Flags flags,
                       QThread::Priority priority)
{
    auto* task = new Task(name, std::move(function), flags, this);
    m_tasks.append(task);
    Q_EMIT taskAdded(task);
    Q_EMIT countChanged(count());
    task->start(priority);
    return task;
}

void TaskManager::taskDone(Task* task)
{
    m_tasks.removeOne(task);
    Q_EMIT taskFinished(task);
    Q_EMIT countChanged(count());
    task->deleteLater();
}

void TaskManager::cancelAll()
{
    for (Task* t : std::as_const(m_tasks))
        t->cancel();
}

bool TaskManager::waitForAll(int timeoutMs)
{
    if (m_tasks.isEmpty()) return true;
    QEventLoop loop;
    connect(this, &TaskManager::countChanged, &loop, [&loop](int n) {
        if (n == 0) loop.quit();
    });
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
    return m_tasks.isEmpty();
}

} // namespace rm::ui
