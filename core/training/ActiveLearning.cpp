#include "training/ActiveLearning.h"

#include "cache/DecodedCache.h"
#include "cache/TargetSetCache.h"
#include "sky/CrossMatcher.h"
#include "store/LabelStore.h"
#include "store/ProjectStore.h"
#include "targets/TargetSetBuilder.h"
#include "training/ExperimentMatrix.h"
#include "training/FeatureBaseline.h"
#include "training/RunQueue.h"
#include "training/RunStore.h"
#include "training/TrainConfig.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>

namespace rm {

namespace {

double nullable(const Statement& s, int column)
{
    return s.isNull(column) ? ActiveRound::kNaN : s.real(column);
}

nlohmann::json finiteOrNull(double v)
{
    return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

double distance(const std::vector<double>& a, const std::vector<double>& b)
{
    double sum = 0;
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i)
        sum += (a[i] - b[i]) * (a[i] - b[i]);
    return std::sqrt(sum);
}

std::string aucText(double auc, double low, double high)
{
    if (!std::isfinite(auc)) return "no CV AUC";
    std::ostringstream s;
    s.precision(3);
    s << std::fixed << auc;
    if (std::isfinite(low) && std::isfinite(high)) s << " [" << low << ", " << high << "]";
    return s.str();
}

} // namespace

nlohmann::json ActiveRound::toJson() const
{
    return {{"round", round},
            {"base_target_set", baseTargetSet},
            {"target_set", targetSet},
            {"source_run", sourceRunId},
            {"run", runId},
            {"experiment", experiment},
            {"labels_added", labelsAdded},
            {"labels_flipped", labelsFlipped},
            {"labels_removed", labelsRemoved},
            {"targets", targets},
            {"cv_roc_auc", finiteOrNull(cvAuc)},
            {"cv_low", finiteOrNull(cvLow)},
            {"cv_high", finiteOrNull(cvHigh)},
            {"previous_cv_roc_auc", finiteOrNull(prevCvAuc)},
            {"previous_cv_low", finiteOrNull(prevCvLow)},
            {"previous_cv_high", finiteOrNull(prevCvHigh)},
            {"seconds", seconds},
            {"created_at", createdAt}};
}

PendingHandLabels pendingHandLabels(ProjectStore& store, const std::string& targetSet)
{
    PendingHandLabels pending;
    const std::vector<CurrentLabel> labels = LabelStore(store.db()).allCurrent();
    if (labels.empty()) return pending;
    const TargetSetSpec spec = targetSetSpec(store, targetSet);
    std::vector<double> ra, dec;
    for (const CurrentLabel& l : labels) {
        ra.push_back(l.ra);
        dec.push_back(l.dec);
    }
    const SkyIndex index(ra, dec);
    for (const Target& t : loadTargets(store, targetSet)) {
        const auto hits = index.within(t.ra, t.dec, spec.duplicateRadiusArcsec);
        if (hits.empty()) continue;
        const CurrentLabel& l = labels[hits.front().first];
        if (l.label == HandLabel::Unsure)
            ++pending.removed;
        else if ((l.label == HandLabel::Ring ? 1 : 0) != t.label)
            ++pending.flipped;
        else
            ++pending.agreeing;
    }
    return pending;
}

std::vector<ActiveRound> activeRounds(ProjectStore& store, const std::string& baseTargetSet)
{
    Statement s = store.db().prepare(
        "SELECT id, base_target_set, round, target_set, source_run_id, run_id, experiment, labels_added, "
        "labels_flipped, labels_removed, label_event_id, targets, cv_auc, cv_low, cv_high, prev_cv_auc, "
        "prev_cv_low, prev_cv_high, seconds, created_at FROM active_rounds "
        "WHERE ?1 = '' OR base_target_set = ?1 ORDER BY base_target_set, round");
    s.bind(1, baseTargetSet);
    std::vector<ActiveRound> out;
    while (s.step()) {
        ActiveRound r;
        r.id = s.integer(0);
        r.baseTargetSet = s.text(1);
        r.round = static_cast<int>(s.integer(2));
        r.targetSet = s.text(3);
        r.sourceRunId = s.isNull(4) ? 0 : s.integer(4);
        r.runId = s.isNull(5) ? 0 : s.integer(5);
        r.experiment = s.text(6);
        r.labelsAdded = static_cast<std::size_t>(s.integer(7));
        r.labelsFlipped = static_cast<std::size_t>(s.integer(8));
        r.labelsRemoved = static_cast<std::size_t>(s.integer(9));
        r.labelEventId = s.integer(10);
        r.targets = static_cast<std::size_t>(s.integer(11));
        r.cvAuc = nullable(s, 12);
        r.cvLow = nullable(s, 13);
        r.cvHigh = nullable(s, 14);
        r.prevCvAuc = nullable(s, 15);
        r.prevCvLow = nullable(s, 16);
        r.prevCvHigh = nullable(s, 17);
        r.seconds = s.real(18);
        r.createdAt = s.text(19);
        out.push_back(std::move(r));
    }
    return out;
}

std::string activeBaseTargetSet(ProjectStore& store, const std::string& targetSet)
{
    Statement s =
        store.db().prepare("SELECT base_target_set FROM active_rounds WHERE target_set = ? LIMIT 1");
    s.bind(1, targetSet);
    return s.step() ? s.text(0) : targetSet;
}

ActiveRoundResult runActiveRound(const ActiveRoundOptions& o)
{
    const auto start = std::chrono::steady_clock::now();
    auto log = [&](const std::string& text) {
        if (o.log) o.log(text);
    };
    double reported = 0; // never backwards (the fixed-split model's epochs and the folds' interleave)
    auto progress = [&](double fraction, const std::string& what) {
        reported = std::max(reported, fraction);
        if (o.progress) o.progress(reported, what);
    };
    auto stopped = [&] { return o.stop && o.stop->load() != static_cast<int>(StopRequest::None); };

    const RunSummary source = findDoneRun(o.projectPath, std::to_string(o.runId));
    ActiveRoundResult result;
    ActiveRound& round = result.round;
    round.sourceRunId = source.id;
    round.prevCvAuc = source.cvAuc;
    round.prevCvLow = source.cvLow;
    round.prevCvHigh = source.cvHigh;

    auto store = ProjectStore::open(o.projectPath);
    store->requireWritable("run an active-learning round");
    if (!hasTargetSet(*store, source.targetSet))
        throw Error("run " + std::to_string(source.id) + " was trained on target set '" + source.targetSet +
                    "', which the project no longer has");
    round.baseTargetSet = activeBaseTargetSet(*store, source.targetSet);
    if (!hasTargetSet(*store, round.baseTargetSet))
        throw Error("the active-learning rounds of run " + std::to_string(source.id) +
                    " are rebuilt from target set '" + round.baseTargetSet +
                    "', which the project no longer has");

    const PendingHandLabels pending = pendingHandLabels(*store, source.targetSet);
    round.labelsFlipped = pending.flipped;
    round.labelsRemoved = pending.removed;
    round.labelsAdded = pending.added();
    if (o.requireNewLabels && pending.added() == 0)
        throw Error("no hand label changes target set '" + source.targetSet + "' of run " +
                    std::to_string(source.id) + " (" + std::to_string(pending.agreeing) +
                    " hand label(s) agree with it): label galaxies of its review queue first (a label that "
                    "flips a galaxy's class, or unsure to leave it out)");
    round.labelEventId = store->db().queryInt("SELECT max(id) FROM label_events").value_or(0);
    {
        Statement s = store->db().prepare(
            "SELECT coalesce(max(round), 0) FROM active_rounds WHERE base_target_set = ?");
        s.bind(1, round.baseTargetSet);
        round.round = (s.step() ? static_cast<int>(s.integer(0)) : 0) + 1;
    }
    round.targetSet = round.baseTargetSet + "-r" + std::to_string(round.round);
    round.experiment = "active-" + round.targetSet;
    log("round " + std::to_string(round.round) + " on target set '" + round.baseTargetSet + "' from run " +
        std::to_string(source.id) + " (" + source.cellKey + "): " + std::to_string(pending.added()) +
        " new hand label(s) (" + std::to_string(pending.flipped) + " flip a class, " +
        std::to_string(pending.removed) + " unsure)");

    // A round that was cancelled before it was recorded left its set and experiment: both start again.
    {
        RunStore runs(*store);
        if (auto id = runs.experimentId(round.experiment)) {
            const int removed = runs.removeRunsExcept(*id, {});
            if (removed) log("discarding " + std::to_string(removed) + " run(s) of an unfinished round");
        }
    }
    if (hasTargetSet(*store, round.targetSet)) removeTargetSet(*store, round.targetSet);

    progress(0.0, "building target set " + round.targetSet);
    TargetSetSpec spec = targetSetSpec(*store, round.baseTargetSet);
    spec.name = round.targetSet;
    spec.useHandLabels = true;
    const TargetSetReport report = buildTargetSet(*store, spec, log);
    round.targets = report.total();
    for (const TargetSetStep& step : report.steps) {
        if (step.what == "classes changed by hand labels" ||
            step.what.rfind("rings added by hand labels", 0) == 0)
            result.labelsFlippedInSet += step.count;
        if (step.what == "removed as unsure by hand labels") result.labelsRemovedInSet = step.count;
    }
    log("target set " + round.targetSet + ": " + std::to_string(round.targets) + " galaxies (" +
        std::to_string(result.labelsFlippedInSet) + " classes set by hand labels, " +
        std::to_string(result.labelsRemovedInSet) + " left out as unsure)");
    if (stopped()) {
        result.cancelled = true;
        return result;
    }

    // The run's cell again, on the new set: its resolved configuration is every cell's defaults.
    nlohmann::json config = source.config;
    if (o.cvFolds >= 0) config["cv_folds"] = o.cvFolds;
    const TrainConfig resolved = applyJson(TrainConfig{}, config);
    ExperimentMatrix matrix;
    matrix.name = round.experiment;
    matrix.targetSets = {round.targetSet};
    MatrixModel model;
    model.name = source.model;
    model.arch = resolved.model.arch;
    model.inChannels = resolved.model.inChannels;
    model.pretrained = resolved.pretrained;
    model.modes = {source.mode};
    matrix.models = {model};
    matrix.modes = {source.mode};
    matrix.defaults = config;
    RunQueueOptions queueOptions;
    queueOptions.device = o.device;
    store.reset(); // the queue opens its own connections
    RunQueue queue(o.projectPath, matrix, round.experiment, queueOptions, /*replaceMatrix=*/true);

    const int cvModels = resolved.cvFolds >= 2 ? resolved.cvFolds * resolved.cvRepeats : 0;
    const double planned = double(resolved.epochs) * (1 + cvModels);
    double epochsDone = 0;
    std::string failure;
    bool cancelled = false;
    std::int64_t runId = 0;
    queue.run(
        [&](const RunEvent& e) {
            switch (e.kind) {
            case RunEvent::Kind::CellStarted:
                runId = e.runId;
                progress(0.02, "training " + e.cellKey);
                break;
            case RunEvent::Kind::Epoch:
                ++epochsDone;
                progress(std::min(0.98, 0.02 + 0.96 * epochsDone / planned),
                         "epoch " + std::to_string(e.epoch.epoch + 1) + "/" +
                             std::to_string(resolved.epochs));
                break;
            case RunEvent::Kind::Log:
                log(e.message);
                if (e.message.rfind("cv fold", 0) == 0 && e.message.find(": epoch ") != std::string::npos) {
                    ++epochsDone;
                    progress(std::min(0.98, 0.02 + 0.96 * epochsDone / planned), e.message);
                }
                break;
            case RunEvent::Kind::CellFinished:
                runId = e.runId;
                break;
            case RunEvent::Kind::CellFailed:
                failure = e.message;
                break;
            case RunEvent::Kind::CellCancelled:
                cancelled = true;
                break;
            default:
                break;
            }
        },
        o.stop);
    if (!failure.empty())
        throw Error("active-learning round " + std::to_string(round.round) + ": " + failure);
    RunSummary trained;
    bool done = false;
    for (const RunSummary& r : listRuns(o.projectPath, round.experiment))
        if (r.state == "done") {
            trained = r;
            done = true;
        }
    if (cancelled || !done) {
        result.cancelled = true;
        log("round " + std::to_string(round.round) + " stopped before its run was done; nothing recorded");
        return result;
    }
    round.runId = trained.id;
    round.cvAuc = trained.cvAuc;
    round.cvLow = trained.cvLow;
    round.cvHigh = trained.cvHigh;
    round.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    round.createdAt = nowIso8601();

    store = ProjectStore::open(o.projectPath);
    Statement s = store->db().prepare(
        "INSERT INTO active_rounds(base_target_set, round, target_set, source_run_id, run_id, experiment, "
        "labels_added, labels_flipped, labels_removed, label_event_id, targets, cv_auc, cv_low, cv_high, "
        "prev_cv_auc, prev_cv_low, prev_cv_high, seconds, created_at) "
        "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    s.bind(1, round.baseTargetSet)
        .bind(2, round.round)
        .bind(3, round.targetSet)
        .bind(4, round.sourceRunId)
        .bind(5, round.runId)
        .bind(6, round.experiment)
        .bind(7, round.labelsAdded)
        .bind(8, round.labelsFlipped)
        .bind(9, round.labelsRemoved)
        .bind(10, round.labelEventId)
        .bind(11, round.targets)
        .bind(12, round.cvAuc)
        .bind(13, round.cvLow)
        .bind(14, round.cvHigh)
        .bind(15, round.prevCvAuc)
        .bind(16, round.prevCvLow)
        .bind(17, round.prevCvHigh)
        .bind(18, round.seconds)
        .bind(19, round.createdAt);
    s.run();
    round.id = store->db().lastInsertId();
    progress(1.0, "round " + std::to_string(round.round) + " done");
    log("round " + std::to_string(round.round) + " done: run " + std::to_string(round.runId) +
        ", CV ROC AUC " + aucText(round.cvAuc, round.cvLow, round.cvHigh) + " (run " +
        std::to_string(source.id) + ": " + aucText(round.prevCvAuc, round.prevCvLow, round.prevCvHigh) + ")");
    return result;
}

ReviewFeatures reviewFeatures(const std::string& projectPath, std::int64_t runId,
                              const std::function<bool()>& cancelled)
{
    const RunSummary run = findDoneRun(projectPath, std::to_string(runId));
    const TrainConfig config = applyJson(TrainConfig{}, run.config);
    auto store = ProjectStore::open(projectPath);
    const std::vector<Target> targets = loadTargets(*store, run.targetSet);
    ReviewFeatures out;
    std::shared_ptr<DecodedCache> cache = findTargetSetCache(
        *store, run.targetSet, PrepareParams{static_cast<const ImageShape&>(config.view), 1.0});
    if (cache && cache->size() == targets.size()) {
        std::vector<std::size_t> indices(targets.size());
        for (std::size_t i = 0; i < indices.size(); ++i)
            indices[i] = i;
        std::vector<std::vector<double>> f = recordFeatures(*cache, indices, config.view, cancelled);
        if (f.empty()) return out; // cancelled
        // z-score each feature over the galaxies that have one, so no feature's scale dominates.
        std::size_t dims = 0;
        for (const auto& v : f)
            dims = std::max(dims, v.size());
        std::vector<double> mean(dims, 0), sd(dims, 0);
        std::size_t n = 0;
        for (const auto& v : f)
            if (v.size() == dims) {
                ++n;
                for (std::size_t d = 0; d < dims; ++d)
                    mean[d] += v[d];
            }
        if (n > 1) {
            for (double& m : mean)
                m /= double(n);
            for (const auto& v : f)
                if (v.size() == dims)
                    for (std::size_t d = 0; d < dims; ++d)
                        sd[d] += (v[d] - mean[d]) * (v[d] - mean[d]);
            for (double& s : sd)
                s = std::sqrt(s / double(n - 1));
            out.space = "profile features";
            for (std::size_t i = 0; i < f.size(); ++i) {
                if (f[i].size() != dims) continue;
                std::vector<double> z(dims);
                for (std::size_t d = 0; d < dims; ++d)
                    z[d] = sd[d] > 0 && std::isfinite(f[i][d]) ? (f[i][d] - mean[d]) / sd[d] : 0.0;
                out.byGalaxy[{targets[i].catalogId, targets[i].row}] = std::move(z);
            }
            return out;
        }
    }
    out.space = "sky position";
    constexpr double kDeg = 3.14159265358979323846 / 180.0;
    for (const Target& t : targets)
        out.byGalaxy[{t.catalogId, t.row}] = {std::cos(t.dec * kDeg) * std::cos(t.ra * kDeg),
                                              std::cos(t.dec * kDeg) * std::sin(t.ra * kDeg),
                                              std::sin(t.dec * kDeg)};
    return out;
}

std::vector<std::size_t> diverseOrder(const std::vector<const std::vector<double>*>& features,
                                      const std::vector<const std::vector<double>*>& labelled,
                                      std::size_t batch, double radius, double radiusFraction)
{
    const std::size_t n = features.size();
    if (radius < 0) {
        std::vector<double> pairs;
        const std::size_t m = std::min<std::size_t>(n, 200);
        for (std::size_t i = 0; i < m; ++i)
            for (std::size_t j = i + 1; j < m; ++j)
                if (features[i] && features[j]) pairs.push_back(distance(*features[i], *features[j]));
        radius = 0;
        if (!pairs.empty()) {
            std::nth_element(pairs.begin(), pairs.begin() + std::ptrdiff_t(pairs.size() / 2), pairs.end());
            radius = radiusFraction * pairs[pairs.size() / 2];
        }
    }
    std::vector<const std::vector<double>*> taken;
    for (const auto* l : labelled)
        if (l) taken.push_back(l);
    std::vector<std::size_t> order, deferred;
    std::size_t picked = 0;
    for (std::size_t i = 0; i < n; ++i) {
        bool take = picked < batch;
        if (take && features[i])
            for (const auto* t : taken)
                if (distance(*features[i], *t) < radius) {
                    take = false;
                    break;
                }
        if (take) {
            order.push_back(i);
            if (features[i]) taken.push_back(features[i]);
            ++picked;
        } else {
            deferred.push_back(i);
        }
    }
    order.insert(order.end(), deferred.begin(), deferred.end());
    return order;
}

} // namespace rm
