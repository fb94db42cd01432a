#include "training/RunReport.h"

#include "store/ProjectStore.h"
#include "training/RunStore.h"
#include "util/CsvField.h"
#include "util/Error.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>

namespace fs = std::filesystem;

namespace rm {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct MetricColumn
{
    const char* name;  // CSV column / key in best
    const char* title; // Markdown header
    const char* split;
    const char* metric;
};

const std::vector<MetricColumn>& columns()
{
    static const std::vector<MetricColumn> c = {{"cv_roc_auc", "CV ROC AUC", "cv", "roc_auc"},
                                                {"cv_pr_auc", "CV PR AUC", "cv", "pr_auc"},
                                                {"val_roc_auc", "val ROC AUC", "val", "roc_auc"},
                                                {"test_roc_auc", "test ROC AUC", "test", "roc_auc"},
                                                {"test_pr_auc", "test PR AUC", "test", "pr_auc"},
                                                {"test_accuracy", "accuracy", "test", "accuracy"},
                                                {"test_precision", "precision", "test", "precision"},
                                                {"test_recall", "recall", "test", "recall"},
                                                {"test_f1", "F1", "test", "f1"}};
    return c;
}

MetricInterval metricOf(const ComparisonRow& r, const MetricColumn& c)
{
    const std::string split = c.split;
    const auto& m = split == "val" ? r.val : split == "cv" ? r.cv : r.test;
    auto it = m.find(c.metric);
    return it == m.end() ? MetricInterval{kNaN, kNaN, kNaN} : it->second;
}

std::string number(double v, int digits)
{
    if (!std::isfinite(v)) return "";
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

std::string fullNumber(double v)
{
    if (!std::isfinite(v)) return "";
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}

std::string markdownCell(std::string s)
{
    std::string out;
    for (char c : s)
        out += c == '|' ? std::string("\\|") : c == '\n' ? std::string(" ") : std::string(1, c);
    return out;
}

std::string fileSafe(const std::string& s)
{
    std::string out;
    for (char c : s)
        out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.') ? c : '_';
    return out;
}

void writeFile(const fs::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) throw Error("cannot write '" + path.string() + "'");
}

} // namespace

const std::vector<std::string>& comparisonMetricColumns()
{
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n;
        for (const auto& c : columns())
            n.push_back(c.name);
        return n;
    }();
    return names;
}

std::vector<ComparisonRow> comparisonTable(const std::string& projectPath, const std::string& experiment)
{
    auto store = ProjectStore::open(projectPath);
    RunStore runs(*store);
    std::vector<ComparisonRow> rows;
    for (const RunSummary& r : runs.listRuns(experiment)) {
        ComparisonRow row;
        row.runId = r.id;
        row.experiment = r.experiment;
        row.cellKey = r.cellKey;
        row.targetSet = r.targetSet;
        row.model = r.model;
        row.mode = r.mode;
        // The same words as `runs list`: a queued run that never began is "not started", not "queued".
        row.state = r.status.empty() ? r.state : r.status.substr(0, r.status.find(" - "));
        row.device = r.device;
        row.error = r.state == "done" ? std::string() : r.error;
        row.epochs = r.epochs;
        row.seconds = r.seconds;
        row.threshold = kNaN;
        if (r.state == "done") {
            row.val = runs.metrics(r.id, "val");
            row.test = runs.metrics(r.id, "test");
            row.cv = runs.metrics(r.id, "cv");
            if (auto it = row.test.find("threshold"); it != row.test.end()) row.threshold = it->second.value;
        }
        rows.push_back(std::move(row));
    }
    for (const auto& c : columns()) {
        double best = -std::numeric_limits<double>::infinity();
        for (const auto& r : rows) {
            const double v = metricOf(r, c).value;
            if (std::isfinite(v) && v > best) best = v;
        }
        if (!std::isfinite(best)) continue;
        for (auto& r : rows)
            if (metricOf(r, c).value == best) r.best.push_back(c.name);
    }
    return rows;
}

ReportFiles writeRunReport(const std::string& projectPath, const std::string& experiment,
                           const std::string& outDir)
{
    const std::vector<ComparisonRow> rows = comparisonTable(projectPath, experiment);
    if (rows.empty())
        throw Error("project '" + projectPath + "' has no runs" +
                    (experiment.empty() ? std::string() : " in experiment '" + experiment + "'") +
                    " (train some with: ringminer-cli train " + projectPath + ")");
    ReportFiles files;
    fs::path normal = fs::absolute(outDir).lexically_normal();
    if (!normal.has_filename() && normal.has_parent_path())
        normal = normal.parent_path(); // "report/" -> "report"
    files.dir = normal.string();
    const fs::path dir(files.dir);
    fs::create_directories(dir / "curves");
    files.runs = rows.size();

    // CSV: every number in full, every metric with its interval.
    std::string csv = "experiment,run,target_set,model,mode,state";
    for (const auto& c : columns()) {
        const std::string n = c.name;
        csv += "," + n + "," + n + "_ci_low," + n + "_ci_high";
    }
    csv += ",threshold,epochs,device,seconds,best,error\n";
    for (const auto& r : rows) {
        csv += csvField(r.experiment) + "," + std::to_string(r.runId) + "," + csvField(r.targetSet) + "," +
               csvField(r.model) + "," + csvField(r.mode) + "," + r.state;
        for (const auto& c : columns()) {
            const MetricInterval m = metricOf(r, c);
            csv += "," + fullNumber(m.value) + "," + fullNumber(m.low) + "," + fullNumber(m.high);
        }
        std::string best;
        for (const auto& b : r.best)
            best += (best.empty() ? "" : ";") + b;
        csv += "," + fullNumber(r.threshold) + "," + std::to_string(r.epochs) + "," + csvField(r.device) +
               "," + fullNumber(r.seconds) + "," + best + "," + csvField(r.error) + "\n";
    }
    files.csv = (dir / "comparison.csv").string();
    writeFile(files.csv, csv);

    // Markdown: what a reader compares; AUCs with their 95% interval, the best of each column in bold. The
    // cross-validated columns only when some cell was cross-validated.
    const bool anyCv =
        std::any_of(rows.begin(), rows.end(), [](const ComparisonRow& r) { return !r.cv.empty(); });
    std::vector<MetricColumn> shown;
    for (const auto& c : columns())
        if (anyCv || std::string(c.split) != "cv") shown.push_back(c);
    std::string md = "# Experiment " +
                     (experiment.empty() ? std::string("comparison (all experiments)") : experiment) +
                     "\n\nProject: `" + projectPath + "`. Generated " + nowIso8601() +
                     ". Metrics on the test split at the threshold chosen on validation (max F1); "
                     "[low, high] = 95% bootstrap interval (1000 resamples). **Bold** = best in its column.";
    if (anyCv)
        md += " CV = cross-validated: every galaxy scored by the fold model that never saw it, pooled, mean "
              "over "
              "repeats, interval by bootstrap over galaxies; compare cells on these when the label set is "
              "small.";
    md += "\n\n| run | target set | model | mode | state";
    for (const auto& c : shown)
        md += std::string(" | ") + c.title;
    md += " | threshold | epochs | device | seconds |\n|---:|---|---|---|---";
    for (std::size_t i = 0; i < shown.size(); ++i)
        md += "|---:";
    md += "|---:|---:|---|---:|\n";
    for (const auto& r : rows) {
        md += "| " + std::to_string(r.runId) + " | " + markdownCell(r.targetSet) + " | " +
              markdownCell(r.model) + " | " + markdownCell(r.mode) + " | " + r.state;
        for (const auto& c : shown) {
            const MetricInterval m = metricOf(r, c);
            std::string cell = number(m.value, 3);
            const bool auc = std::string(c.metric) == "roc_auc";
            if (auc && !cell.empty() && std::isfinite(m.low) && std::isfinite(m.high))
                cell += " [" + number(m.low, 3) + ", " + number(m.high, 3) + "]";
            if (!cell.empty() && std::find(r.best.begin(), r.best.end(), c.name) != r.best.end())
                cell = "**" + cell + "**";
            md += " | " + (cell.empty() ? std::string("—") : cell);
        }
        md += " | " + number(r.threshold, 3) + " | " + std::to_string(r.epochs) + " | " +
              markdownCell(r.device) + " | " + number(r.seconds, 1) + " |\n";
    }
    bool anyError = false;
    for (const auto& r : rows)
        if (!r.error.empty()) {
            if (!anyError) md += "\nRuns that did not finish:\n\n";
            anyError = true;
            md += "- run " + std::to_string(r.runId) + " (" + r.cellKey + ", " + r.state +
                  "): " + markdownCell(r.error) + "\n";
        }
    files.markdown = (dir / "comparison.md").string();
    writeFile(files.markdown, md);

    auto store = ProjectStore::open(projectPath);
    RunStore runs(*store);
    for (const auto& r : rows) {
        const std::string stem = "run" + std::to_string(r.runId) + "_" + fileSafe(r.cellKey);
        const std::vector<EpochEvent> epochs = runs.epochs(r.runId);
        if (!epochs.empty()) {
            std::string loss = "epoch,train_loss,val_loss,val_roc_auc,learning_rate,seconds,best\n";
            for (const auto& e : epochs)
                loss += std::to_string(e.epoch + 1) + "," + fullNumber(e.trainLoss) + "," +
                        fullNumber(e.valLoss) + "," + fullNumber(e.valAuc) + "," +
                        fullNumber(e.learningRate) + "," + fullNumber(e.seconds) + "," +
                        (e.best ? "1" : "0") + "\n";
            const fs::path p = dir / "curves" / (stem + "_loss.csv");
            writeFile(p, loss);
            files.curves.push_back(p.string());
        }
        if (r.state != "done") continue;
        ++files.doneRuns;
        for (const StoredCurve& c : runs.curves(r.runId)) {
            std::string text = c.kind == "roc" ? "fpr,tpr,threshold\n" : "recall,precision,threshold\n";
            for (std::size_t i = 0; i < c.curve.x.size(); ++i) {
                const double t = i < c.curve.thresholds.size() ? c.curve.thresholds[i] : kNaN;
                text += fullNumber(c.curve.x[i]) + "," +
                        fullNumber(i < c.curve.y.size() ? c.curve.y[i] : kNaN) + "," +
                        (std::isinf(t) ? std::string(t > 0 ? "inf" : "-inf") : fullNumber(t)) + "\n";
            }
            const fs::path p = dir / "curves" / (stem + "_" + c.split + "_" + c.kind + ".csv");
            writeFile(p, text);
            files.curves.push_back(p.string());
        }
    }
    return files;
}

} // namespace rm
