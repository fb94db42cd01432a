#pragma once
// How long an experiment matrix will take on this machine, before anything is recorded: one short timed step
// per distinct network (architecture, channels, image size, device) of the cells still to train, then each
// cell's images x epochs (and folds) at those rates. Also the CPU preset, and the ETA of a running queue.
// Free of torch headers: the timing itself lives in TimeEstimate.cpp.
#include "training/ExperimentMatrix.h"
#include "training/TrainConfig.h"

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace rm {

class ProjectStore;

// Seconds per image on this machine for one network, measured on random images of the config's size.
struct ModelSpeed
{
    double trainSecondsPerImage = 0; // forward + backward + AdamW step, every layer trainable
    double inferSecondsPerImage = 0; // forward without gradients (embeddings, validation, test)
    std::string device;              // "cpu", "cuda:0 (...)"
};

// One warm-up and `timedSteps` timed training steps of `sampleBatch` images (the config's batch when
// smaller), then `timedSteps` timed forward passes (the warm-up already placed the buffers); the fastest of
// each counts. Seconds for ResNet-50 at 224 px on two CPU cores; per-image cost barely depends on the batch
// on a CPU. Throws rm::Error for an unknown architecture or a CUDA device this machine does not have.
// profile_lr (no network) gets a fixed small cost instead of a measurement.
ModelSpeed measureModelSpeed(const TrainConfig& config, int sampleBatch = 2, int timedSteps = 2);

// Galaxies in each split of a target set that have an image (what the trainer will see).
struct SplitSizes
{
    std::size_t train = 0, val = 0, test = 0;
    std::size_t total() const { return train + val + test; }
};

// The split sizes of each named target set as built (a name the project lacks is left out).
std::map<std::string, SplitSizes> targetSetSizes(ProjectStore& store, const std::vector<std::string>& names);

// The work of one cell at a speed: every epoch over the training split (capped by max_steps_per_epoch),
// validation every epoch, the final evaluation of every split; head-only cells with embedding views embed the
// training split that many times once instead. Cross-validated cells add one such run per fold and repeat on
// (folds-1)/folds of the galaxies. Early stopping is not foreseen, so this is an upper bound.
double estimateCellSeconds(const TrainConfig& config, const SplitSizes& sizes, const ModelSpeed& speed);

struct CellTimeEstimate
{
    std::string key;
    double seconds = 0;   // 0 for a finished cell
    bool done = false;    // already trained: not counted
    std::string speedKey; // which measurement it used ("resnet18 c1 224px cpu")
};

struct MatrixTimeEstimate
{
    std::vector<CellTimeEstimate> cells; // in matrix order
    std::map<std::string, ModelSpeed> speeds;
    double totalSeconds = 0;   // cells still to train
    double measureSeconds = 0; // what the timed steps took
    std::string device;        // where the cells would run ("cpu" when any cell runs there)
    bool onCpu() const { return device == "cpu"; }
    const CellTimeEstimate* cell(const std::string& key) const;
};

struct TimeEstimateOptions
{
    std::string device;                 // the queue's --device override; "" = each cell's own
    std::vector<std::string> doneCells; // keys of cells already trained (not estimated)
    std::vector<std::string> onlyCells; // --cells patterns; empty = every cell
    std::function<void(int done, int total, const std::string& what)> progress;
    std::function<bool()> cancelled; // checked between measurements; throws rm::Error("cancelled")
};

// `sizes` maps each target set of the matrix to its split sizes (a target set missing there counts as empty).
MatrixTimeEstimate estimateMatrixTime(const ExperimentMatrix& matrix,
                                      const std::map<std::string, SplitSizes>& sizes,
                                      const TimeEstimateOptions& options = {});

// The CPU preset: what a laptop can train in minutes rather than a day (smaller images, fewer epochs, fewer
// embedding views). Its keys, and the matrix with them as defaults (cell and model overrides of those keys
// are dropped, so the preset really applies everywhere).
nlohmann::json cpuPreset();
ExperimentMatrix withCpuPreset(const ExperimentMatrix& matrix);
// An estimate over this long on a CPU gets a warning and the preset offered.
constexpr double kSlowMatrixSeconds = 3600;

// "45 s", "12 min", "3 h 20 min", "2 d 4 h": an estimate, so rounded.
std::string formatEstimate(double seconds);

// Remaining time of a running queue: the running cell from its own step rate once it has one, the cells
// after it from the estimate scaled by how the running cells' real rate compared with their estimate.
class QueueEta
{
public:
    explicit QueueEta(MatrixTimeEstimate estimate);
    // A training step of `cellKey`: progress through the whole cell (0..1) and seconds since the cell began.
    void cellProgress(const std::string& cellKey, double fraction, double secondsInCell);
    void cellFinished(const std::string& cellKey);
    double cellRemainingSeconds(const std::string& cellKey) const; // NaN when not known
    double queueRemainingSeconds() const;

private:
    MatrixTimeEstimate m_estimate;
    std::map<std::string, double> m_fraction, m_elapsed;
    std::map<std::string, bool> m_finished;
    double m_observedOverEstimated = 1; // from the cells seen so far
};

} // namespace rm
