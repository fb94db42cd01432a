// Crash-safety soak: for each kill point (catalog import of a generated 200k-row CSV, target-set build,
// hand labels through the workbench's label controller, training a tiny model, mining) the real
// ringminer-cli (or ui_label_driver) is SIGKILLed after a seeded random delay >= 20 times; each time the
// project is reopened and checked (PRAGMA integrity_check ok, nothing committed lost, nothing half visible)
// and the verb run again must finish to exactly the unkilled run's state (rows, labels, weights SHA-256 and
// every metric, mined bytes). The checks are tests/common/KillSoak.h, which app_test_cli_kill runs with 2-3
// kills per point in CI. Prints per point: trials, kills, passes, failures, median resume time.
//
//   bench_kill_soak [--kills N] [--seed S] [--points import,targets,labels,train,mine] [--rows N]
//                   [--work DIR] [--keep]
// Exit status 1 when any trial failed.
#include "BenchSupport.h"
#include "KillSoak.h"

#include <cstdio>
#include <filesystem>
#include <string>
#include <unistd.h>

int main(int argc, char** argv)
{
    rmkill::SoakConfig c;
    c.cli = RINGMINER_CLI;
    c.labelDriver = RINGMINER_LABEL_DRIVER;
    c.killsPerPoint = 20;
    c.work = (std::filesystem::temp_directory_path() / ("ringminer-kill-soak-" + std::to_string(::getpid())))
                 .string();
    bool keep = false;
    rmbench::BenchArgs args(argc, argv);
    while (args.next()) {
        if (args.is("--kills"))
            c.killsPerPoint = int(args.integer());
        else if (args.is("--seed"))
            c.seed = unsigned(args.integer());
        else if (args.is("--rows"))
            c.importRows = std::size_t(args.integer());
        else if (args.is("--work"))
            c.work = args.value();
        else if (args.is("--keep"))
            keep = true;
        else if (args.is("--points")) {
            std::string list = args.value();
            for (std::size_t b = 0; b <= list.size();) {
                std::size_t e = list.find(',', b);
                if (e == std::string::npos) e = list.size();
                if (e > b) c.points.insert(list.substr(b, e - b));
                b = e + 1;
            }
        } else
            args.unknown();
    }
    std::printf("kill soak: %d kills per point, seed %u, %zu-row import, work %s\n", c.killsPerPoint, c.seed,
                c.importRows, c.work.c_str());
    std::fflush(stdout);
    std::vector<rmkill::PointResult> results;
    try {
        results = rmkill::KillSoak(c).run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 2;
    }
    std::printf("\n%s", rmkill::KillSoak::table(results).c_str());
    int failures = 0;
    for (const auto& r : results) {
        failures += r.failures;
        for (const auto& m : r.messages)
            std::printf("  %s: %s\n", r.name.c_str(), m.c_str());
    }
    if (!keep && failures == 0) std::filesystem::remove_all(c.work);
    return failures ? 1 : 0;
}
