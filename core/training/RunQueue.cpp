#include "training/RunQueue.h"

#include "imaging/DecodedCache.h"
#include "store/ProjectStore.h"
#include "targets/TargetSetBuilder.h"
#include "training/CrossValidation.h"
#include "training/CrossValidationRun.h"
#include "training/RunEvaluation.h"
#include "training/RunLock.h"
#include "training/RunStore.h"
#include "training/TargetImages.h"
#include "util/Error.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <limits>
#include <mutex>
#include <set>
#include <thread>

namespace fs = std::filesystem;

namespace rm {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

StopRequest stopOf(const std::atomic<int>* stop)
{
    return stop ? static_cast<StopRequest>(stop->load()) : StopRequest::None;
}

// Events from the cell threads reach the caller one at a time.
class EventSink
{
public:
    explicit EventSink(const std::function<void(const RunEvent&)>& onEvent) : m_onEvent(onEvent) {}
    void operator()(const RunEvent& e)
    {
        if (!m_onEvent) return;
        std::lock_guard lock(m_mutex);
        m_onEvent(e);
    }

private:
    const std::function<void(const RunEvent&)>& m_onEvent;
    std::mutex m_mutex;
};

// The images of each (target set, shape) are loaded once per run() and shared by the cells that use them; a
// cache is built by the first cell that needs it while the others wait for it.
class ImageBroker
{
public:
    std::shared_ptr<const TargetImages> get(ProjectStore& store, const std::string& targetSet,
                                            const TargetImagesOptions& options)
    {
        const std::string key = targetSet + "|" + std::to_string(options.width) + "x" +
                                std::to_string(options.height) + "x" + std::to_string(options.channels);
        std::shared_ptr<std::mutex> keyMutex;
        {
            std::lock_guard lock(m_mutex);
            if (auto it = m_loaded.find(key); it != m_loaded.end()) return it->second;
            auto& m = m_keyMutexes[key];
            if (!m) m = std::make_shared<std::mutex>();
            keyMutex = m;
        }
        std::lock_guard building(*keyMutex);
        {
            std::lock_guard lock(m_mutex);
            if (auto it = m_loaded.find(key); it != m_loaded.end()) return it->second;
        }
        auto images = std::make_shared<const TargetImages>(loadTargetImages(store, targetSet, options));
        std::lock_guard lock(m_mutex);
        m_loaded[key] = images;
        return images;
    }

private:
    std::mutex m_mutex;
    std::map<std::string, std::shared_ptr<std::mutex>> m_keyMutexes;
    std::map<std::string, std::shared_ptr<const TargetImages>> m_loaded;
};

struct CellJob
{
    MatrixCell cell;
    std::int64_t runId = 0;
    int index = 0, count = 0;
};

enum class CellEnd
{
    Done,
    Skipped,
    Failed,
    Cancelled,
    Paused
};

std::string runsDir(ProjectStore& store)
{
    return fs::absolute(fs::path(store.filesDir()) / "runs").lexically_normal().string();
}

void writeTextAtomically(const fs::path& path, const std::string& text)
{
    const fs::path tmp = path.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << text;
        if (!out) throw Error("cannot write '" + tmp.string() + "'");
    }
    fs::rename(tmp, path);
}

// "target sets gzd5 -> gzd5, gz2mini; defaults changed: epochs" for the conflict message.
std::string describeMatrixChange(const nlohmann::json& before, const nlohmann::json& after)
{
    if (!before.is_object()) return "the stored one cannot be read";
    auto list = [](const nlohmann::json& j) {
        std::string out;
        if (j.is_array())
            for (const auto& v : j)
                out += (out.empty() ? "" : ", ") + (v.is_string() ? v.get<std::string>() : v.dump());
        return out.empty() ? std::string("none") : out;
    };
    std::vector<std::string> parts;
    const nlohmann::json nothing;
    auto field = [&](const char* key) -> const nlohmann::json& {
        return before.contains(key) ? before[key] : nothing;
    };
    auto fieldAfter = [&](const char* key) -> const nlohmann::json& {
        return after.contains(key) ? after[key] : nothing;
    };
    if (field("target_sets") != fieldAfter("target_sets"))
        parts.push_back("target sets " + list(field("target_sets")) + " -> " +
                        list(fieldAfter("target_sets")));
    if (field("defaults") != fieldAfter("defaults")) {
        std::string keys;
        const nlohmann::json& b = field("defaults");
        const nlohmann::json& a = fieldAfter("defaults");
        std::set<std::string> names;
        for (const nlohmann::json* j : {&b, &a})
            if (j->is_object())
                for (auto it = j->begin(); it != j->end(); ++it)
                    names.insert(it.key());
        for (const auto& n : names)
            if ((b.is_object() && b.contains(n) ? b[n] : nothing) !=
                (a.is_object() && a.contains(n) ? a[n] : nothing))
                keys += (keys.empty() ? "" : ", ") + n;
        parts.push_back("defaults changed: " + keys);
    }
    for (auto it = after.begin(); it != after.end(); ++it)
        if (it.key() != "target_sets" && it.key() != "defaults" && field(it.key().c_str()) != it.value())
            parts.push_back(it.key() + " changed");
    std::string out;
    for (const auto& p : parts)
        out += (out.empty() ? "" : "; ") + p;
    return out.empty() ? "its stored form differs" : out;
}

} // namespace

RunQueue::RunQueue(std::string projectPath, ExperimentMatrix matrix, std::string experimentName,
                   RunQueueOptions options, bool replaceMatrix)
    : m_projectPath(std::move(projectPath)), m_matrix(std::move(matrix)),
      m_experimentName(std::move(experimentName)), m_options(std::move(options))
{
    if (m_experimentName.empty()) m_experimentName = m_matrix.name.empty() ? "default" : m_matrix.name;
    auto store = ProjectStore::open(m_projectPath);
    const std::vector<std::string> known = targetSetNames(*store);
    for (const auto& t : m_matrix.targetSets)
        if (std::find(known.begin(), known.end(), t) == known.end()) {
            std::string list;
            for (const auto& k : known)
                list += (list.empty() ? "" : ", ") + k;
            throw Error("experiment '" + m_experimentName + "': the project has no target set '" + t + "' (" +
                        (known.empty()
                             ? std::string("it has none yet: build one with ringminer-cli targets build")
                             : "it has: " + list) +
                        ")");
        }
    const std::vector<MatrixCell> cells =
        m_matrix.cells(); // throws naming a bad cell before anything is stored
    if (!m_options.onlyCells.empty()) {
        bool any = false;
        for (const auto& c : cells)
            for (const auto& p : m_options.onlyCells)
                any = any || cellKeyMatches(p, c.key);
        if (!any) {
            std::string list;
            for (const auto& p : m_options.onlyCells)
                list += (list.empty() ? "" : ", ") + p;
            throw Error("experiment '" + m_experimentName + "': no cell matches " + list +
                        " (cell keys are <target set>/<model>/<mode>" +
                        (cells.empty() ? std::string() : ", e.g. " + cells.front().key) + ")");
        }
    }

    RunStore runs(*store);
    const nlohmann::json matrixJson = m_matrix.toJson();
    // No enclosing transaction: each write below is one, and a kill in between leaves cells that the next
    // run creates.
    if (auto id = runs.experimentId(m_experimentName)) {
        m_experimentId = *id;
        nlohmann::json stored;
        try {
            stored = nlohmann::json::parse(runs.experimentMatrix(*id).value_or("{}"));
        } catch (const nlohmann::json::exception&) {
            stored = nullptr;
        }
        if (stored != matrixJson) {
            if (!replaceMatrix)
                throw ExperimentMatrixConflict("experiment '" + m_experimentName +
                                               "' already exists with a different matrix (" +
                                               describeMatrixChange(stored, matrixJson) +
                                               "); run it under another name, or replace its matrix (cells "
                                               "whose configuration changed are trained again)");
            runs.setExperimentMatrix(*id, matrixJson.dump());
        }
    } else {
        m_experimentId = runs.createExperiment(m_experimentName, matrixJson.dump());
    }
    std::vector<std::string> keys;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        const MatrixCell& c = cells[i];
        runs.ensureRun(m_experimentId, c.key, c.targetSet, c.model, c.mode, static_cast<int>(i),
                       toJson(c.config).dump());
        keys.push_back(c.key);
    }
    if (replaceMatrix) runs.removeRunsExcept(m_experimentId, keys);
}

int RunQueue::run(const std::function<void(const RunEvent&)>& onEvent, const std::atomic<int>* stop)
{
    EventSink emit(onEvent);
    ImageBroker images;

    std::vector<CellJob> jobs;
    {
        auto store = ProjectStore::open(m_projectPath);
        RunStore runs(*store);
        const std::vector<MatrixCell> cells = m_matrix.cells();
        for (std::size_t i = 0; i < cells.size(); ++i) {
            const MatrixCell& c = cells[i];
            bool selected = m_options.onlyCells.empty();
            for (const auto& p : m_options.onlyCells)
                selected = selected || cellKeyMatches(p, c.key);
            if (!selected) continue;
            CellJob job;
            job.cell = c;
            job.runId = runs.ensureRun(m_experimentId, c.key, c.targetSet, c.model, c.mode,
                                       static_cast<int>(i), toJson(c.config).dump());
            jobs.push_back(std::move(job));
        }
    }
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        jobs[i].index = static_cast<int>(i);
        jobs[i].count = static_cast<int>(jobs.size());
    }

    // Several cells at once only on the CPU: one GPU is best used by one run at a time.
    int parallel = std::max(1, m_options.parallelCells);
    if (parallel > 1)
        for (const auto& j : jobs) {
            const std::string device = m_options.device.empty() ? j.cell.config.device : m_options.device;
            if (describeDevice(device).rfind("cpu", 0) != 0) {
                parallel = 1;
                break;
            }
        }
    parallel = std::min<int>(parallel, static_cast<int>(std::max<std::size_t>(1, jobs.size())));
    const int hardware = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const int threadsPerCell = std::max(1, hardware / parallel);

    {
        RunEvent e;
        e.kind = RunEvent::Kind::ExperimentStarted;
        e.message = m_experimentName;
        e.cellCount = static_cast<int>(jobs.size());
        emit(e);
    }

    std::mutex queueMutex;
    std::size_t next = 0;
    int done = 0, failed = 0, skipped = 0, stopped = 0;

    auto runOne = [&](ProjectStore& store, RunStore& runs, const CellJob& job) -> CellEnd {
        RunEvent base;
        base.cellKey = job.cell.key;
        base.runId = job.runId;
        base.cellIndex = job.index;
        base.cellCount = job.count;
        auto event = [&](RunEvent::Kind kind, const std::string& message = {}) {
            RunEvent e = base;
            e.kind = kind;
            e.message = message;
            return e;
        };

        const RunRecord record = runs.run(job.runId);
        if (record.state == "done") {
            emit(event(RunEvent::Kind::CellSkipped, "already done"));
            return CellEnd::Skipped;
        }
        if (record.state == "failed" && !m_options.retryFailed) {
            emit(event(RunEvent::Kind::CellSkipped, "failed earlier: " + record.error));
            return CellEnd::Skipped;
        }
        const fs::path workDir = fs::path(runsDir(store)) / std::to_string(job.runId);
        fs::create_directories(workDir);
        RunLock lock((workDir / "lock").string());
        if (!lock.held()) {
            emit(event(RunEvent::Kind::CellSkipped, kCellBusyMessage));
            return CellEnd::Skipped;
        }
        if (record.attempts == 0) {
            // Never started under its current config (new, or reset because the matrix changed): whatever
            // an earlier config left here (checkpoints, fold folders) would be refused as foreign.
            std::error_code ec;
            for (const auto& entry : fs::directory_iterator(workDir, ec))
                if (entry.path().filename() != "lock") fs::remove_all(entry.path(), ec);
        }

        TrainConfig config = job.cell.config;
        if (!m_options.device.empty()) config.device = m_options.device;
        if (parallel > 1) {
            if (config.torchThreads == 0) config.torchThreads = threadsPerCell;
            if (config.loaderThreads == 0) config.loaderThreads = threadsPerCell;
        }
        auto log = [&](const std::string& text) { emit(event(RunEvent::Kind::Log, text)); };
        auto cancelRequested = [&] { return stopOf(stop) == StopRequest::Cancel; };
        try {
            const std::string device = describeDevice(config.device);
            runs.setWorkDir(job.runId, workDir.string());
            runs.markRunning(job.runId, device);
            emit(event(RunEvent::Kind::CellStarted,
                       record.state == "running" || record.attempts > 0
                           ? "resuming (attempt " + std::to_string(record.attempts + 1) + ")"
                           : std::string()));

            TargetImagesOptions io;
            io.width = config.view.width;
            io.height = config.view.height;
            io.channels = config.view.channels;
            io.threads = parallel > 1 ? threadsPerCell : 0;
            io.log = log;
            double lastReport = -1;
            io.progress = [&](std::size_t d, std::size_t t) {
                const double now =
                    std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
                        .count();
                if (d == t || now - lastReport > 2) {
                    lastReport = now;
                    log("decoding images: " + std::to_string(d) + " of " + std::to_string(t));
                }
                return !cancelRequested();
            };
            const std::shared_ptr<const TargetImages> data = images.get(store, job.cell.targetSet, io);

            if (config.cvFolds >= 2) {
                // A set too small for its folds fails now, not after the cell's own model has trained.
                crossValidationSplits(data->data.labels, recordsWithImages(*data), config.cvFolds, 1,
                                      config.seed);
            }

            nlohmann::json resolved = toJson(config);
            resolved["cell"] = job.cell.key;
            resolved["experiment"] = m_experimentName;
            resolved["run_id"] = job.runId;
            writeTextAtomically(workDir / "config.json", resolved.dump(2) + "\n");

            const auto start = std::chrono::steady_clock::now();
            Trainer trainer(config, data->data, workDir.string());
            TrainCallbacks callbacks;
            callbacks.onStep = [&](const StepEvent& s) {
                RunEvent e = event(RunEvent::Kind::Step);
                e.step = s;
                emit(e);
            };
            callbacks.onEpoch = [&](const EpochEvent& ep) {
                runs.recordEpoch(job.runId, ep);
                RunEvent e = event(RunEvent::Kind::Epoch);
                e.epoch = ep;
                emit(e);
            };
            callbacks.log = log;
            callbacks.cancelled = cancelRequested;
            callbacks.stopAfterEpoch = [&] { return stopOf(stop) == StopRequest::Pause; };
            const TrainResult result = trainer.run(callbacks);
            runs.replaceEpochs(job.runId, result.history);
            if (result.paused || (result.cancelled && stopOf(stop) == StopRequest::Pause)) {
                runs.markQueued(job.runId);
                emit(event(RunEvent::Kind::CellCancelled,
                           "paused after epoch " + std::to_string(result.epochsRun)));
                return CellEnd::Paused;
            }
            if (result.cancelled) {
                runs.markCancelled(job.runId);
                emit(event(RunEvent::Kind::CellCancelled, "cancelled"));
                return CellEnd::Cancelled;
            }

            log("evaluating " + result.bestWeightsPath);
            EvaluationInput in;
            in.images = data.get();
            in.weightsPath = result.bestWeightsPath;
            in.config = config;
            in.cancelled = cancelRequested;
            std::optional<RunOutcome> outcome = evaluateRun(in);
            if (!outcome) {
                runs.markCancelled(job.runId);
                emit(event(RunEvent::Kind::CellCancelled, "cancelled during evaluation"));
                return CellEnd::Cancelled;
            }
            if (config.cvFolds >= 2) {
                CrossValidationInput cv;
                cv.images = data.get();
                cv.config = config;
                cv.runDir = workDir.string();
                cv.runId = job.runId;
                cv.runs = &runs;
                cv.callbacks.log = log;
                cv.callbacks.cancelled = cancelRequested;
                cv.callbacks.stopAfterEpoch = [&] { return stopOf(stop) == StopRequest::Pause; };
                const CrossValidationResult folds = runCrossValidation(cv);
                if (folds.paused || (folds.cancelled && stopOf(stop) == StopRequest::Pause)) {
                    runs.markQueued(job.runId);
                    emit(event(RunEvent::Kind::CellCancelled, "paused during cross-validation"));
                    return CellEnd::Paused;
                }
                if (folds.cancelled) {
                    runs.markCancelled(job.runId);
                    emit(event(RunEvent::Kind::CellCancelled, "cancelled during cross-validation"));
                    return CellEnd::Cancelled;
                }
                outcome->metrics["cv"] = folds.metrics;
                outcome->curves.insert(outcome->curves.end(), folds.curves.begin(), folds.curves.end());
            }
            outcome->device = result.device.empty() ? device : result.device;
            outcome->epochsRun = result.epochsRun;
            outcome->bestEpoch = result.bestEpoch;
            outcome->imagesPerSecond = result.trainImagesPerSecond;
            // Wall time of this attempt; a resumed run adds the epochs' time recorded before the kill.
            double previous = 0;
            for (const auto& ep : result.history)
                previous += ep.seconds;
            const double now =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            outcome->seconds = std::max(now, previous);
            runs.finishRun(job.runId, *outcome);

            RunEvent finished = event(RunEvent::Kind::CellFinished);
            const auto val = outcome->metrics["val"].find("roc_auc");
            const auto test = outcome->metrics["test"].find("roc_auc");
            finished.valAuc = val != outcome->metrics["val"].end() ? val->second.value : kNaN;
            finished.testAuc = test != outcome->metrics["test"].end() ? test->second.value : kNaN;
            if (auto cv = outcome->metrics.find("cv"); cv != outcome->metrics.end()) {
                const MetricInterval& auc = cv->second.at("roc_auc");
                finished.cvAuc = auc.value;
                finished.cvLow = auc.low;
                finished.cvHigh = auc.high;
            }
            emit(finished);
            return CellEnd::Done;
        } catch (const std::exception& ex) {
            if (cancelRequested()) {
                runs.markCancelled(job.runId);
                emit(event(RunEvent::Kind::CellCancelled, std::string("cancelled: ") + ex.what()));
                return CellEnd::Cancelled;
            }
            runs.markFailed(job.runId, ex.what());
            emit(event(RunEvent::Kind::CellFailed, ex.what()));
            return CellEnd::Failed;
        }
    };

    auto worker = [&] {
        // Each thread its own connection: SQLite serialises the writers, WAL lets readers (the GUI) in.
        auto store = ProjectStore::open(m_projectPath);
        RunStore runs(*store);
        for (;;) {
            const CellJob* job = nullptr;
            {
                std::lock_guard lock(queueMutex);
                if (next >= jobs.size() || stopOf(stop) != StopRequest::None) return;
                job = &jobs[next++];
            }
            CellEnd end;
            try {
                end = runOne(*store, runs, *job);
            } catch (const std::exception& ex) {
                // The store itself failed (disk full, locked for too long): report it and go on.
                RunEvent e;
                e.kind = RunEvent::Kind::CellFailed;
                e.cellKey = job->cell.key;
                e.runId = job->runId;
                e.cellIndex = job->index;
                e.cellCount = job->count;
                e.message = ex.what();
                emit(e);
                end = CellEnd::Failed;
            }
            std::lock_guard lock(queueMutex);
            switch (end) {
            case CellEnd::Done:
                ++done;
                break;
            case CellEnd::Failed:
                ++failed;
                break;
            case CellEnd::Skipped:
                ++skipped;
                break;
            case CellEnd::Cancelled:
            case CellEnd::Paused:
                ++stopped;
                break;
            }
        }
    };

    if (parallel == 1) {
        worker();
    } else {
        std::vector<std::thread> threads;
        for (int i = 0; i < parallel; ++i)
            threads.emplace_back(worker);
        for (auto& t : threads)
            t.join();
    }

    RunEvent finished;
    finished.kind = RunEvent::Kind::ExperimentFinished;
    finished.cellCount = static_cast<int>(jobs.size());
    finished.message = std::to_string(done) + " done, " + std::to_string(failed) + " failed, " +
                       std::to_string(skipped) + " skipped, " + std::to_string(stopped) + " stopped" +
                       (stopOf(stop) == StopRequest::Pause    ? " (paused)"
                        : stopOf(stop) == StopRequest::Cancel ? " (cancelled)"
                                                              : "");
    emit(finished);
    return done;
}

} // namespace rm
