#pragma once
// Runs an experiment's cells one after another (or several at once on CPU cores) and records everything in
// the project: a runs row per cell (state queued/running/done/failed/cancelled), every epoch's losses,
// the metrics of each split (with bootstrap CIs on test), the predictions for every target, and the weights
// in a file beside the project (<project>.files/runs/<run id>/best.safetensors, referenced from runs).
//
// Safe to kill at any moment: finished cells are skipped when the experiment is run again, a cell that was
// running resumes from its last epoch checkpoint, and a failed cell is retried (its error is kept until it
// succeeds). Building a missing decoded-image cache for a cell's target set and image size is part of the
// run.
#include "training/ExperimentMatrix.h"
#include "training/Metrics.h"
#include "training/Trainer.h"
#include "util/Error.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace rm {

struct RunEvent
{
    enum class Kind
    {
        ExperimentStarted, // message: experiment name
        CellSkipped,       // already done
        CellStarted,
        Step,
        Epoch,
        CellFinished, // metrics below are filled
        CellFailed,   // message: the error
        CellCancelled,
        ExperimentFinished,
        Log
    };
    Kind kind = Kind::Log;
    std::string cellKey;
    std::int64_t runId = 0;
    int cellIndex = 0, cellCount = 0;
    StepEvent step;
    EpochEvent epoch;
    std::string message;
    double valAuc = 0, testAuc = 0; // CellFinished
    // CellFinished of a cross-validated cell: pooled out-of-fold ROC AUC and its interval; NaN otherwise.
    double cvAuc = std::numeric_limits<double>::quiet_NaN(), cvLow = cvAuc, cvHigh = cvAuc;
};

// The message of a CellSkipped event for a cell whose run another process is training now.
inline constexpr const char* kCellBusyMessage = "being trained by another process";

struct RunQueueOptions
{
    int parallelCells = 1; // cells trained at the same time (CPU only; on CUDA always 1)
    std::string device;    // overrides every cell's device when not empty
    bool retryFailed = true;
    std::vector<std::string> onlyCells; // cell keys (or patterns with '*'); empty = all
};

// How a run is stopped from another thread: Pause finishes the current epoch of every running cell, keeps
// its checkpoint and leaves it queued (running the experiment again resumes it); Cancel stops within one
// step and marks the running cells cancelled (they restart from their last checkpoint if run again).
enum class StopRequest : int
{
    None = 0,
    Pause = 1,
    Cancel = 2
};

// An experiment of that name exists with a different matrix (and replacing it was not asked for). The message
// says what differs; front ends add how to run it anyway.
class ExperimentMatrixConflict : public Error
{
public:
    using Error::Error;
};

class RunQueue
{
public:
    // Stores the matrix as experiment `experimentName` (creating it, or checking that an existing experiment
    // of that name has the same matrix unless replaceMatrix) and creates queued runs for new cells.
    // Throws rm::Error for a target set the project does not have.
    RunQueue(std::string projectPath, ExperimentMatrix matrix, std::string experimentName,
             RunQueueOptions options = {}, bool replaceMatrix = false);

    // Runs every cell not yet done. Events arrive on the calling thread (or, with parallelCells > 1, from
    // the cell threads, serialised). Returns the number of cells that finished done in this call.
    int run(const std::function<void(const RunEvent&)>& onEvent, const std::atomic<int>* stop = nullptr);

    std::int64_t experimentId() const { return m_experimentId; }
    const ExperimentMatrix& matrix() const { return m_matrix; }

private:
    std::string m_projectPath;
    ExperimentMatrix m_matrix;
    std::string m_experimentName;
    RunQueueOptions m_options;
    std::int64_t m_experimentId = 0;
};

} // namespace rm
