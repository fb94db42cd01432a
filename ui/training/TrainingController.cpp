#include "training/TrainingController.h"

#include "shell/BackgroundPriority.h"
#include "tasks/TaskManager.h"
#include "util/Error.h"

#include <QMessageBox>
#include <QWidget>

#include <algorithm>
#include <exception>
#include <map>

namespace rm::ui {

namespace {

// Where a run of the queue has got, for the task's line in the status bar: each cell counts as one, a running
// cell by the share of its epochs done. Lives on the training thread.
class ProgressLine
{
public:
    explicit ProgressLine(const std::vector<rm::MatrixCell>& cells)
    {
        for (const rm::MatrixCell& c : cells)
            m_epochs[c.key] = std::max(1, c.config.epochs);
    }

    // Returns whether the event moves the line.
    bool add(const rm::RunEvent& e)
    {
        using K = rm::RunEvent::Kind;
        if (e.cellCount > 0) m_count = e.cellCount;
        switch (e.kind) {
        case K::CellStarted:
            m_share[e.cellKey] = 0;
            m_cell = QStringLiteral("%1/%2 %3")
                         .arg(e.cellIndex + 1)
                         .arg(e.cellCount)
                         .arg(QString::fromStdString(e.cellKey));
            return true;
        case K::Step:
            m_share[e.cellKey] =
                (e.step.epoch + double(e.step.step + 1) / std::max(1, e.step.stepsPerEpoch)) /
                epochsOf(e.cellKey);
            return true;
        case K::Epoch:
            m_share[e.cellKey] = (e.epoch.epoch + 1.0) / epochsOf(e.cellKey);
            return true;
        case K::CellSkipped:
        case K::CellFinished:
        case K::CellFailed:
        case K::CellCancelled:
            m_share[e.cellKey] = 1;
            return true;
        default:
            return false;
        }
    }

    double fraction() const
    {
        if (m_count <= 0) return -1;
        double sum = 0;
        for (const auto& [key, share] : m_share)
            sum += std::min(share, 1.0);
        return std::min(1.0, sum / m_count);
    }
    QString text() const { return m_cell; }

private:
    int epochsOf(const std::string& key) const
    {
        const auto it = m_epochs.find(key);
        return it == m_epochs.end() ? 1 : it->second;
    }

    std::map<std::string, int> m_epochs;
    std::map<std::string, double> m_share;
    int m_count = 0;
    QString m_cell;
};

} // namespace

TrainingController::TrainingController(QObject* parent, TaskManager* tasks)
    : QObject(parent), m_tasks(tasks ? tasks : TaskManager::instance())
{
    qRegisterMetaType<rm::StepEvent>();
    qRegisterMetaType<rm::EpochEvent>();
    qRegisterMetaType<QVector<rm::StepEvent>>();
    m_stepTimer.setInterval(1000 / kStepBatchesPerSecond);
    connect(&m_stepTimer, &QTimer::timeout, this, &TrainingController::drain);
}

TrainingController::~TrainingController()
{
    if (!m_task) return;
    // Last resort (a window should have used closeWhenStopped): cancel stops within one training step.
    m_channel->stop = int(rm::StopRequest::Cancel);
    disconnect(m_task, nullptr, this, nullptr);
    m_task->waitForWorker();
}

bool TrainingController::start(const TrainingRequest& request)
{
    if (m_task) {
        m_lastError = tr("Training is already running");
        return false;
    }
    try {
        m_cells = request.matrix.cells(); // a bad cell is reported here, not minutes later
    } catch (const std::exception& e) {
        m_lastError = QString::fromStdString(e.what());
        return false;
    }
    if (m_cells.empty()) {
        m_lastError = tr("The matrix has no cells: add a target set and a model");
        return false;
    }
    int cellCount = int(m_cells.size());
    if (const auto& only = request.options.onlyCells; !only.empty()) {
        cellCount = int(std::count_if(m_cells.begin(), m_cells.end(), [&only](const rm::MatrixCell& c) {
            return std::any_of(only.begin(), only.end(),
                               [&c](const std::string& p) { return rm::cellKeyMatches(p, c.key); });
        }));
        if (cellCount == 0) {
            m_lastError = tr("None of the selected cells is in the matrix");
            return false;
        }
    }
    m_request = request;
    m_lastError.clear();
    m_stepBatches = 0;
    m_closePending = false;
    m_channel = std::make_shared<TrainingChannel>();

    // The worker never calls into the GUI: it appends the run's events to the channel and wakes this
    // object (queued) only for those that matter at once; steps wait for the batch timer.
    const auto channel = m_channel;
    const auto push = [this, channel](const rm::RunEvent& e) {
        bool wake = false;
        {
            std::lock_guard<std::mutex> lock(channel->mutex);
            channel->events.push_back(e);
            if (e.kind != rm::RunEvent::Kind::Step && !channel->wakePending) {
                channel->wakePending = true;
                wake = true;
            }
        }
        if (wake)
            QMetaObject::invokeMethod(
                this, [this] { drain(); }, Qt::QueuedConnection);
    };
    Task::Function work = [request, channel, push, cells = m_cells](TaskContext& context) -> QString {
        // Training is background work: below normal priority, the GUI thread gets a core as soon as it
        // wakes, even when LibTorch keeps every core busy. On Linux niceness is per thread and inherited by
        // the threads this one starts (LibTorch's pool, the image loaders); the task's thread is its own.
        lowerCurrentThreadPriority(kTrainingNiceness);
        ProgressLine line(cells);
        // What core throws becomes the task's failure message (never crossing the event loop).
        try {
            rm::RunQueue queue(request.projectPath.toStdString(), request.matrix,
                               request.experimentName.toStdString(), request.options, request.replaceMatrix);
            channel->cellsDone = queue.run(
                [&](const rm::RunEvent& e) {
                    push(e);
                    if (line.add(e)) context.setProgress(line.fraction(), line.text());
                },
                &channel->stop);
        } catch (const std::exception&) {
            throw;
        } catch (...) {
            throw rm::Error("unknown error in the training thread");
        }
        return {};
    };
    m_task = m_tasks->run(tr("Training %1").arg(request.experimentName), std::move(work), Task::NoFlags,
                          QThread::LowPriority);
    connect(m_task, &Task::cancelRequested, this,
            &TrainingController::cancel); // its Cancel in the status bar
    connect(m_task, &Task::finished, this, &TrainingController::taskDone);
    m_stepTimer.start();
    Q_EMIT started(request.experimentName, cellCount);
    return true;
}

void TrainingController::pause()
{
    if (!m_task || m_channel->stop != int(rm::StopRequest::None)) return;
    m_channel->stop = int(rm::StopRequest::Pause);
    Q_EMIT stopRequested(rm::StopRequest::Pause);
}

void TrainingController::cancel()
{
    if (!m_task || m_channel->stop == int(rm::StopRequest::Cancel)) return;
    m_channel->stop = int(rm::StopRequest::Cancel); // also upgrades a pause
    Q_EMIT stopRequested(rm::StopRequest::Cancel);
}

bool TrainingController::isStopping() const
{
    return m_task && m_channel->stop != int(rm::StopRequest::None);
}

std::optional<rm::MatrixCell> TrainingController::cell(const QString& key) const
{
    for (const rm::MatrixCell& c : m_cells)
        if (c.key == key.toStdString()) return c;
    return std::nullopt;
}

void TrainingController::drain()
{
    std::deque<rm::RunEvent> events;
    if (!m_channel) return;
    {
        std::lock_guard<std::mutex> lock(m_channel->mutex);
        events.swap(m_channel->events);
        m_channel->wakePending = false;
    }
    QVector<rm::StepEvent> steps;
    QString stepKey;
    const auto flushSteps = [&] {
        if (steps.isEmpty()) return;
        ++m_stepBatches;
        Q_EMIT stepsArrived(stepKey, steps);
        steps.clear();
    };
    for (const rm::RunEvent& e : events) {
        if (e.kind == rm::RunEvent::Kind::Step) {
            const QString key = QString::fromStdString(e.cellKey);
            if (key != stepKey) flushSteps();
            stepKey = key;
            steps.push_back(e.step);
            continue;
        }
        flushSteps();
        deliver(e);
    }
    flushSteps();
}

void TrainingController::deliver(const rm::RunEvent& e)
{
    const QString key = QString::fromStdString(e.cellKey);
    using K = rm::RunEvent::Kind;
    switch (e.kind) {
    case K::CellStarted:
        Q_EMIT cellStarted(key, e.runId, e.cellIndex, e.cellCount);
        break;
    case K::CellSkipped:
        Q_EMIT cellSkipped(key, e.runId, e.cellIndex, e.cellCount);
        break;
    case K::Epoch:
        Q_EMIT epochFinished(key, e.runId, e.epoch);
        break;
    case K::CellFinished:
        Q_EMIT cellFinished(key, e.runId, e.valAuc, e.testAuc);
        break;
    case K::CellFailed:
        Q_EMIT cellFailed(key, e.runId, QString::fromStdString(e.message));
        break;
    case K::CellCancelled:
        Q_EMIT cellCancelled(key, e.runId);
        break;
    case K::Log:
        Q_EMIT logMessage(key.isEmpty()
                              ? QString::fromStdString(e.message)
                              : QStringLiteral("%1: %2").arg(key, QString::fromStdString(e.message)));
        break;
    case K::ExperimentStarted:
    case K::ExperimentFinished:
    case K::Step:
        break;
    }
}

void TrainingController::taskDone(bool ok, const QString& message)
{
    // The task's worker thread has stopped.
    m_stepTimer.stop();
    drain(); // what the worker queued before it finished
    const bool stopped = m_channel->stop != int(rm::StopRequest::None);
    m_task = nullptr;
    Q_EMIT finished(m_channel->cellsDone, stopped, ok ? QString() : message);
}

bool TrainingController::closeWhenStopped(QWidget* window)
{
    if (!m_task) return true;
    if (m_closePending) return false;
    auto* box = new QMessageBox(
        QMessageBox::Question, tr("Training Is Running"),
        tr("Stop training and quit?\n\nThe running cell is cancelled: run the experiment again to resume it "
           "from its last finished epoch. Finished cells keep their results."),
        QMessageBox::Yes | QMessageBox::No, window);
    box->setObjectName(QStringLiteral("stopTrainingQuestion"));
    box->setDefaultButton(QMessageBox::No);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, window](int result) {
        if (result != QMessageBox::Yes || !m_task) return;
        m_closePending = true;
        connect(
            this, &TrainingController::finished, window, [window] { window->close(); },
            Qt::SingleShotConnection);
        cancel();
    });
    box->open(); // no exec(): training events keep flowing while the question is up
    return false;
}

} // namespace rm::ui
