#pragma once
// Scores a catalog in shards of a fixed number of galaxies. With a folder, each shard's scores go to a temp
// file that is renamed into place only when the shard is complete, so a run killed at any moment loses at
// most the shard it was scoring, and running again skips the finished ones. Scores are stored bit-exact, so
// what is assembled from the shards does not depend on how many runs (or MPI ranks) wrote them. Without a
// folder the shards stay in memory (what `predict` does).
#include "training/ScoreGalaxies.h"

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace rm {

struct ShardPlan
{
    std::size_t shardSize = 2048;
    std::string dir; // where shard files live; empty = in memory, nothing written
    // This process scores the shards s with s % ranks == rank (MPI ranks; 0 of 1 otherwise).
    int rank = 0, ranks = 1;
    // False (with a dir): the scores are only written, never gathered in memory, so a call's memory does not
    // grow with the catalog; ShardedScores::scores stays empty and readShardScores() reads them back a shard
    // at a time.
    bool keepScores = true;
};

struct ShardedScores
{
    std::vector<GalaxyScore> scores; // one per galaxy (empty without keepScores); complete only when every
                                     // shard is done
    std::size_t shards = 0;          // in the plan
    std::size_t shardsDone = 0;      // on disk when the call ended (all of them when complete)
    std::size_t shardsFound = 0;     // already on disk when the call started (skipped)
    std::size_t shardsScored = 0;    // scored by this call
    bool complete = false;           // every shard's scores are in `scores`
};

std::string shardFileName(std::size_t shard); // "shard-000012.scores"

// galaxyAt(i) gives galaxy i of count (built shard by shard, so memory stays flat on a big catalog).
// progress(galaxies done, count) after each shard; return false to stop after it (the shards done stay).
// options.batchProgress, when set, gets (galaxies done, count) as each batch inside a shard is scored.
// Throws rm::Error for an unreadable or malformed shard file that claims to be complete.
ShardedScores scoreInShards(const ImageSource& source, std::size_t count,
                            const std::function<GalaxyRef(std::size_t)>& galaxyAt,
                            const ScoreGalaxiesOptions& options, const ShardPlan& plan,
                            const std::function<bool(std::size_t, std::size_t)>& progress = {});

// Reads every shard of the plan that is on disk into scores (which has one entry per galaxy); returns how
// many shards were there.
std::size_t readShards(const ShardPlan& plan, std::size_t count, std::vector<GalaxyScore>& scores);

// The number of shards of the plan for count galaxies, and the first galaxy of a shard.
std::size_t shardCount(const ShardPlan& plan, std::size_t count);
std::size_t shardBegin(const ShardPlan& plan, std::size_t shard);
// One shard's scores (one per galaxy of the shard, in order) into out; false when its file is not there.
// Throws rm::Error for a file that is there but not a complete shard.
bool readShardScores(const ShardPlan& plan, std::size_t shard, std::size_t count,
                     std::vector<GalaxyScore>& out);

} // namespace rm
