#include "training/RunStore.h"

#include "store/ProjectStore.h"
#include "training/RunLock.h"
#include "training/TrainConfig.h"
#include "util/Error.h"
#include "util/Sha256.h"

#include <cmath>
#include <filesystem>
#include <limits>
#include <set>

namespace rm {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

nlohmann::json numberToJson(double v)
{
    if (std::isfinite(v)) return v;
    if (std::isnan(v)) return nullptr;
    return v > 0 ? "inf" : "-inf";
}

double numberFromJson(const nlohmann::json& v)
{
    if (v.is_number()) return v.get<double>();
    if (v.is_string()) {
        const std::string s = v.get<std::string>();
        if (s == "inf") return std::numeric_limits<double>::infinity();
        if (s == "-inf") return -std::numeric_limits<double>::infinity();
    }
    return kNaN;
}

nlohmann::json arrayToJson(const std::vector<double>& values)
{
    nlohmann::json a = nlohmann::json::array();
    for (double v : values)
        a.push_back(numberToJson(v));
    return a;
}

std::vector<double> arrayFromJson(const nlohmann::json& j, const char* key)
{
    std::vector<double> out;
    if (!j.contains(key)) return out;
    for (const auto& v : j.at(key))
        out.push_back(numberFromJson(v));
    return out;
}

namespace fs = std::filesystem;

std::string runStatus(const std::string& state, int epochs, int attempts, const std::string& lockPath)
{
    if (state == "queued") {
        if (epochs == 0 && attempts == 0) return "not started";
        return "paused - resumes on next start";
    }
    if (state == "running")
        return RunLock::heldByAnyone(lockPath) ? "running" : "interrupted - resumes on next start";
    return state;
}

std::string nullableText(const Statement& s, int i)
{
    return s.isNull(i) ? std::string() : s.text(i);
}

} // namespace

nlohmann::json curveToJson(const Curve& curve)
{
    return {{"x", arrayToJson(curve.x)},
            {"y", arrayToJson(curve.y)},
            {"thresholds", arrayToJson(curve.thresholds)}};
}

Curve curveFromJson(const nlohmann::json& json)
{
    Curve c;
    c.x = arrayFromJson(json, "x");
    c.y = arrayFromJson(json, "y");
    c.thresholds = arrayFromJson(json, "thresholds");
    return c;
}

RunStore::RunStore(ProjectStore& store) : m_store(store) {}

std::optional<std::int64_t> RunStore::experimentId(const std::string& name)
{
    std::lock_guard lock(m_mutex);
    Statement s = m_store.db().prepare("SELECT id FROM experiments WHERE name = ?");
    s.bind(1, name);
    if (!s.step()) return std::nullopt;
    return s.integer(0);
}

std::optional<std::string> RunStore::experimentMatrix(std::int64_t experimentId)
{
    std::lock_guard lock(m_mutex);
    Statement s = m_store.db().prepare("SELECT matrix_json FROM experiments WHERE id = ?");
    s.bind(1, experimentId);
    if (!s.step()) return std::nullopt;
    return s.text(0);
}

std::vector<std::string> RunStore::experimentNames()
{
    std::lock_guard lock(m_mutex);
    Statement s = m_store.db().prepare("SELECT name FROM experiments ORDER BY id DESC");
    std::vector<std::string> out;
    while (s.step())
        out.push_back(s.text(0));
    return out;
}

std::int64_t RunStore::createExperiment(const std::string& name, const std::string& matrixJson)
{
    std::lock_guard lock(m_mutex);
    if (name.empty()) throw Error("an experiment needs a name");
    m_store.db()
        .prepare("INSERT INTO experiments(name, matrix_json, created_at) VALUES(?, ?, ?)")
        .bind(1, name)
        .bind(2, matrixJson)
        .bind(3, nowIso8601())
        .run();
    return m_store.db().lastInsertId();
}

void RunStore::setExperimentMatrix(std::int64_t experimentId, const std::string& matrixJson)
{
    std::lock_guard lock(m_mutex);
    m_store.db()
        .prepare("UPDATE experiments SET matrix_json = ? WHERE id = ?")
        .bind(1, matrixJson)
        .bind(2, experimentId)
        .run();
}

void RunStore::deleteResults(std::int64_t runId)
{
    Database& db = m_store.db();
    for (const char* table : {"epochs", "metrics", "run_curves", "predictions", "cv_folds", "cv_predictions"})
        db.prepare(std::string("DELETE FROM ") + table + " WHERE run_id = ?").bind(1, runId).run();
}

std::int64_t RunStore::ensureRun(std::int64_t experimentId, const std::string& cellKey,
                                 const std::string& targetSet, const std::string& model,
                                 const std::string& mode, int position, const std::string& configJson,
                                 bool* reset)
{
    std::lock_guard lock(m_mutex);
    if (reset) *reset = false;
    Database& db = m_store.db();
    Transaction tx(db);
    Statement find = db.prepare("SELECT id, config_json FROM runs WHERE experiment_id = ? AND cell_key = ?");
    find.bind(1, experimentId).bind(2, cellKey);
    std::int64_t id = 0;
    if (find.step()) {
        id = find.integer(0);
        const std::string stored = find.text(1);
        bool same = stored == configJson;
        if (!same) {
            // Compare as JSON: key order or number formatting alone is not a change, and neither is an option
            // added in a later version that the stored config lacks, when the new config has its default.
            try {
                same = nlohmann::json::parse(stored) == nlohmann::json::parse(configJson);
                if (!same)
                    same = toJson(applyJson(TrainConfig{}, nlohmann::json::parse(stored))) ==
                           toJson(applyJson(TrainConfig{}, nlohmann::json::parse(configJson)));
            } catch (const std::exception&) {
                same = false;
            }
        }
        if (!same) {
            deleteResults(id);
            db.prepare("UPDATE runs SET config_json = ?, state = 'queued', error = '', weights_path = '', "
                       "weights_sha256 = '', device = '', started_at = NULL, finished_at = NULL, "
                       "epochs_run = 0, best_epoch = NULL, seconds = NULL, images_per_second = NULL, "
                       "attempts = 0 WHERE id = ?")
                .bind(1, configJson)
                .bind(2, id)
                .run();
            if (reset) *reset = true;
        }
        db.prepare("UPDATE runs SET target_set = ?, model = ?, mode = ?, position = ? WHERE id = ?")
            .bind(1, targetSet)
            .bind(2, model)
            .bind(3, mode)
            .bind(4, position)
            .bind(5, id)
            .run();
    } else {
        db.prepare("INSERT INTO runs(experiment_id, cell_key, config_json, state, target_set, model, mode, "
                   "position) VALUES(?, ?, ?, 'queued', ?, ?, ?, ?)")
            .bind(1, experimentId)
            .bind(2, cellKey)
            .bind(3, configJson)
            .bind(4, targetSet)
            .bind(5, model)
            .bind(6, mode)
            .bind(7, position)
            .run();
        id = db.lastInsertId();
    }
    tx.commit();
    return id;
}

int RunStore::removeRunsExcept(std::int64_t experimentId, const std::vector<std::string>& keepKeys)
{
    std::lock_guard lock(m_mutex);
    const std::set<std::string> keep(keepKeys.begin(), keepKeys.end());
    Database& db = m_store.db();
    Transaction tx(db);
    std::vector<std::int64_t> doomed;
    Statement s = db.prepare("SELECT id, cell_key FROM runs WHERE experiment_id = ?");
    s.bind(1, experimentId);
    while (s.step())
        if (!keep.count(s.text(1))) doomed.push_back(s.integer(0));
    for (std::int64_t id : doomed) {
        deleteResults(id);
        db.prepare("DELETE FROM runs WHERE id = ?").bind(1, id).run();
    }
    tx.commit();
    return static_cast<int>(doomed.size());
}

RunRecord RunStore::run(std::int64_t runId)
{
    std::lock_guard lock(m_mutex);
    Statement s = m_store.db().prepare(
        "SELECT id, cell_key, state, error, work_dir, config_json, attempts FROM runs WHERE id = ?");
    s.bind(1, runId);
    if (!s.step()) throw Error("no run " + std::to_string(runId) + " in project '" + m_store.path() + "'");
    RunRecord r;
    r.id = s.integer(0);
    r.cellKey = s.text(1);
    r.state = s.text(2);
    r.error = s.text(3);
    r.workDir = s.text(4);
    r.configJson = s.text(5);
    r.attempts = static_cast<int>(s.integer(6));
    return r;
}

void RunStore::setWorkDir(std::int64_t runId, const std::string& workDir)
{
    std::lock_guard lock(m_mutex);
    m_store.db().prepare("UPDATE runs SET work_dir = ? WHERE id = ?").bind(1, workDir).bind(2, runId).run();
}

void RunStore::markRunning(std::int64_t runId, const std::string& device)
{
    std::lock_guard lock(m_mutex);
    m_store.db()
        .prepare("UPDATE runs SET state = 'running', device = ?, started_at = ?, finished_at = NULL, "
                 "attempts = attempts + 1 WHERE id = ?")
        .bind(1, device)
        .bind(2, nowIso8601())
        .bind(3, runId)
        .run();
}

void RunStore::markQueued(std::int64_t runId)
{
    std::lock_guard lock(m_mutex);
    m_store.db().prepare("UPDATE runs SET state = 'queued' WHERE id = ?").bind(1, runId).run();
}

void RunStore::markFailed(std::int64_t runId, const std::string& error)
{
    std::lock_guard lock(m_mutex);
    m_store.db()
        .prepare("UPDATE runs SET state = 'failed', error = ?, finished_at = ? WHERE id = ?")
        .bind(1, error.empty() ? std::string("unknown error") : error)
        .bind(2, nowIso8601())
        .bind(3, runId)
        .run();
}

void RunStore::markCancelled(std::int64_t runId)
{
    std::lock_guard lock(m_mutex);
    m_store.db()
        .prepare("UPDATE runs SET state = 'cancelled', finished_at = ? WHERE id = ?")
        .bind(1, nowIso8601())
        .bind(2, runId)
        .run();
}

static void insertEpoch(Database& db, std::int64_t runId, const EpochEvent& e)
{
    db.prepare(
          "INSERT INTO epochs(run_id, epoch, train_loss, val_loss, val_auc, learning_rate, seconds, best, "
          "unlabelled_loss, mask_rate) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(run_id, epoch) DO "
          "UPDATE "
          "SET train_loss = excluded.train_loss, val_loss = excluded.val_loss, val_auc = excluded.val_auc, "
          "learning_rate = excluded.learning_rate, seconds = excluded.seconds, best = excluded.best, "
          "unlabelled_loss = excluded.unlabelled_loss, mask_rate = excluded.mask_rate")
        .bind(1, runId)
        .bind(2, e.epoch)
        .bind(3, e.trainLoss)
        .bind(4, e.valLoss)
        .bind(5, e.valAuc)
        .bind(6, e.learningRate)
        .bind(7, e.seconds)
        .bind(8, e.best ? 1 : 0)
        .bind(9, e.unlabelledLoss)
        .bind(10, e.maskRate)
        .run();
}

void RunStore::recordEpoch(std::int64_t runId, const EpochEvent& epoch)
{
    std::lock_guard lock(m_mutex);
    Transaction tx(m_store.db());
    // Only one epoch is the best so far: a new best clears the flag of the earlier ones.
    if (epoch.best) m_store.db().prepare("UPDATE epochs SET best = 0 WHERE run_id = ?").bind(1, runId).run();
    insertEpoch(m_store.db(), runId, epoch);
    m_store.db()
        .prepare("UPDATE runs SET epochs_run = max(epochs_run, ?) WHERE id = ?")
        .bind(1, epoch.epoch + 1)
        .bind(2, runId)
        .run();
    tx.commit();
}

void RunStore::replaceEpochs(std::int64_t runId, const std::vector<EpochEvent>& history)
{
    std::lock_guard lock(m_mutex);
    Transaction tx(m_store.db());
    m_store.db().prepare("DELETE FROM epochs WHERE run_id = ?").bind(1, runId).run();
    for (const auto& e : history)
        insertEpoch(m_store.db(), runId, e);
    tx.commit();
}

void RunStore::finishRun(std::int64_t runId, const RunOutcome& o)
{
    std::lock_guard lock(m_mutex);
    Database& db = m_store.db();
    Transaction tx(db);
    for (const char* table : {"metrics", "run_curves", "predictions"})
        db.prepare(std::string("DELETE FROM ") + table + " WHERE run_id = ?").bind(1, runId).run();
    Statement metric = db.prepare(
        "INSERT INTO metrics(run_id, split, name, value, ci_low, ci_high) VALUES(?, ?, ?, ?, ?, ?)");
    for (const auto& [split, values] : o.metrics)
        for (const auto& [name, m] : values) {
            metric.bind(1, runId)
                .bind(2, split)
                .bind(3, name)
                .bind(4, m.value)
                .bind(5, m.low)
                .bind(6, m.high);
            metric.run();
        }
    Statement curve =
        db.prepare("INSERT INTO run_curves(run_id, split, kind, points_json) VALUES(?, ?, ?, ?)");
    for (const auto& c : o.curves) {
        curve.bind(1, runId).bind(2, c.split).bind(3, c.kind).bind(4, curveToJson(c.curve).dump());
        curve.run();
    }
    Statement pred =
        db.prepare("INSERT INTO predictions(run_id, target_idx, split, label, score, catalog_id, "
                   "row) VALUES(?, ?, ?, ?, ?, ?, ?)");
    for (const auto& p : o.predictions) {
        pred.bind(1, runId).bind(2, p.targetIdx).bind(3, p.split).bind(4, p.label);
        pred.bind(5, static_cast<double>(p.score));
        if (p.catalogId >= 0)
            pred.bind(6, p.catalogId).bind(7, p.row);
        else
            pred.bindNull(6).bindNull(7);
        pred.run();
    }
    db.prepare(
          "UPDATE runs SET state = 'done', error = '', weights_path = ?, weights_sha256 = ?, device = ?, "
          "finished_at = ?, epochs_run = ?, best_epoch = ?, seconds = ?, images_per_second = ? "
          "WHERE id = ?")
        .bind(1, o.weightsPath)
        .bind(2, o.weightsSha256)
        .bind(3, o.device)
        .bind(4, nowIso8601())
        .bind(5, o.epochsRun)
        .bind(6, o.bestEpoch)
        .bind(7, o.seconds)
        .bind(8, o.imagesPerSecond)
        .bind(9, runId)
        .run();
    tx.commit();
}

void RunStore::recordCvFold(std::int64_t runId, const CvFoldRecord& f,
                            const std::vector<CvPrediction>& scores)
{
    std::lock_guard lock(m_mutex);
    Database& db = m_store.db();
    Transaction tx(db);
    db.prepare("DELETE FROM cv_predictions WHERE run_id = ? AND repeat = ? AND fold = ?")
        .bind(1, runId)
        .bind(2, f.repeat)
        .bind(3, f.fold)
        .run();
    Statement ins =
        db.prepare("INSERT OR REPLACE INTO cv_predictions(run_id, repeat, target_idx, fold, label, "
                   "score) VALUES(?, ?, ?, ?, ?, ?)");
    for (const CvPrediction& p : scores) {
        ins.bind(1, runId).bind(2, p.repeat).bind(3, p.targetIdx).bind(4, p.fold).bind(5, p.label);
        ins.bind(6, static_cast<double>(p.score));
        ins.run();
    }
    Statement fold =
        db.prepare("INSERT OR REPLACE INTO cv_folds(run_id, repeat, fold, train_count, val_count, "
                   "test_count, roc_auc, epochs, best_epoch, seconds) VALUES(?, ?, ?, ?, ?, ?, ?, ?, "
                   "?, ?)");
    fold.bind(1, runId).bind(2, f.repeat).bind(3, f.fold).bind(4, f.trainCount).bind(5, f.valCount);
    fold.bind(6, f.testCount);
    if (std::isfinite(f.rocAuc))
        fold.bind(7, f.rocAuc);
    else
        fold.bindNull(7);
    fold.bind(8, f.epochs).bind(9, f.bestEpoch).bind(10, f.seconds);
    fold.run();
    tx.commit();
}

std::vector<CvFoldRecord> RunStore::cvFolds(std::int64_t runId)
{
    std::lock_guard lock(m_mutex);
    Statement s = m_store.db().prepare("SELECT repeat, fold, train_count, val_count, test_count, roc_auc, "
                                       "epochs, best_epoch, seconds FROM cv_folds WHERE run_id = ? "
                                       "ORDER BY repeat, fold");
    s.bind(1, runId);
    std::vector<CvFoldRecord> out;
    while (s.step()) {
        CvFoldRecord f;
        f.repeat = static_cast<int>(s.integer(0));
        f.fold = static_cast<int>(s.integer(1));
        f.trainCount = s.integer(2);
        f.valCount = s.integer(3);
        f.testCount = s.integer(4);
        f.rocAuc = s.isNull(5) ? kNaN : s.real(5);
        f.epochs = static_cast<int>(s.integer(6));
        f.bestEpoch = static_cast<int>(s.integer(7));
        f.seconds = s.real(8);
        out.push_back(f);
    }
    return out;
}

std::vector<CvPrediction> RunStore::cvPredictions(std::int64_t runId)
{
    std::lock_guard lock(m_mutex);
    Statement s = m_store.db().prepare("SELECT repeat, target_idx, fold, label, score FROM cv_predictions "
                                       "WHERE run_id = ? ORDER BY repeat, target_idx");
    s.bind(1, runId);
    std::vector<CvPrediction> out;
    while (s.step()) {
        CvPrediction p;
        p.repeat = static_cast<int>(s.integer(0));
        p.targetIdx = s.integer(1);
        p.fold = static_cast<int>(s.integer(2));
        p.label = static_cast<int>(s.integer(3));
        p.score = static_cast<float>(s.real(4));
        out.push_back(p);
    }
    return out;
}

std::vector<RunSummary> RunStore::listRuns(const std::string& experiment)
{
    std::lock_guard lock(m_mutex);
    std::string sql =
        "SELECT r.id, e.name, r.cell_key, r.target_set, r.model, r.mode, r.state, r.error, r.device, "
        "r.weights_path, r.started_at, r.finished_at, r.epochs_run, "
        "(SELECT value FROM metrics m WHERE m.run_id = r.id AND m.split = 'val' AND m.name = 'roc_auc'), "
        "(SELECT value FROM metrics m WHERE m.run_id = r.id AND m.split = 'test' AND m.name = 'roc_auc'), "
        "r.position, r.best_epoch, r.attempts, r.seconds, r.images_per_second, r.weights_sha256, r.work_dir, "
        "r.config_json, (SELECT count(*) FROM epochs p WHERE p.run_id = r.id), "
        "(SELECT value FROM metrics m WHERE m.run_id = r.id AND m.split = 'cv' AND m.name = 'roc_auc'), "
        "(SELECT ci_low FROM metrics m WHERE m.run_id = r.id AND m.split = 'cv' AND m.name = 'roc_auc'), "
        "(SELECT ci_high FROM metrics m WHERE m.run_id = r.id AND m.split = 'cv' AND m.name = 'roc_auc'), "
        "(SELECT count(*) FROM cv_folds f WHERE f.run_id = r.id) "
        "FROM runs r LEFT JOIN experiments e ON e.id = r.experiment_id ";
    if (!experiment.empty()) sql += "WHERE e.name = ? ";
    sql += "ORDER BY r.experiment_id, r.position, r.id";
    Statement s = m_store.db().prepare(sql);
    if (!experiment.empty()) s.bind(1, experiment);
    std::vector<RunSummary> out;
    while (s.step()) {
        RunSummary r;
        r.id = s.integer(0);
        r.experiment = nullableText(s, 1);
        r.cellKey = s.text(2);
        r.targetSet = s.text(3);
        r.model = s.text(4);
        r.mode = s.text(5);
        // Runs written before schema v2 have no target set/model/mode columns: the cell key has them.
        if (r.targetSet.empty() || r.model.empty() || r.mode.empty()) {
            const auto a = r.cellKey.find('/'), b = r.cellKey.rfind('/');
            if (a != std::string::npos && b != a) {
                r.targetSet = r.cellKey.substr(0, a);
                r.model = r.cellKey.substr(a + 1, b - a - 1);
                r.mode = r.cellKey.substr(b + 1);
            }
        }
        r.state = s.text(6);
        r.error = s.text(7);
        r.device = s.text(8);
        r.weightsPath = s.text(9);
        r.startedAt = nullableText(s, 10);
        r.finishedAt = nullableText(s, 11);
        r.epochs = static_cast<int>(std::max(s.integer(12), s.integer(23)));
        const bool done = r.state == "done";
        r.valAuc = done ? s.real(13) : kNaN;
        r.testAuc = done ? s.real(14) : kNaN;
        r.position = static_cast<int>(s.integer(15));
        r.bestEpoch = s.isNull(16) ? -1 : static_cast<int>(s.integer(16));
        r.attempts = static_cast<int>(s.integer(17));
        r.seconds = done ? s.real(18) : kNaN;
        r.imagesPerSecond = s.real(19);
        r.weightsSha256 = s.text(20);
        r.workDir = s.text(21);
        try {
            r.config = nlohmann::json::parse(s.text(22));
        } catch (const nlohmann::json::exception&) {
            r.config = nlohmann::json::object();
        }
        const bool hasCv = done && !s.isNull(24);
        r.cvAuc = hasCv ? s.real(24) : kNaN;
        r.cvLow = hasCv ? s.real(25) : kNaN;
        r.cvHigh = hasCv ? s.real(26) : kNaN;
        r.cvFoldsDone = static_cast<int>(s.integer(27));
        r.cvFoldsTotal = r.config.value("cv_folds", 0) * r.config.value("cv_repeats", 1);
        r.status = runStatus(
            r.state, r.epochs, r.attempts,
            (fs::path(m_store.path() + ".files") / "runs" / std::to_string(r.id) / "lock").string());
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<EpochEvent> RunStore::epochs(std::int64_t runId)
{
    std::lock_guard lock(m_mutex);
    Statement s = m_store.db().prepare("SELECT epoch, train_loss, val_loss, val_auc, learning_rate, seconds, "
                                       "best, unlabelled_loss, mask_rate FROM epochs WHERE run_id = ? "
                                       "ORDER BY epoch");
    s.bind(1, runId);
    std::vector<EpochEvent> out;
    while (s.step()) {
        EpochEvent e;
        e.epoch = static_cast<int>(s.integer(0));
        e.trainLoss = s.real(1);
        e.valLoss = s.real(2);
        e.valAuc = s.real(3);
        e.learningRate = s.real(4);
        e.seconds = s.real(5);
        e.best = s.integer(6) != 0;
        e.unlabelledLoss = s.real(7);
        e.maskRate = s.real(8);
        out.push_back(e);
    }
    return out;
}

std::map<std::string, MetricInterval> RunStore::metrics(std::int64_t runId, const std::string& split)
{
    std::lock_guard lock(m_mutex);
    Statement s = m_store.db().prepare(
        "SELECT name, value, ci_low, ci_high FROM metrics WHERE run_id = ? AND split = ?");
    s.bind(1, runId).bind(2, split);
    std::map<std::string, MetricInterval> out;
    while (s.step()) {
        MetricInterval m;
        m.value = s.real(1);
        m.low = s.isNull(2) ? m.value : s.real(2);
        m.high = s.isNull(3) ? m.value : s.real(3);
        out[s.text(0)] = m;
    }
    return out;
}

std::vector<StoredCurve> RunStore::curves(std::int64_t runId)
{
    std::lock_guard lock(m_mutex);
    Statement s = m_store.db().prepare(
        "SELECT split, kind, points_json FROM run_curves WHERE run_id = ? ORDER BY split DESC, kind DESC");
    s.bind(1, runId);
    std::vector<StoredCurve> out;
    while (s.step()) {
        StoredCurve c;
        c.split = s.text(0);
        c.kind = s.text(1);
        try {
            c.curve = curveFromJson(nlohmann::json::parse(s.text(2)));
        } catch (const nlohmann::json::exception& e) {
            throw Error("run " + std::to_string(runId) + ": stored " + c.split + " " + c.kind +
                        " curve is not valid JSON: " + e.what());
        }
        out.push_back(std::move(c));
    }
    return out;
}

std::vector<StoredPrediction> RunStore::predictions(std::int64_t runId)
{
    std::lock_guard lock(m_mutex);
    Statement s =
        m_store.db().prepare("SELECT target_idx, split, label, score, catalog_id, row FROM predictions "
                             "WHERE run_id = ? ORDER BY target_idx");
    s.bind(1, runId);
    std::vector<StoredPrediction> out;
    while (s.step()) {
        StoredPrediction p;
        p.targetIdx = s.integer(0);
        p.split = s.text(1);
        p.label = s.isNull(2) ? -1 : static_cast<int>(s.integer(2));
        p.score = static_cast<float>(s.real(3));
        p.catalogId = s.isNull(4) ? -1 : s.integer(4);
        p.row = s.isNull(5) ? -1 : s.integer(5);
        out.push_back(p);
    }
    return out;
}

// --- the read API (by project path) ---------------------------------------------------------------------

std::vector<RunSummary> listRuns(const std::string& projectPath, const std::string& experiment)
{
    auto store = ProjectStore::open(projectPath);
    return RunStore(*store).listRuns(experiment);
}

RunSummary bestRun(const std::string& projectPath, const std::string& experiment)
{
    const std::vector<RunSummary> runs = listRuns(projectPath, experiment);
    // Cross-validated AUC where every finished candidate has one: on small sets the validation split alone
    // picks by noise.
    bool allCv = false;
    for (const auto& r : runs)
        if (r.state == "done" && std::isfinite(r.valAuc)) {
            allCv = std::isfinite(r.cvAuc);
            if (!allCv) break;
        }
    const RunSummary* best = nullptr;
    for (const auto& r : runs) {
        if (r.state != "done" || !std::isfinite(r.valAuc)) continue;
        // Ties go to the earlier run, so the answer does not change as more runs finish with the same AUC.
        if (!best || (allCv ? r.cvAuc > best->cvAuc : r.valAuc > best->valAuc)) best = &r;
    }
    if (!best)
        throw Error("project '" + projectPath + "' has no finished run" +
                    (experiment.empty() ? std::string() : " in experiment '" + experiment + "'") +
                    " with a validation ROC AUC (train one with: ringminer-cli train " + projectPath + ")");
    return *best;
}

RunSummary findDoneRun(const std::string& projectPath, const std::string& which,
                       const std::string& experiment)
{
    if (which == "best") return bestRun(projectPath, experiment);
    const std::vector<RunSummary> runs = listRuns(projectPath, experiment);
    const RunSummary* found = nullptr;
    const bool isId = !which.empty() && which.find_first_not_of("0123456789") == std::string::npos;
    for (const RunSummary& r : runs) {
        if (isId ? std::to_string(r.id) != which : r.cellKey != which) continue;
        if (found)
            throw Error("run '" + which + "' is ambiguous: experiments '" + found->experiment + "' and '" +
                        r.experiment + "' both have it (name the experiment)");
        found = &r;
    }
    const std::string where =
        "project '" + projectPath + "'" + (experiment.empty() ? "" : " (experiment '" + experiment + "')");
    if (!found)
        throw Error(where + " has no run '" + which +
                    "': name a run id, a cell key or 'best' (see: ringminer-cli runs list " + projectPath +
                    ")");
    if (found->state != "done")
        throw Error("run " + std::to_string(found->id) + " (" + found->cellKey + ") is " + found->state +
                    ", not done" + (found->error.empty() ? std::string() : ": " + found->error));
    return *found;
}

RunSummary findDoneRunWithWeights(const std::string& projectPath, const std::string& which,
                                  const std::string& experiment)
{
    RunSummary run = findDoneRun(projectPath, which, experiment);
    if (!std::filesystem::exists(run.weightsPath))
        throw Error("the weights of run " + std::to_string(run.id) + " are gone: " + run.weightsPath);
    if (!run.weightsSha256.empty() && sha256File(run.weightsPath) != run.weightsSha256)
        throw Error("'" + run.weightsPath + "' changed since run " + std::to_string(run.id) +
                    " wrote it (its SHA-256 differs from the recorded one)");
    return run;
}

std::vector<EpochEvent> loadEpochs(const std::string& projectPath, std::int64_t runId)
{
    auto store = ProjectStore::open(projectPath);
    return RunStore(*store).epochs(runId);
}

std::map<std::string, MetricInterval> loadMetrics(const std::string& projectPath, std::int64_t runId,
                                                  const std::string& split)
{
    auto store = ProjectStore::open(projectPath);
    return RunStore(*store).metrics(runId, split);
}

std::vector<StoredCurve> loadCurves(const std::string& projectPath, std::int64_t runId)
{
    auto store = ProjectStore::open(projectPath);
    return RunStore(*store).curves(runId);
}

std::vector<StoredPrediction> loadPredictions(const std::string& projectPath, std::int64_t runId)
{
    auto store = ProjectStore::open(projectPath);
    return RunStore(*store).predictions(runId);
}

} // namespace rm
