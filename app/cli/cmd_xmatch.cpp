// ringminer-cli xmatch
#include "Cli.h"

#include "store/ProjectStore.h"
#include "targets/CatalogMatch.h"

#include <cstdio>

using namespace rm;
using namespace rm::cli;

static int xmatch(const Args& args)
{
    args.allowOnly({"radius", "show-conflicts"}, {});
    auto store = ProjectStore::open(args.positional(0, "PROJECT"));
    store->requireWritable("a cross-match");
    const std::string a = args.positional(1, "catalog A"), b = args.positional(2, "catalog B");
    const double radius = args.number("radius", 1.0);
    Progress progress("cross-matching " + a + " x " + b);
    CatalogMatchSummary s =
        matchCatalogs(*store, a, b, radius, [&](std::size_t d, std::size_t t) { return progress(d, t); });
    char buf[512];
    std::snprintf(buf, sizeof buf, "%zu of %zu rows of %s have a match in %s within %g\" (%zu pairs, %.2f s)",
                  s.matchedRows, s.rowsA, a.c_str(), b.c_str(), radius, s.pairs, s.seconds);
    std::string text = buf;
    if (s.labelComparisons) {
        std::snprintf(buf, sizeof buf, "\nlabels compared on %zu matches: %zu conflicts", s.labelComparisons,
                      s.conflicts.size());
        text += buf;
        const long long shown = args.integer("show-conflicts", 10);
        for (std::size_t i = 0; i < s.conflicts.size() && static_cast<long long>(i) < shown; ++i) {
            const auto& c = s.conflicts[i];
            std::snprintf(buf, sizeof buf, "\n  %s row %lld ~ %s row %lld (%.2f\"): %s", a.c_str(),
                          static_cast<long long>(c.rowA), b.c_str(), static_cast<long long>(c.rowB),
                          c.separationArcsec, c.description.c_str());
            text += buf;
        }
        if (shown >= 0 && s.conflicts.size() > static_cast<std::size_t>(shown))
            text += "\n  ... and " + std::to_string(s.conflicts.size() - static_cast<std::size_t>(shown)) +
                    " more conflicts not printed (--show-conflicts N prints more; --json lists them all)";
    }
    nlohmann::json conflicts = nlohmann::json::array();
    for (const auto& c : s.conflicts)
        conflicts.push_back({{"row_a", c.rowA},
                             {"row_b", c.rowB},
                             {"separation_arcsec", c.separationArcsec},
                             {"what", c.description}});
    printSummary(args,
                 {{"ok", true},
                  {"crossmatch_id", s.crossmatchId},
                  {"a", a},
                  {"b", b},
                  {"radius_arcsec", radius},
                  {"rows_a", s.rowsA},
                  {"rows_b", s.rowsB},
                  {"matches", s.matchedRows},
                  {"pairs", s.pairs},
                  {"label_comparisons", s.labelComparisons},
                  {"conflicts", s.conflicts.size()},
                  {"conflict_rows", conflicts},
                  {"seconds", s.seconds}},
                 text);
    return 0;
}

static VerbRegistrar
    verb({"xmatch",
          "PROJECT A B --radius ARCSEC [--show-conflicts N] [--json]",
          "cross-match catalog A against B on the sky; reports rows of A with a match and label "
          "conflicts between ring and labelled catalogs",
          {},
          xmatch});
