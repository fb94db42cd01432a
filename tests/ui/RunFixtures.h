#pragma once
// Training results for the result-panel tests, written straight into a project's tables (experiments, runs,
// metrics, predictions) with known values, so the panels can be checked without training anything.
#include "store/ProjectStore.h"
#include "targets/TargetSetBuilder.h"

#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace uitest {

struct FakePrediction
{
    std::int64_t targetIdx = 0;
    std::string split;
    int label = 0;
    double score = 0;
    std::int64_t catalogId = 0, row = 0;
};

struct FakeRun
{
    std::string experiment = "baseline";
    std::string cellKey, targetSet = "gzd_balanced", model = "resnet18", mode = "finetune";
    std::string state = "done", device = "cpu", error;
    int epochs = 10;
    // (split, name) -> (value, low, high); low/high NaN for no interval
    std::map<std::pair<std::string, std::string>, std::tuple<double, double, double>> metrics;
    std::vector<FakePrediction> predictions;

    void metric(const std::string& split, const std::string& name, double v, double lo = NAN, double hi = NAN)
    {
        metrics[{split, name}] = {v, lo, hi};
    }
};

inline std::int64_t experimentId(rm::ProjectStore& store, const std::string& name)
{
    rm::Statement find = store.db().prepare("SELECT id FROM experiments WHERE name = ?");
    find.bind(1, name);
    if (find.step()) return find.integer(0);
    store.db()
        .prepare("INSERT INTO experiments(name, matrix_json, created_at) VALUES(?, '{}', ?)")
        .bind(1, name)
        .bind(2, rm::nowIso8601())
        .run();
    return store.db().lastInsertId();
}

inline std::int64_t insertRun(rm::ProjectStore& store, const FakeRun& r)
{
    const std::int64_t exp = experimentId(store, r.experiment);
    const std::string cell = r.cellKey.empty() ? r.targetSet + "/" + r.model + "/" + r.mode : r.cellKey;
    store.db()
        .prepare(
            "INSERT INTO runs(experiment_id, cell_key, config_json, state, error, device, target_set, model, "
            "mode, epochs_run, started_at, finished_at) VALUES(?, ?, '{}', ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(1, exp)
        .bind(2, cell)
        .bind(3, r.state)
        .bind(4, r.error)
        .bind(5, r.device)
        .bind(6, r.targetSet)
        .bind(7, r.model)
        .bind(8, r.mode)
        .bind(9, std::int64_t(r.epochs))
        .bind(10, rm::nowIso8601())
        .bind(11, rm::nowIso8601())
        .run();
    const std::int64_t id = store.db().lastInsertId();
    for (const auto& [key, v] : r.metrics) {
        rm::Statement s = store.db().prepare(
            "INSERT INTO metrics(run_id, split, name, value, ci_low, ci_high) VALUES(?, ?, ?, ?, ?, ?)");
        // NaN binds as NULL: no interval.
        s.bind(1, id).bind(2, key.first).bind(3, key.second).bind(4, std::get<0>(v)).bind(5, std::get<1>(v));
        s.bind(6, std::get<2>(v)).run();
    }
    rm::Transaction tx(store.db());
    for (const FakePrediction& p : r.predictions)
        store.db()
            .prepare("INSERT INTO predictions(run_id, target_idx, split, label, score, catalog_id, row) "
                     "VALUES(?, ?, ?, ?, ?, ?, ?)")
            .bind(1, id)
            .bind(2, p.targetIdx)
            .bind(3, p.split)
            .bind(4, std::int64_t(p.label))
            .bind(5, p.score)
            .bind(6, p.catalogId)
            .bind(7, p.row)
            .run();
    tx.commit();
    return id;
}

// One prediction per target of the set, scored by `score(target index, target)`.
template <typename F>
std::vector<FakePrediction> predictionsFor(const std::vector<rm::Target>& targets, F score)
{
    std::vector<FakePrediction> out;
    for (std::size_t i = 0; i < targets.size(); ++i) {
        const rm::Target& t = targets[i];
        out.push_back({std::int64_t(i), rm::splitName(t.split), t.label, score(i, t), t.catalogId, t.row});
    }
    return out;
}

} // namespace uitest
