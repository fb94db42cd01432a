#include "results/RunResults.h"

#include "project/ProjectSession.h"
#include "targets/TargetSetBuilder.h"
#include "util/Error.h"

#include <QFile>

#include <algorithm>

namespace rm::ui {

double RunRow::metric(const std::string& split, const std::string& name) const
{
    const auto i = interval(split, name);
    return i ? i->value : NAN;
}

std::optional<rm::MetricInterval> RunRow::interval(const std::string& split, const std::string& name) const
{
    const auto& m = split == "test" ? test : split == "cv" ? cv : val;
    const auto it = m.find(name);
    if (it == m.end() || !std::isfinite(it->second.value)) return std::nullopt;
    return it->second;
}

double RunRow::threshold() const
{
    for (const char* split : {"test", "val"}) {
        const double t = metric(split, "threshold");
        if (std::isfinite(t)) return t;
    }
    return 0.5;
}

QString RunRow::title() const
{
    QString cell = QString::fromStdString(run.cellKey);
    if (cell.isEmpty())
        cell = QStringList{QString::fromStdString(run.targetSet), QString::fromStdString(run.model),
                           QString::fromStdString(run.mode)}
                   .join(QLatin1Char('/'));
    return QStringLiteral("#%1 %2 · %3").arg(run.id).arg(QString::fromStdString(run.experiment), cell);
}

QString RunRow::shortTitle() const
{
    return QStringLiteral("#%1 %2/%3")
        .arg(run.id)
        .arg(QString::fromStdString(run.model), QString::fromStdString(run.mode));
}

RunResults::RunResults(ProjectSession& session, QObject* parent) : QObject(parent), m_session(session) {}

void RunResults::refresh()
{
    std::vector<RunRow> rows;
    try {
        rm::RunStore runs(m_session.store());
        for (rm::RunSummary& s : runs.listRuns("")) {
            RunRow row;
            row.run = std::move(s);
            if (row.done()) {
                row.val = runs.metrics(row.run.id, "val");
                row.test = runs.metrics(row.run.id, "test");
                row.cv = runs.metrics(row.run.id, "cv");
            }
            rows.push_back(std::move(row));
        }
    } catch (const rm::Error& e) {
        Q_EMIT failed(tr("Cannot read the project's runs: %1").arg(QString::fromStdString(e.what())));
        return;
    }
    m_runs = std::move(rows);
    // Predictions stay cached only while their run is the same finished run.
    for (auto it = m_loaded.begin(); it != m_loaded.end();) {
        const RunRow* r = run(it->first);
        if (!r || !r->done() || r->run.finishedAt != it->second.finishedAt)
            it = m_loaded.erase(it);
        else
            ++it;
    }
    m_badgeShown = -1;
    Q_EMIT runsChanged();
    Q_EMIT badgeRunChanged();
}

const RunRow* RunResults::run(qint64 runId) const
{
    for (const RunRow& r : m_runs)
        if (r.run.id == runId) return &r;
    return nullptr;
}

QStringList RunResults::experiments() const
{
    QStringList names;
    for (const RunRow& r : m_runs) {
        const QString e = QString::fromStdString(r.run.experiment);
        if (!names.contains(e)) names << e;
    }
    return names;
}

qint64 RunResults::bestRunId() const
{
    qint64 best = 0;
    double bestAuc = -1;
    for (const RunRow& r : m_runs) {
        const double auc = r.done() ? r.metric("val", "roc_auc") : NAN;
        if (std::isfinite(auc) && auc > bestAuc) {
            bestAuc = auc;
            best = r.run.id;
        }
    }
    return best;
}

std::vector<qint64> RunResults::doneRunIds() const
{
    std::vector<qint64> ids;
    for (const RunRow& r : m_runs)
        if (r.done()) ids.push_back(r.run.id);
    return ids;
}

RunResults::Loaded& RunResults::load(qint64 runId)
{
    auto it = m_loaded.find(runId);
    if (it != m_loaded.end()) return it->second;
    Loaded loaded;
    const RunRow* r = run(runId);
    if (r && r->done()) {
        loaded.finishedAt = r->run.finishedAt;
        try {
            const auto stored = rm::RunStore(m_session.store()).predictions(runId);
            // Rows written before predictions knew their galaxy are found through the target set.
            std::vector<rm::Target> targets;
            const bool needTargets = std::any_of(stored.begin(), stored.end(),
                                                 [](const auto& p) { return p.catalogId < 0 || p.row < 0; });
            if (needTargets && !r->run.targetSet.empty())
                targets = rm::loadTargets(m_session.store(), r->run.targetSet);
            loaded.predictions.reserve(stored.size());
            for (const rm::StoredPrediction& p : stored) {
                RunPrediction q;
                q.targetIdx = p.targetIdx;
                q.split = QString::fromStdString(p.split);
                q.label = p.label;
                q.score = p.score;
                if (p.catalogId >= 0 && p.row >= 0)
                    q.galaxy = {p.catalogId, p.row};
                else if (p.targetIdx >= 0 && std::size_t(p.targetIdx) < targets.size())
                    q.galaxy = {targets[std::size_t(p.targetIdx)].catalogId,
                                targets[std::size_t(p.targetIdx)].row};
                if (!q.galaxy.valid()) continue;
                loaded.byGalaxy.insert(q.galaxy, int(loaded.predictions.size()));
                loaded.predictions.push_back(std::move(q));
            }
        } catch (const rm::Error& e) {
            Q_EMIT failed(tr("Cannot read the predictions of run %1: %2")
                              .arg(runId)
                              .arg(QString::fromStdString(e.what())));
        }
    }
    return m_loaded.emplace(runId, std::move(loaded)).first->second;
}

const std::vector<RunPrediction>& RunResults::predictions(qint64 runId)
{
    return load(runId).predictions;
}

std::vector<GalaxyScore> RunResults::scoresOf(const GalaxyId& galaxy)
{
    std::vector<GalaxyScore> scores;
    for (const RunRow& r : m_runs) {
        if (!r.done()) continue;
        const Loaded& l = load(r.run.id);
        const int i = l.byGalaxy.value(galaxy, -1);
        if (i < 0) continue;
        const RunPrediction& p = l.predictions[std::size_t(i)];
        scores.push_back({r.run.id, p.split, p.label, p.score, r.threshold()});
    }
    return scores;
}

void RunResults::setBadgeRun(qint64 runId)
{
    if (runId == m_badgeChoice) return;
    m_badgeChoice = runId;
    Q_EMIT badgeRunChanged();
}

qint64 RunResults::badgeRunId() const
{
    if (m_badgeChoice != 0) {
        const RunRow* r = run(m_badgeChoice);
        if (r && r->done()) return m_badgeChoice;
    }
    return bestRunId();
}

const QHash<GalaxyId, float>& RunResults::badgeScores()
{
    const qint64 id = badgeRunId();
    if (id != m_badgeShown) {
        m_badgeShown = id;
        m_badgeScores.clear();
        if (id != 0) {
            const auto& predictions = load(id).predictions;
            m_badgeScores.reserve(qsizetype(predictions.size()));
            for (const RunPrediction& p : predictions)
                m_badgeScores.insert(p.galaxy, p.score);
        }
    }
    return m_badgeScores;
}

double RunResults::badgeThreshold() const
{
    const RunRow* r = run(badgeRunId());
    return r ? r->threshold() : 0.5;
}

} // namespace rm::ui
