#include "training/RunQueue.h"

#include "cache/DecodedCache.h"
#include "store/ProjectStore.h"
#include "targets/TargetSetBuilder.h"
#include "training/CrossValidation.h"
#include "training/CrossValidationRun.h"
#include "training/DeviceName.h"
#include "training/RunEvaluation.h"
#include "training/RunLock.h"
#include "training/RunStore.h"
#include "training/TargetImages.h"
#include "training/UnlabelledPool.h"
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
        const std::string key = targetSet + "|" + options.shape.text();
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

// The cells the options select, each with its run (created queued when new).
std::vector<CellJob> plannedJobs(const std::string& projectPath, const ExperimentMatrix& matrix,
                                 std::int64_t experimentId, const RunQueueOptions& options)
{
    std::vector<CellJob> jobs;
    auto store = ProjectStore::open(projectPath);
    RunStore runs(*store);
    const std::vector<MatrixCell> cells = matrix.cells();
    for (std::size_t i = 0; i < cells.size(); ++i) {
        const MatrixCell& c = cells[i];
        bool selected = options.onlyCells.empty();
        for (const auto& p : options.onlyCells)
            selected = selected || cellKeyMatches(p, c.key);
        if (!selected) continue;
        CellJob job;
        job.cell = c;
        job.runId = runs.ensureRun(experimentId, c.key, c.targetSet, c.model, c.mode, static_cast<int>(i),
                                   toJson(c.config).dump());
        jobs.push_back(std::move(job));
    }
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        jobs[i].index = static_cast<int>(i);
        jobs[i].count = static_cast<int>(jobs.size());
    }
    return jobs;
}

// What the cells of one RunQueue::run() share.
struct QueueContext
{
    EventSink& emit;
    ImageBroker& images;
    const std::atomic<int>* stop;
    const RunQueueOptions& options;
    const std::string& experimentName;
    int parallel = 1;       // cells at once
    int threadsPerCell = 1; // torch and loader threads of each when parallel > 1
};

RunEvent cellEvent(const CellJob& job, RunEvent::Kind kind, const std::string& message = {})
{
    RunEvent e;
    e.kind = kind;
    e.cellKey = job.cell.key;
    e.runId = job.runId;
    e.cellIndex = job.index;
    e.cellCount = job.count;
    e.message = message;
    return e;
}

// Several cells at once only on the CPU: one GPU is best used by one run at a time.
int cellsAtOnce(const std::vector<CellJob>& jobs, const RunQueueOptions& options)
{
    int parallel = std::max(1, options.parallelCells);
    if (parallel > 1)
        for (const auto& j : jobs) {
            const std::string device = options.device.empty() ? j.cell.config.device : options.device;
            if (describeDevice(device).rfind("cpu", 0) != 0) return 1;
        }
    return std::min<int>(parallel, static_cast<int>(std::max<std::size_t>(1, jobs.size())));
}

// One cell, from claiming its run (skipping it when done, failed without retry, or trained by another
// process) to recording its outcome: train the fixed-split model, evaluate it, cross-validate when asked.
class CellRun
{
public:
    CellRun(const QueueContext& q, ProjectStore& store, RunStore& runs, const CellJob& job)
        : m_q(q), m_store(store), m_runs(runs), m_job(job)
    {
    }

    CellEnd run()
    {
        const RunRecord record = m_runs.run(m_job.runId);
        if (record.state == "done") return skip("already done");
        if (record.state == "failed" && !m_q.options.retryFailed)
            return skip("failed earlier: " + record.error);
        m_workDir = fs::path(runsDir(m_store)) / std::to_string(m_job.runId);
        fs::create_directories(m_workDir);
        RunLock lock((m_workDir / "lock").string());
        if (!lock.held()) return skip(kCellBusyMessage);
        if (record.attempts == 0) clearWorkDir();
        try {
            return trainAndRecord(record);
        } catch (const std::exception& ex) {
            if (cancelRequested()) return stopped(false, std::string("cancelled: ") + ex.what());
            m_runs.markFailed(m_job.runId, ex.what());
            emit(RunEvent::Kind::CellFailed, ex.what());
            return CellEnd::Failed;
        }
    }

private:
    void emit(RunEvent::Kind kind, const std::string& message = {}) const
    {
        m_q.emit(cellEvent(m_job, kind, message));
    }
    void log(const std::string& text) const { emit(RunEvent::Kind::Log, text); }
    bool cancelRequested() const { return stopOf(m_q.stop) == StopRequest::Cancel; }
    bool pauseRequested() const { return stopOf(m_q.stop) == StopRequest::Pause; }

    CellEnd skip(const std::string& why) const
    {
        emit(RunEvent::Kind::CellSkipped, why);
        return CellEnd::Skipped;
    }

    // A paused cell goes back to the queue with its checkpoint; a cancelled one is marked so.
    CellEnd stopped(bool paused, const std::string& message) const
    {
        if (paused)
            m_runs.markQueued(m_job.runId);
        else
            m_runs.markCancelled(m_job.runId);
        emit(RunEvent::Kind::CellCancelled, message);
        return paused ? CellEnd::Paused : CellEnd::Cancelled;
    }

    // Never started under its current config (new, or reset because the matrix changed): whatever an earlier
    // config left here (checkpoints, fold folders) would be refused as foreign.
    void clearWorkDir() const
    {
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(m_workDir, ec))
            if (entry.path().filename() != "lock") fs::remove_all(entry.path(), ec);
    }

    TrainConfig resolvedConfig() const
    {
        TrainConfig config = m_job.cell.config;
        if (!m_q.options.device.empty()) config.device = m_q.options.device;
        if (m_q.parallel > 1) {
            if (config.torchThreads == 0) config.torchThreads = m_q.threadsPerCell;
            if (config.loaderThreads == 0) config.loaderThreads = m_q.threadsPerCell;
        }
        return config;
    }

    // The cell's target set decoded at its shape; building a missing cache reports progress every 2 s.
    std::shared_ptr<const TargetImages> images(const TrainConfig& config) const
    {
        TargetImagesOptions io;
        io.shape = config.view;
        io.threads = m_q.parallel > 1 ? m_q.threadsPerCell : 0;
        io.log = [this](const std::string& text) { log(text); };
        double lastReport = -1;
        io.progress = [&](std::size_t d, std::size_t t) {
            const double now =
                std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
            if (d == t || now - lastReport > 2) {
                lastReport = now;
                log("decoding images: " + std::to_string(d) + " of " + std::to_string(t));
            }
            return !cancelRequested();
        };
        return m_q.images.get(m_store, m_job.cell.targetSet, io);
    }

    // The semi-supervised cell's unlabelled images at its shape (cache found or built).
    UnlabelledPool unlabelledPool(const TrainConfig& config) const
    {
        UnlabelledPoolOptions o;
        o.shape = config.view;
        o.threads = m_q.parallel > 1 ? m_q.threadsPerCell : 0;
        o.log = [this](const std::string& text) { log(text); };
        o.progress = [this](std::size_t, std::size_t) { return !cancelRequested(); };
        return loadUnlabelledPool(m_store, config.semiSupervised.unlabelled, o);
    }

    void writeResolvedConfig(const TrainConfig& config) const
    {
        nlohmann::json resolved = toJson(config);
        resolved["cell"] = m_job.cell.key;
        resolved["experiment"] = m_q.experimentName;
        resolved["run_id"] = m_job.runId;
        writeTextAtomically(m_workDir / "config.json", resolved.dump(2) + "\n");
    }

    TrainCallbacks trainCallbacks() const
    {
        TrainCallbacks callbacks;
        callbacks.onStep = [this](const StepEvent& s) {
            RunEvent e = cellEvent(m_job, RunEvent::Kind::Step);
            e.step = s;
            m_q.emit(e);
        };
        callbacks.onEpoch = [this](const EpochEvent& ep) {
            m_runs.recordEpoch(m_job.runId, ep);
            RunEvent e = cellEvent(m_job, RunEvent::Kind::Epoch);
            e.epoch = ep;
            m_q.emit(e);
        };
        callbacks.log = [this](const std::string& text) { log(text); };
        callbacks.cancelled = [this] { return cancelRequested(); };
        callbacks.stopAfterEpoch = [this] { return pauseRequested(); };
        return callbacks;
    }

    CellEnd trainAndRecord(const RunRecord& record)
    {
        const TrainConfig config = resolvedConfig();
        const std::string device = describeDevice(config.device);
        m_runs.setWorkDir(m_job.runId, m_workDir.string());
        m_runs.markRunning(m_job.runId, device);
        emit(RunEvent::Kind::CellStarted,
             record.state == "running" || record.attempts > 0
                 ? "resuming (attempt " + std::to_string(record.attempts + 1) + ")"
                 : std::string());

        const std::shared_ptr<const TargetImages> data = images(config);
        // A set too small for its folds fails now, not after the cell's own model has trained.
        if (config.cvFolds >= 2)
            crossValidationSplits(data->data.labels, recordsWithImages(*data), config.cvFolds, 1,
                                  config.seed);
        writeResolvedConfig(config);

        const auto start = std::chrono::steady_clock::now();
        TrainData trainData = data->data;
        std::optional<UnlabelledPool> pool;
        if (config.semiSupervised.enabled()) {
            pool = unlabelledPool(config);
            // The fixed split's model is scored on the test part: it is the "evaluation fold" here.
            addUnlabelled(trainData, *pool, *data, data->test, config.semiSupervised.includeEvalFolds,
                          [this](const std::string& text) { log(text); });
        }
        const TrainResult result = Trainer(config, trainData, m_workDir.string()).run(trainCallbacks());
        m_runs.replaceEpochs(m_job.runId, result.history);
        if (result.paused || (result.cancelled && pauseRequested()))
            return stopped(true, "paused after epoch " + std::to_string(result.epochsRun));
        if (result.cancelled) return stopped(false, "cancelled");

        log("evaluating " + result.bestWeightsPath);
        EvaluationInput in;
        in.images = data.get();
        in.weightsPath = result.bestWeightsPath;
        in.config = config;
        in.cancelled = [this] { return cancelRequested(); };
        std::optional<RunOutcome> outcome = evaluateRun(in);
        if (!outcome) return stopped(false, "cancelled during evaluation");
        if (config.cvFolds >= 2) {
            const CrossValidationResult folds = crossValidate(config, *data, pool ? &*pool : nullptr);
            if (folds.paused || (folds.cancelled && pauseRequested()))
                return stopped(true, "paused during cross-validation");
            if (folds.cancelled) return stopped(false, "cancelled during cross-validation");
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
        const double now = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        outcome->seconds = std::max(now, previous);
        m_runs.finishRun(m_job.runId, *outcome);
        m_q.emit(finishedEvent(*outcome));
        return CellEnd::Done;
    }

    CrossValidationResult crossValidate(const TrainConfig& config, const TargetImages& data,
                                        const UnlabelledPool* pool)
    {
        CrossValidationInput cv;
        cv.unlabelled = pool;
        cv.images = &data;
        cv.config = config;
        cv.runDir = m_workDir.string();
        cv.runId = m_job.runId;
        cv.runs = &m_runs;
        cv.callbacks.log = [this](const std::string& text) { log(text); };
        cv.callbacks.cancelled = [this] { return cancelRequested(); };
        cv.callbacks.stopAfterEpoch = [this] { return pauseRequested(); };
        return runCrossValidation(cv);
    }

    RunEvent finishedEvent(RunOutcome& outcome) const
    {
        RunEvent finished = cellEvent(m_job, RunEvent::Kind::CellFinished);
        const auto val = outcome.metrics["val"].find("roc_auc");
        const auto test = outcome.metrics["test"].find("roc_auc");
        finished.valAuc = val != outcome.metrics["val"].end() ? val->second.value : kNaN;
        finished.testAuc = test != outcome.metrics["test"].end() ? test->second.value : kNaN;
        if (auto cv = outcome.metrics.find("cv"); cv != outcome.metrics.end()) {
            const MetricInterval& auc = cv->second.at("roc_auc");
            finished.cvAuc = auc.value;
            finished.cvLow = auc.low;
            finished.cvHigh = auc.high;
        }
        return finished;
    }

    const QueueContext& m_q;
    ProjectStore& m_store;
    RunStore& m_runs;
    const CellJob& m_job;
    fs::path m_workDir;
};

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
    const std::vector<CellJob> jobs = plannedJobs(m_projectPath, m_matrix, m_experimentId, m_options);

    QueueContext q{emit, images, stop, m_options, m_experimentName};
    q.parallel = cellsAtOnce(jobs, m_options);
    const int hardware = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    q.threadsPerCell = std::max(1, hardware / q.parallel);

    {
        RunEvent e;
        e.kind = RunEvent::Kind::ExperimentStarted;
        e.message = m_experimentName;
        e.cellCount = static_cast<int>(jobs.size());
        emit(e);
    }

    std::mutex queueMutex;
    std::size_t next = 0;
    std::map<CellEnd, int> ends;
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
                end = CellRun(q, *store, runs, *job).run();
            } catch (const std::exception& ex) {
                // The store itself failed (disk full, locked for too long): report it and go on.
                RunEvent e = cellEvent(*job, RunEvent::Kind::CellFailed, ex.what());
                emit(e);
                end = CellEnd::Failed;
            }
            std::lock_guard lock(queueMutex);
            ++ends[end];
        }
    };
    if (q.parallel == 1) {
        worker();
    } else {
        std::vector<std::thread> threads;
        for (int i = 0; i < q.parallel; ++i)
            threads.emplace_back(worker);
        for (auto& t : threads)
            t.join();
    }

    const int done = ends[CellEnd::Done];
    RunEvent finished;
    finished.kind = RunEvent::Kind::ExperimentFinished;
    finished.cellCount = static_cast<int>(jobs.size());
    finished.message = std::to_string(done) + " done, " + std::to_string(ends[CellEnd::Failed]) +
                       " failed, " + std::to_string(ends[CellEnd::Skipped]) + " skipped, " +
                       std::to_string(ends[CellEnd::Cancelled] + ends[CellEnd::Paused]) + " stopped" +
                       (stopOf(stop) == StopRequest::Pause    ? " (paused)"
                        : stopOf(stop) == StopRequest::Cancel ? " (cancelled)"
                                                              : "");
    emit(finished);
    return done;
}

} // namespace rm
