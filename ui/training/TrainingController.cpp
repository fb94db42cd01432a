#include "training/TrainingController.h"

#include "app/BackgroundPriority.h"

#include <QMessageBox>
#include <QThread>
#include <QWidget>

#include <algorithm>
#include <exception>

namespace rm::ui {

namespace {

// Lives on the training thread for one run of the queue.
class TrainingWorker : public QObject
{
    Q_OBJECT
public:
    TrainingWorker(TrainingRequest request, std::shared_ptr<TrainingChannel> channel,
                   TrainingController* controller, std::function<void()> wake)
        : m_request(std::move(request)), m_channel(std::move(channel)), m_controller(controller),
          m_wake(std::move(wake))
    {
    }

    void run()
    {
        yieldToTheGui();
        int done = 0;
        QString error;
        // No exception may cross into Qt's event loop: everything core throws becomes the error message.
        try {
            rm::RunQueue queue(m_request.projectPath.toStdString(), m_request.matrix,
                               m_request.experimentName.toStdString(), m_request.options,
                               m_request.replaceMatrix);
            done = queue.run([this](const rm::RunEvent& e) { push(e); }, &m_channel->stop);
        } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
        } catch (...) {
            error = QStringLiteral("unknown error in the training thread");
        }
        Q_EMIT finished(done, error);
    }

Q_SIGNALS:
    void finished(int cellsDone, const QString& error);

private:
    // Training is background work: below normal priority, the GUI thread gets a core as soon as it wakes,
    // even when LibTorch keeps every core busy. On Linux niceness is per thread and inherited by the threads
    // this one starts (LibTorch's pool, the image loaders).
    static void yieldToTheGui() { lowerCurrentThreadPriority(kTrainingNiceness); }

    void push(const rm::RunEvent& e)
    {
        bool wake = false;
        {
            std::lock_guard<std::mutex> lock(m_channel->mutex);
            m_channel->events.push_back(e);
            // Steps wait for the GUI's batch timer; everything else is worth a wake-up now.
            if (e.kind != rm::RunEvent::Kind::Step && !m_channel->wakePending) {
                m_channel->wakePending = true;
                wake = true;
            }
        }
        if (wake) QMetaObject::invokeMethod(m_controller, m_wake, Qt::QueuedConnection);
    }

    TrainingRequest m_request;
    std::shared_ptr<TrainingChannel> m_channel;
    TrainingController* m_controller;
    std::function<void()> m_wake;
};

} // namespace

TrainingController::TrainingController(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<rm::StepEvent>();
    qRegisterMetaType<rm::EpochEvent>();
    qRegisterMetaType<QVector<rm::StepEvent>>();
    m_stepTimer.setInterval(1000 / kStepBatchesPerSecond);
    connect(&m_stepTimer, &QTimer::timeout, this, &TrainingController::drain);
}

TrainingController::~TrainingController()
{
    if (!m_thread) return;
    // Last resort (a window should have used closeWhenStopped): cancel stops within one training step.
    m_channel->stop = int(rm::StopRequest::Cancel);
    m_thread->quit();
    m_thread->wait();
    delete m_worker; // its deleteLater would need the stopped thread's event loop
    delete m_thread;
}

bool TrainingController::start(const TrainingRequest& request)
{
    if (m_thread) {
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
    m_runError.clear();
    m_cellsDone = 0;
    m_stepBatches = 0;
    m_closePending = false;
    m_channel = std::make_shared<TrainingChannel>();

    m_thread = new QThread; // not parented: it is deleted once finished, after this object may be gone
    m_thread->setObjectName(QStringLiteral("training"));
    auto* worker = new TrainingWorker(request, m_channel, this, [this] { wake(); });
    m_worker = worker;
    worker->moveToThread(m_thread);
    connect(m_thread, &QThread::started, worker, &TrainingWorker::run);
    connect(worker, &TrainingWorker::finished, this, &TrainingController::workerDone);
    connect(m_thread, &QThread::finished, worker, &QObject::deleteLater);
    m_thread->start(QThread::LowPriority);
    m_stepTimer.start();
    Q_EMIT started(request.experimentName, cellCount);
    return true;
}

void TrainingController::pause()
{
    if (!m_thread || m_channel->stop != int(rm::StopRequest::None)) return;
    m_channel->stop = int(rm::StopRequest::Pause);
    Q_EMIT stopRequested(rm::StopRequest::Pause);
}

void TrainingController::cancel()
{
    if (!m_thread || m_channel->stop == int(rm::StopRequest::Cancel)) return;
    m_channel->stop = int(rm::StopRequest::Cancel); // also upgrades a pause
    Q_EMIT stopRequested(rm::StopRequest::Cancel);
}

bool TrainingController::isStopping() const
{
    return m_thread && m_channel->stop != int(rm::StopRequest::None);
}

std::optional<rm::MatrixCell> TrainingController::cell(const QString& key) const
{
    for (const rm::MatrixCell& c : m_cells)
        if (c.key == key.toStdString()) return c;
    return std::nullopt;
}

void TrainingController::wake()
{
    drain();
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

void TrainingController::workerDone(int cellsDone, const QString& error)
{
    m_cellsDone = cellsDone;
    m_runError = error;
    QThread* thread = m_thread;
    if (!thread) return;
    // The worker's thread ends its event loop; the rest happens once it has really stopped.
    connect(thread, &QThread::finished, this, [this, thread] {
        m_stepTimer.stop();
        drain(); // what the worker queued before it finished
        const bool stopped = m_channel->stop != int(rm::StopRequest::None);
        m_thread = nullptr;
        thread->deleteLater();
        Q_EMIT finished(m_cellsDone, stopped, m_runError);
    });
    thread->quit();
}

bool TrainingController::closeWhenStopped(QWidget* window)
{
    if (!m_thread) return true;
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
        if (result != QMessageBox::Yes || !m_thread) return;
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

#include "TrainingController.moc"
