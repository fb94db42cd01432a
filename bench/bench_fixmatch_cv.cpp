// FixMatch under cross-validation on a real project: runs an experiment matrix (default
// resources/matrices/cv-fixmatch.json: the feature baseline, SimpleCNN supervised, and SimpleCNN with
// FixMatch with and without the held-out folds' images in the unlabelled pool) through the run queue, as
// `ringminer-cli train` would, and prints each cell's pooled out-of-fold ROC AUC with its 95% bootstrap
// interval, the mean mask rate and unlabelled loss of its fixed-split model, and its wall time, as a
// markdown table. The feature baseline in the same run is the reference. Resumable: run it again after a
// kill and the finished cells are kept.
//
//   bench_fixmatch_cv PROJECT [MATRIX.json] [EXPERIMENT] [TARGET_SET]
#include "store/ProjectStore.h"
#include "training/ExperimentMatrix.h"
#include "training/RunQueue.h"
#include "training/RunStore.h"
#include "util/Error.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>

using namespace rm;

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s PROJECT [MATRIX.json] [EXPERIMENT] [TARGET_SET]\n", argv[0]);
        return 2;
    }
    try {
        const std::string project = argv[1];
        const std::string matrixPath =
            argc > 2 ? argv[2] : std::string(RINGMINER_BENCH_DIR) + "/../resources/matrices/cv-fixmatch.json";
        std::ifstream in(matrixPath);
        if (!in) throw Error("cannot read " + matrixPath);
        nlohmann::json matrix = nlohmann::json::parse(in);
        if (argc > 4) matrix["target_sets"] = {argv[4]};
        const std::string experiment = argc > 3 ? argv[3] : matrix.value("name", "cv-fixmatch");

        std::map<std::string, double> seconds;
        std::map<std::string, std::chrono::steady_clock::time_point> started;
        RunQueue queue(project, ExperimentMatrix::fromJson(matrix), experiment);
        queue.run([&](const RunEvent& e) {
            const auto now = std::chrono::steady_clock::now();
            switch (e.kind) {
            case RunEvent::Kind::CellStarted:
                started[e.cellKey] = now;
                std::cerr << "[" << e.cellIndex + 1 << "/" << e.cellCount << "] " << e.cellKey
                          << " started\n";
                break;
            case RunEvent::Kind::CellFinished:
                seconds[e.cellKey] = std::chrono::duration<double>(now - started[e.cellKey]).count();
                std::cerr << e.cellKey << ": CV ROC AUC " << e.cvAuc << " [" << e.cvLow << ", " << e.cvHigh
                          << "] in " << seconds[e.cellKey] << " s\n";
                break;
            case RunEvent::Kind::CellFailed:
                std::cerr << e.cellKey << " FAILED: " << e.message << "\n";
                break;
            case RunEvent::Kind::Log:
                if (e.message.find("held-out ROC AUC") != std::string::npos ||
                    e.message.find("unlabelled pool") != std::string::npos)
                    std::cerr << e.cellKey << ": " << e.message << "\n";
                break;
            default:
                break;
            }
        });

        auto store = ProjectStore::open(project);
        RunStore runs(*store);
        std::printf("| cell | CV ROC AUC [95%%] | CV PR AUC | mask rate (fixed split, first/last epoch) | "
                    "cell time |\n|---|---:|---:|---:|---:|\n");
        for (const RunSummary& r : listRuns(project, experiment)) {
            const auto cv = runs.metrics(r.id, "cv");
            auto value = [&](const char* name) {
                const auto it = cv.find(name);
                return it == cv.end() ? MetricInterval{NAN, NAN, NAN} : it->second;
            };
            const MetricInterval auc = value("roc_auc"), pr = value("pr_auc");
            const auto epochs = runs.epochs(r.id);
            char mask[64] = "-";
            if (!epochs.empty() && std::isfinite(epochs.front().maskRate))
                std::snprintf(mask, sizeof mask, "%.2f / %.2f", epochs.front().maskRate,
                              epochs.back().maskRate);
            const double s = seconds.count(r.cellKey) ? seconds[r.cellKey] : r.seconds;
            std::printf("| %s | %.3f [%.3f, %.3f] | %.3f | %s | %.0f s |\n", r.cellKey.c_str(), auc.value,
                        auc.low, auc.high, pr.value, mask, s);
        }
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_fixmatch_cv: %s\n", e.what());
        return 1;
    }
}
