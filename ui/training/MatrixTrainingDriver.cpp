#include "training/MatrixTrainingDriver.h"

#include "matrix/MatrixGridModel.h"
#include "training/RunStore.h"
#include "training/TimeEstimate.h"
#include "training/TrainingController.h"

#include <algorithm>
#include <cmath>

namespace rm::ui {

namespace {

// Whether some cell of the matrix sets cv_folds (defaults, a model's own keys or an override).
bool usesCrossValidation(const rm::ExperimentMatrix& m)
{
    auto sets = [](const nlohmann::json& j) {
        return j.is_object() && j.contains("cv_folds") && j["cv_folds"].is_number() &&
               j["cv_folds"].get<int>() > 0;
    };
    if (sets(m.defaults)) return true;
    for (const auto& model : m.models)
        if (sets(model.extra)) return true;
    for (const auto& [key, value] : m.overrides.items())
        if (sets(value)) return true;
    return false;
}

std::vector<std::string> toStd(const QStringList& list)
{
    std::vector<std::string> out;
    for (const QString& s : list)
        out.push_back(s.toStdString());
    return out;
}

} // namespace

MatrixTrainingDriver::MatrixTrainingDriver(TrainingController* controller, MatrixGridModel* grid,
                                           QObject* parent)
    : QObject(parent), m_controller(controller), m_grid(grid)
{
    connect(controller, &TrainingController::started, this, [this] {
        markQueued();
        Q_EMIT runningChanged(true);
        Q_EMIT statesChanged();
    });
    connect(controller, &TrainingController::cellStarted, this,
            [this](const QString& key, qint64 runId) { markRunning(key, runId); });
    connect(controller, &TrainingController::logMessage, this, &MatrixTrainingDriver::showFold);
    connect(controller, &TrainingController::stepsArrived, this,
            [this](const QString& key, const QVector<rm::StepEvent>& steps) {
                CellStatus s = m_grid->status(key);
                if (steps.isEmpty() || s.epochs <= 0) return;
                const rm::StepEvent& last = steps.back();
                s.progress =
                    (last.epoch + double(last.step + 1) / std::max(1, last.stepsPerEpoch)) / s.epochs;
                m_grid->setStatus(key, s);
                updateEta(key, s.progress);
            });
    connect(controller, &TrainingController::epochFinished, this,
            [this](const QString& key, qint64, const rm::EpochEvent& e) {
                CellStatus s = m_grid->status(key);
                s.epoch = e.epoch + 1;
                if (s.epochs > 0) s.progress = double(s.epoch) / s.epochs;
                if (std::isfinite(e.valAuc)) s.valAuc = e.valAuc; // live: the latest epoch's
                m_grid->setStatus(key, s);
            });
    connect(controller, &TrainingController::cellFinished, this,
            [this](const QString& key, qint64 runId, double val, double test) {
                CellStatus s = m_grid->status(key);
                s.state = QStringLiteral("done");
                s.runId = runId;
                s.valAuc = val;
                s.testAuc = test;
                s.progress = 1;
                s.error.clear();
                m_grid->setStatus(key, s);
                if (m_eta) {
                    m_eta->cellFinished(key.toStdString());
                    m_grid->setEta(key, std::nan(""));
                    Q_EMIT queueEtaChanged(m_eta->queueRemainingSeconds());
                }
                // A cross-validated cell's pooled AUC is in the store, not in the event: read the states
                // back.
                if (usesCrossValidation(m_controller->request().matrix))
                    refreshStates(m_controller->request().experimentName);
                Q_EMIT statesChanged();
            });
    connect(controller, &TrainingController::cellFailed, this,
            [this](const QString& key, qint64 runId, const QString& message) {
                CellStatus s = m_grid->status(key);
                s.state = QStringLiteral("failed");
                s.runId = runId;
                s.error = message;
                m_grid->setStatus(key, s);
                Q_EMIT statesChanged();
            });
    connect(controller, &TrainingController::cellCancelled, this, [this](const QString& key, qint64 runId) {
        CellStatus s = m_grid->status(key);
        s.state = QStringLiteral("cancelled");
        s.runId = runId;
        s.valAuc = std::nan("");
        m_grid->setStatus(key, s);
        Q_EMIT statesChanged();
    });
    connect(controller, &TrainingController::finished, this, [this](int, bool, const QString& error) {
        // The project is the record: paused cells are queued again, etc.
        refreshStates(m_controller->request().experimentName);
        Q_EMIT runningChanged(false);
        if (!error.isEmpty()) fail(tr("Training failed: %1").arg(error));
    });
}

MatrixTrainingDriver::~MatrixTrainingDriver() = default;

void MatrixTrainingDriver::setEstimate(const rm::MatrixTimeEstimate& estimate)
{
    m_eta = std::make_unique<rm::QueueEta>(estimate);
    m_cellClock.clear();
    m_grid->clearEtas();
    for (const rm::CellTimeEstimate& c : estimate.cells)
        if (!c.done) m_grid->setEta(QString::fromStdString(c.key), c.seconds);
    Q_EMIT queueEtaChanged(m_eta->queueRemainingSeconds());
}

void MatrixTrainingDriver::clearEstimate()
{
    m_eta.reset();
    m_grid->clearEtas();
    Q_EMIT queueEtaChanged(std::nan(""));
}

double MatrixTrainingDriver::queueRemainingSeconds() const
{
    return m_eta ? m_eta->queueRemainingSeconds() : std::nan("");
}

void MatrixTrainingDriver::updateEta(const QString& key, double fraction)
{
    if (!m_eta) return;
    auto clock = m_cellClock.find(key);
    if (clock == m_cellClock.end()) return;
    const bool cv = m_cvCell.count(key) && m_cvCell.at(key);
    m_eta->cellProgress(key.toStdString(), cv ? 0 : fraction, clock->second.elapsed() / 1000.0);
    m_grid->setEta(key, m_eta->cellRemainingSeconds(key.toStdString()));
    Q_EMIT queueEtaChanged(m_eta->queueRemainingSeconds());
}

void MatrixTrainingDriver::setProjectPath(const QString& path)
{
    m_projectPath = path;
}

bool MatrixTrainingDriver::start(const rm::ExperimentMatrix& matrix, const QString& experiment,
                                 const QStringList& onlyCells)
{
    if (m_projectPath.isEmpty()) {
        fail(tr("Open a project first: training reads its target sets and records the runs in it"));
        return false;
    }
    TrainingRequest request;
    request.projectPath = m_projectPath;
    request.matrix = matrix;
    request.matrix.name = experiment.toStdString();
    request.experimentName = experiment;
    request.options.onlyCells = toStd(onlyCells);
    if (!m_controller->start(request)) {
        fail(tr("Cannot start training: %1").arg(m_controller->lastError()));
        return false;
    }
    return true;
}

void MatrixTrainingDriver::pause()
{
    m_controller->pause();
}

void MatrixTrainingDriver::cancel()
{
    m_controller->cancel();
}

bool MatrixTrainingDriver::isRunning() const
{
    return m_controller->isRunning();
}

void MatrixTrainingDriver::refreshStates(const QString& experiment)
{
    m_grid->clearStatuses();
    if (!m_projectPath.isEmpty()) {
        try {
            for (const rm::RunSummary& r :
                 rm::listRuns(m_projectPath.toStdString(), experiment.toStdString())) {
                CellStatus s;
                // The record's state, told the way runs list tells it: a cell never started is "not run",
                // a running one whose process is gone "interrupted", a paused one "paused".
                s.state = QString::fromStdString(r.state);
                if (r.status == "not started")
                    s.state.clear();
                else if (r.status.rfind("interrupted", 0) == 0)
                    s.state = QStringLiteral("interrupted");
                else if (r.status.rfind("paused", 0) == 0)
                    s.state = QStringLiteral("paused");
                s.runId = r.id;
                s.valAuc = r.valAuc;
                s.testAuc = r.testAuc;
                s.cvAuc = r.cvAuc;
                s.cvLow = r.cvLow;
                s.cvHigh = r.cvHigh;
                s.error = QString::fromStdString(r.error);
                s.epoch = r.epochs;
                m_grid->setStatus(QString::fromStdString(r.cellKey), s);
            }
        } catch (const std::exception& e) {
            fail(tr("Cannot read the runs: %1").arg(QString::fromStdString(e.what())));
        }
    }
    Q_EMIT statesChanged();
}

void MatrixTrainingDriver::fail(const QString& message)
{
    m_lastError = message;
    Q_EMIT failed(message);
}

void MatrixTrainingDriver::markQueued()
{
    const std::vector<std::string>& only = m_controller->request().options.onlyCells;
    for (const rm::MatrixCell& c : m_controller->request().matrix.cells()) {
        if (!only.empty() && std::none_of(only.begin(), only.end(), [&c](const std::string& p) {
                return rm::cellKeyMatches(p, c.key);
            }))
            continue; // not part of this run: it keeps its state
        const QString key = QString::fromStdString(c.key);
        CellStatus s = m_grid->status(key);
        if (s.state != QLatin1String("done")) {
            s.state = QStringLiteral("queued");
            m_grid->setStatus(key, s);
        }
    }
}

void MatrixTrainingDriver::markRunning(const QString& key, qint64 runId)
{
    CellStatus s = m_grid->status(key);
    s.state = QStringLiteral("running");
    s.runId = runId;
    s.valAuc = std::nan("");
    s.error.clear();
    s.detail.clear();
    s.epoch = 0;
    s.progress = 0;
    const auto cell = m_controller->cell(key);
    s.epochs = cell ? cell->config.epochs : 0;
    m_grid->setStatus(key, s);
    m_cellClock[key].start();
    m_cvCell[key] = cell && cell->config.cvFolds >= 2;
    updateEta(key, 0);
    Q_EMIT statesChanged();
}

void MatrixTrainingDriver::showFold(const QString& message)
{
    // A cross-validated cell spends most of its time in its folds, which report through the log
    // ("<cell>: cv fold 2/5 ...: epoch ..."): the cell says which fold it is in rather than look stalled.
    const int at = message.indexOf(QStringLiteral(": cv fold "));
    if (at <= 0) return;
    const QString key = message.left(at);
    CellStatus s = m_grid->status(key);
    if (s.state != QLatin1String("running")) return;
    const QString rest = message.mid(at + 2);
    const QString fold = rest.left(rest.indexOf(QLatin1Char(':')));
    if (fold == s.detail) return;
    s.detail = fold;
    m_grid->setStatus(key, s);
}

} // namespace rm::ui
