// ringminer-cli demo make: the built-in demo project. A synthetic survey with known truth (JPEG cutouts and
// three catalogs) plus DIR/demo.rmproj holding those catalogs and a ready target set, so the workbench can be
// tried with no network and no shared data.
#include "Cli.h"

#include "demo/DemoProject.h"
#include "util/Error.h"

#include <cstdio>
#include <filesystem>

using namespace rm;
using namespace rm::cli;

namespace {

std::size_t count(const Args& args, const char* name, long long fallback)
{
    const long long v = args.integer(name, fallback);
    if (v < 0 || v > 1000000) throw UsageError(std::string("--") + name + " must be 0..1000000");
    return static_cast<std::size_t>(v);
}

int demoMake(const Args& args)
{
    args.allowOnly({"rings", "non-rings", "size", "seed", "threads"}, {});
    const std::string dir = args.positional(0, "DIR");
    DemoSurveyOptions o;
    o.outDir = dir;
    o.rings = count(args, "rings", 200);
    o.nonRings = count(args, "non-rings", 200);
    o.imageSize = static_cast<int>(args.integer("size", 256));
    o.seed = static_cast<std::uint64_t>(args.integer("seed", 42));
    o.threads = static_cast<unsigned>(args.integer("threads", 0));
    if (o.rings == 0) throw UsageError("--rings must be at least 1: the demo target set needs positives");

    Progress progress("rendering demo survey");
    o.progress = [&](std::size_t d, std::size_t t) { return progress(d, t); };
    const DemoProjectResult demo = makeDemoProject(
        o, [](const std::string& line) { std::fprintf(stderr, "targets: %s\n", line.c_str()); });
    const DemoSurveyResult& survey = demo.survey;
    progress.finish(std::to_string(survey.images) + " images");
    const std::string& project = demo.project;
    nlohmann::json catalogs = nlohmann::json::object();
    for (const auto& [name, rows] : demo.rows)
        catalogs[name] = rows;
    const nlohmann::json targets = demo.hasTargetSet ? demo.targetSet.toJson() : nlohmann::json();
    const nlohmann::json& imageSource = demo.imageSource;

    const double rate = survey.seconds > 0 ? survey.images / survey.seconds : 0;
    char text[512];
    std::snprintf(
        text, sizeof text,
        "demo survey in %s: %zu rings and %zu non-rings, %zu images of %d px in %.1f s (%.0f images/s)\n"
        "project %s with catalogs rings, parent, labelled%s",
        dir.c_str(), o.rings, o.nonRings, survey.images, o.imageSize, survey.seconds, rate, project.c_str(),
        o.nonRings > 0 ? " and target set demo" : "");
    printSummary(args,
                 {{"ok", true},
                  {"dir", dir},
                  {"project", project},
                  {"images", survey.images},
                  {"image_dir", std::filesystem::absolute(survey.imageDir).string()},
                  {"image_source", imageSource},
                  {"image_size", o.imageSize},
                  {"seed", o.seed},
                  {"catalogs", catalogs},
                  {"catalog_files",
                   {{"rings", survey.ringsCatalog},
                    {"parent", survey.parentCatalog},
                    {"labelled", survey.labelledCatalog}}},
                  {"target_set", targets},
                  {"seconds", survey.seconds},
                  {"images_per_second", rate}},
                 text);
    return 0;
}

} // namespace

static VerbRegistrar
    demoVerb({"demo make",
              "DIR [--rings N] [--non-rings N] [--size PX] [--seed S] [--threads N] [--json]",
              "make the built-in demo project: a synthetic survey with known truth (JPEG cutouts, "
              "ring/parent/labelled catalogs) and DIR/demo.rmproj with a target set",
              {},
              demoMake});
