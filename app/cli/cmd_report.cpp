// ringminer-cli report: writes the comparison of an experiment's runs (Markdown and CSV, best of each metric
// marked) and every run's ROC, PR and loss curves as CSV.
#include "Cli.h"

#include "training/RunReport.h"

#include <filesystem>

using namespace rm;
using namespace rm::cli;

namespace {

int report(const Args& args)
{
    args.allowOnly({"experiment", "out"}, {});
    const std::string path = args.positional(0, "PROJECT");
    const std::string experiment = args.option("experiment", "");
    const std::string out =
        args.option("out", path + ".files/reports/" + (experiment.empty() ? std::string("all") : experiment));
    const ReportFiles files = writeRunReport(path, experiment, out);
    nlohmann::json best = nlohmann::json::object();
    for (const ComparisonRow& r : comparisonTable(path, experiment))
        for (const auto& column : r.best)
            best[column].push_back(r.runId);
    printSummary(args,
                 {{"ok", true},
                  {"dir", files.dir},
                  {"markdown", files.markdown},
                  {"csv", files.csv},
                  {"curves", files.curves.size()},
                  {"runs", files.runs},
                  {"done_runs", files.doneRuns},
                  {"best", best}},
                 "report of " + std::to_string(files.runs) + " runs (" + std::to_string(files.doneRuns) +
                     " done) in " + files.dir + ":\n  " + files.markdown + "\n  " + files.csv + "\n  " +
                     std::to_string(files.curves.size()) + " curve files in " + files.dir + "/curves");
    return 0;
}

} // namespace

static VerbRegistrar
    reportVerb({"report",
                "PROJECT [--experiment NAME] [--out DIR] [--json]",
                "write the runs' comparison table (Markdown, CSV; best per column marked) and their "
                "ROC, PR and loss curves (CSV); DIR defaults to PROJECT.files/reports/NAME",
                {},
                report});
