#pragma once
// What the project's training runs recorded, as the result panels see it: every run with its val and test
// metrics, and (loaded on first use, then kept) each done run's predictions mapped to catalog rows. Reads go
// through core's run read API (training/RunStore.h). Whoever changes runs (the training monitor, an import)
// calls refresh(); panels follow runsChanged.
//
// It also holds the "badge run": the run whose scores the thumbnails show (the run picked in the comparison
// table, else the best run by validation ROC AUC).
#include "selection/GalaxyId.h"
#include "training/RunStore.h"

#include <QHash>
#include <QObject>
#include <QString>
#include <QStringList>

#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rm::ui {

class ProjectSession;

struct RunRow
{
    rm::RunSummary run;
    std::map<std::string, rm::MetricInterval> val, test;
    std::map<std::string, rm::MetricInterval> cv; // cross-validated cells only ("cv" split)

    bool done() const { return run.state == "done"; }
    // NaN when the run did not record the metric.
    double metric(const std::string& split, const std::string& name) const;
    std::optional<rm::MetricInterval> interval(const std::string& split, const std::string& name) const;
    // The decision threshold chosen on val and applied to test; 0.5 when the run recorded none.
    double threshold() const;
    // "#12 matrix · gzd/resnet18/finetune"
    QString title() const;
    // "#12 resnet18/finetune", where space is short
    QString shortTitle() const;
};

struct RunPrediction
{
    GalaxyId galaxy;
    qint64 targetIdx = 0;
    QString split; // train, val, test
    int label = 0; // the target set's class
    float score = 0;
};

// One galaxy's score in one run.
struct GalaxyScore
{
    qint64 runId = 0;
    QString split;
    int label = 0;
    float score = 0;
    double threshold = 0.5;
};

class RunResults : public QObject
{
    Q_OBJECT
public:
    explicit RunResults(ProjectSession& session, QObject* parent = nullptr);

    // Reads every run again (keeping the predictions of done runs whose finish time did not change) and
    // emits runsChanged. A store error is reported through failed() and leaves the previous runs.
    void refresh();

    const std::vector<RunRow>& runs() const { return m_runs; }
    const RunRow* run(qint64 runId) const;
    QStringList experiments() const;
    qint64 bestRunId() const; // the done run with the highest validation ROC AUC; 0 when none
    std::vector<qint64> doneRunIds() const;

    // A done run's predictions (empty, with failed(), when they cannot be read).
    const std::vector<RunPrediction>& predictions(qint64 runId);
    // The galaxy's score in every done run, in run order.
    std::vector<GalaxyScore> scoresOf(const GalaxyId& galaxy);

    // 0 = follow the best run.
    void setBadgeRun(qint64 runId);
    qint64 badgeRunId() const; // resolved: the chosen run if it is done, else the best; 0 when none
    bool badgeFollowsBest() const { return m_badgeChoice == 0; }
    const QHash<GalaxyId, float>& badgeScores(); // empty when there is no done run
    double badgeThreshold() const;

Q_SIGNALS:
    void runsChanged();
    void badgeRunChanged();
    void failed(QString message);

private:
    struct Loaded
    {
        std::string finishedAt;
        std::vector<RunPrediction> predictions;
        QHash<GalaxyId, int> byGalaxy; // index into predictions
    };
    Loaded& load(qint64 runId);

    ProjectSession& m_session;
    std::vector<RunRow> m_runs;
    std::map<qint64, Loaded> m_loaded;
    qint64 m_badgeChoice = 0;
    qint64 m_badgeShown = -1; // the run badgeScores was built for
    QHash<GalaxyId, float> m_badgeScores;
};

} // namespace rm::ui
