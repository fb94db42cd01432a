#pragma once
// All SQL of experiments and runs in one place: what the run queue writes (experiments, run states, epochs,
// metrics, curves, predictions) and the read API below (by project path, for front ends). One RunStore may be
// shared by the cell threads of a run queue: every call holds the store's mutex, and every write is one
// transaction, so a kill leaves either the old state or the new one.
#include "training/Metrics.h"
#include "training/Trainer.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace rm {

class ProjectStore;

// Reading back what runs recorded (for runs list, report, predict, mine and the GUI): what one run is.
struct RunSummary
{
    std::int64_t id = 0;
    std::string experiment, cellKey, targetSet, model, mode, state, error, device, weightsPath;
    std::string startedAt, finishedAt;
    int epochs = 0;
    double valAuc = 0, testAuc = 0; // NaN when not done
    // Added for reports and the GUI.
    int position = 0;   // the cell's place in the matrix
    int bestEpoch = -1; // 0-based; -1 when not done
    int attempts = 0;   // times the run was started (resumes included)
    double seconds = 0; // training + evaluation wall time of the last attempt; NaN when not done
    double imagesPerSecond = 0;
    std::string weightsSha256;
    // What a user should be told of the run, beyond the stored state: "not started" (queued, never began:
    // a cell no train command asked for yet), "paused - resumes on next start" (queued with epochs done),
    // "running" (its process holds the run's lock), "interrupted - resumes on next start" (marked running but
    // its process is gone), else the state itself.
    std::string status;
    // Cross-validated ROC AUC (pooled out-of-fold, mean over repeats) with its bootstrap interval; NaN when
    // the cell has no cross-validation or is not done. Folds done / planned (cv_folds x cv_repeats).
    double cvAuc = 0, cvLow = 0, cvHigh = 0;
    int cvFoldsDone = 0, cvFoldsTotal = 0;
    std::string workDir;   // <project>.files/runs/<id>
    nlohmann::json config; // the resolved TrainConfig (toJson form)
};
std::vector<RunSummary> listRuns(const std::string& projectPath, const std::string& experiment = "");
// The done run with the highest cross-validated ROC AUC when every done run has one, else the highest
// validation ROC AUC; throws rm::Error if there is none.
RunSummary bestRun(const std::string& projectPath, const std::string& experiment = "");
// A done run named the way users name one: "best" (bestRun), a run id ("12"), or a cell key
// ("synthetic/resnet18_c1/all_layers", within `experiment` when given; ambiguous across experiments is an
// error). Throws rm::Error saying which runs exist, or why the run named is not usable (not done, failed).
RunSummary findDoneRun(const std::string& projectPath, const std::string& which,
                       const std::string& experiment = "");

// Per-epoch history of a run, in epoch order.
std::vector<EpochEvent> loadEpochs(const std::string& projectPath, std::int64_t runId);
// Metrics of one split ("train", "val", "test"): name -> value with CI (low = high = value without a CI).
// Includes "threshold" (chosen on val, applied to test) and the confusion counts "tp", "fp", "tn", "fn".
std::map<std::string, MetricInterval> loadMetrics(const std::string& projectPath, std::int64_t runId,
                                                  const std::string& split);
// ROC and PR curves of a split, for plotting.
struct StoredCurve
{
    std::string split; // "val" or "test"
    std::string kind;  // "roc" or "pr"
    Curve curve;
};
std::vector<StoredCurve> loadCurves(const std::string& projectPath, std::int64_t runId);
// Scores of every target of the run's target set: target idx, split, label, score.
struct StoredPrediction
{
    std::int64_t targetIdx = 0;
    std::string split;
    int label = 0;
    float score = 0;
    std::int64_t catalogId = -1, row = -1; // the galaxy (catalog row); -1 for rows written by schema v1
};
std::vector<StoredPrediction> loadPredictions(const std::string& projectPath, std::int64_t runId);

// A done run (as findDoneRun) whose weights file is still there with the SHA-256 the run recorded, so that a
// score comes from the weights the run's metrics describe. Throws rm::Error naming the file otherwise.
RunSummary findDoneRunWithWeights(const std::string& projectPath, const std::string& which,
                                  const std::string& experiment = "");

// What a finished run leaves behind, written at once.
struct RunOutcome
{
    std::string device;
    std::string weightsPath, weightsSha256;
    int epochsRun = 0;
    int bestEpoch = -1;
    double seconds = 0;
    double imagesPerSecond = 0;
    std::map<std::string, std::map<std::string, MetricInterval>> metrics; // split -> name -> value
    std::vector<StoredCurve> curves;
    std::vector<StoredPrediction> predictions;
};

// One cross-validation fold's model, recorded when it is done (training/CrossValidationRun.h).
struct CvFoldRecord
{
    int repeat = 0, fold = 0;
    std::int64_t trainCount = 0, valCount = 0, testCount = 0;
    double rocAuc = 0; // on its held-out fold; NaN with one class there
    int epochs = 0, bestEpoch = -1;
    double seconds = 0;
};

// A galaxy's out-of-fold score in one repeat.
struct CvPrediction
{
    int repeat = 0;
    std::int64_t targetIdx = 0;
    int fold = 0;
    int label = 0;
    float score = 0;
};

struct RunRecord
{
    std::int64_t id = 0;
    std::string cellKey, state, error, workDir, configJson;
    int attempts = 0;
};

class RunStore
{
public:
    explicit RunStore(ProjectStore& store);

    // --- experiments --------------------------------------------------------------------------------------
    std::optional<std::int64_t> experimentId(const std::string& name);
    std::optional<std::string> experimentMatrix(std::int64_t experimentId);
    // Every experiment's name, the most recently created first.
    std::vector<std::string> experimentNames();
    std::int64_t createExperiment(const std::string& name, const std::string& matrixJson);
    void setExperimentMatrix(std::int64_t experimentId, const std::string& matrixJson);

    // --- runs ---------------------------------------------------------------------------------------------
    // The run of a cell, created queued if the experiment has none yet. A run whose stored config differs
    // from configJson (the matrix was replaced) loses its results and is queued again.
    std::int64_t ensureRun(std::int64_t experimentId, const std::string& cellKey,
                           const std::string& targetSet, const std::string& model, const std::string& mode,
                           int position, const std::string& configJson, bool* reset = nullptr);
    // Runs of the experiment whose cell is not in keepKeys (a replaced matrix dropped them); returns how
    // many.
    int removeRunsExcept(std::int64_t experimentId, const std::vector<std::string>& keepKeys);
    RunRecord run(std::int64_t runId);
    void setWorkDir(std::int64_t runId, const std::string& workDir);
    // queued/failed/cancelled/running -> running; counts an attempt; keeps the old error until success.
    void markRunning(std::int64_t runId, const std::string& device);
    void markQueued(std::int64_t runId);
    void markFailed(std::int64_t runId, const std::string& error);
    void markCancelled(std::int64_t runId);
    // Epoch rows are keyed by (run, epoch): a resumed run that reports an epoch again replaces it.
    void recordEpoch(std::int64_t runId, const EpochEvent& epoch);
    // Replaces every epoch row with the trainer's history (after a resume the history is authoritative).
    void replaceEpochs(std::int64_t runId, const std::vector<EpochEvent>& history);
    // Metrics, curves, predictions, weights and state 'done' in one transaction (old results replaced; the
    // cross-validation folds stay).
    void finishRun(std::int64_t runId, const RunOutcome& outcome);
    // A finished fold and its held-out galaxies' scores, in one transaction (a fold recorded again replaces
    // the old rows).
    void recordCvFold(std::int64_t runId, const CvFoldRecord& fold, const std::vector<CvPrediction>& scores);

    // --- reading ------------------------------------------------------------------------------------------
    std::vector<RunSummary> listRuns(const std::string& experiment);
    std::vector<EpochEvent> epochs(std::int64_t runId);
    std::map<std::string, MetricInterval> metrics(std::int64_t runId, const std::string& split);
    std::vector<StoredCurve> curves(std::int64_t runId);
    std::vector<StoredPrediction> predictions(std::int64_t runId);
    std::vector<CvFoldRecord> cvFolds(std::int64_t runId);       // by repeat, fold
    std::vector<CvPrediction> cvPredictions(std::int64_t runId); // by repeat, target idx

private:
    void deleteResults(std::int64_t runId);
    ProjectStore& m_store;
    std::recursive_mutex m_mutex;
};

// Curve points as JSON; non-finite thresholds (sklearn's first ROC threshold is +inf) survive as strings.
nlohmann::json curveToJson(const Curve& curve);
Curve curveFromJson(const nlohmann::json& json);

} // namespace rm
