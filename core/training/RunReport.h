#pragma once
// The comparison of an experiment's runs, as a table (one row per run: target set, model, mode, validation
// and test metrics with their 95% bootstrap intervals, threshold, epochs, device, time) and as files:
// Markdown and CSV tables with the best value of each metric column marked, and the ROC, PR and loss curves
// of every run as CSV. What `ringminer-cli report` writes and the GUI exports.
#include "training/Metrics.h"

#include <map>
#include <string>
#include <vector>

namespace rm {

struct ComparisonRow
{
    std::int64_t runId = 0;
    std::string experiment, cellKey, targetSet, model, mode, state, device, error;
    int epochs = 0;
    double seconds = 0;                              // NaN when not done
    std::map<std::string, MetricInterval> val, test; // empty when not done
    std::map<std::string, MetricInterval> cv;        // cross-validated ("cv" split); empty without

    double threshold = 0;          // NaN when not done
    std::vector<std::string> best; // metric columns ("val_roc_auc", ...) where this run is best
};

// The metric columns of the table, in order: "cv_roc_auc", "cv_pr_auc" (cross-validated cells only),
// "val_roc_auc", "test_roc_auc", "test_pr_auc", "test_accuracy", "test_precision", "test_recall", "test_f1".
const std::vector<std::string>& comparisonMetricColumns();

// Every run of the experiment ("" = all experiments), in matrix order, best-per-column filled in.
std::vector<ComparisonRow> comparisonTable(const std::string& projectPath,
                                           const std::string& experiment = "");

struct ReportFiles
{
    std::string dir, markdown, csv;
    std::vector<std::string> curves; // every curve CSV written
    std::size_t runs = 0, doneRuns = 0;
};

// Writes comparison.md, comparison.csv and curves/*.csv under outDir (created). Throws rm::Error when the
// experiment has no runs or a file cannot be written.
ReportFiles writeRunReport(const std::string& projectPath, const std::string& experiment,
                           const std::string& outDir);

} // namespace rm
