#pragma once
// Mining: scores a (wide) catalog with a trained run, resumably, and publishes the new ring catalog.
//
//   resolveScoringRun   the run (best, id or cell key), its config and weights, checked against the SHA-256
//                       the run recorded
//   readMiningInput     the catalog, positions optional (mining/MiningInput.h)
//   checkImageSource    a template that resolves nothing fails before any scoring
//   scoreInShards       shards on disk, each renamed into place when whole (mining/ShardedScoring.h)
//   chooseThreshold     at a target precision on the run's validation predictions, or given
//   writeCandidates...  rings.csv, rings.fits, provenance (mining/CandidateCatalog.h)
//
// mine() does all of it under one output folder, whose manifest.json records what the shards depend on (run,
// weights SHA-256, input path/rows/SHA-256, options): running the same command again after a kill at any
// moment skips the finished shards and gives byte-identical output; a different command on the same folder
// is an error naming what differs. `predict` uses the same steps with the shards in memory.
#include "mining/CandidateCatalog.h"
#include "mining/MiningInput.h"
#include "mining/Threshold.h"
#include "training/ScoreGalaxies.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace rm {

struct ScoringRun
{
    std::int64_t id = 0;
    std::string cellKey, arch, fineTune, weightsPath, weightsSha256, device;
    ViewParams view;
};

// Throws rm::Error when the run is not done, its weights are gone or changed since the run wrote them.
ScoringRun resolveScoringRun(const std::string& projectPath, const std::string& which,
                             const std::string& experiment = "");

// The run's validation predictions at a target precision, or (given) the threshold given with what it
// gives there.
ThresholdChoice chooseThreshold(const std::string& projectPath, const ScoringRun& run,
                                std::optional<double> given, double targetPrecision);

// Where images come from: a catalog of the project with an image source (its name), or a folder and template.
// A folder given as `images` (an existing directory) is read with the template too.
std::unique_ptr<ImageSource> openImageSource(const std::string& projectPath, const std::string& images,
                                             const std::string& folder, const std::string& pattern);

// Classifies a scoring error for the summary: missing_image, corrupt_image, html_not_image, download_failed,
// unreadable_row or not_scored.
std::string errorKind(const std::string& error);

struct MiningRequest
{
    std::string projectPath;
    std::string run = "best", experiment;
    std::string catalog;         // a file, or a catalog of the project
    std::string images;          // a catalog of the project with an image source, or a folder
    std::string folder, pattern; // --folder DIR --template T instead
    std::string outDir;
    bool tta = false;
    std::size_t shardSize = 2048;
    std::optional<double> threshold; // given; else chosen at `precision` on validation
    double precision = 0.9;
    double radiusArcsec = 5;
    std::optional<std::string> idColumn;
    std::string device; // empty = the run's
    int batchSize = 64;
    std::string candidatesName; // the project catalog the result is imported as; empty = "candidates_run<id>"
    std::size_t contactSheet =
        0;                   // > 0: OUT/contact-sheet.png with the top N by p_ring (mining/ContactSheet.h)
    int rank = 0, ranks = 1; // MPI: this process scores shards s with s % ranks == rank; rank 0 publishes
    std::function<void()> barrier; // MPI: waits for every rank (empty for one process)
    std::function<void(const std::string&)> log;
    std::function<bool(std::size_t, std::size_t)> progress; // galaxies done, total; false stops after a shard
    // Galaxies done, total, as each batch inside a shard is scored (progress, rate and ETA between shards).
    std::function<void(std::size_t, std::size_t)> batchProgress;
};

struct MiningResult
{
    bool complete = false;  // every shard done and the catalog written (on rank 0)
    nlohmann::json summary; // counts, paths, threshold, provenance
    std::string text;       // the same for people
};

MiningResult mine(const MiningRequest& request);

} // namespace rm
