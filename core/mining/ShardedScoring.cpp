#include "mining/ShardedScoring.h"

#include "util/Error.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include <unistd.h>

namespace fs = std::filesystem;

namespace rm {

namespace {

// One line per galaxy: index, score and spread as their float bits in hex (exact), and the error escaped.
constexpr const char* kMagic = "# ringminer shard 1";

std::uint32_t bitsOf(float f)
{
    std::uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    return u;
}

float floatOf(std::uint32_t u)
{
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}

std::string escape(const std::string& s)
{
    std::string out;
    for (char c : s) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else if (c == '\r')
            out += "\\r";
        else if (c == '\t')
            out += "\\t";
        else
            out += c;
    }
    return out;
}

std::string unescape(const std::string& s)
{
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\' || i + 1 == s.size()) {
            out += s[i];
            continue;
        }
        const char c = s[++i];
        out += c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c;
    }
    return out;
}

struct Range
{
    std::size_t begin, end;
};

Range shardRange(const ShardPlan& plan, std::size_t shard, std::size_t count)
{
    const std::size_t begin = shard * plan.shardSize;
    return {begin, std::min(count, begin + plan.shardSize)};
}

// Reads a finished shard into scores[i - offset] for galaxy i; false when the file is not there. A file that
// is there but not a whole shard (it can only be one written by something else, or damaged) is an error
// naming it.
bool readShard(const std::string& path, Range range, std::vector<GalaxyScore>& scores, std::size_t offset = 0)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    auto bad = [&](const std::string& why) -> Error {
        return InputError(path, 0, {},
                          "not a complete shard (" + why + "); delete it to have the shard scored again");
    };
    std::string line;
    if (!std::getline(in, line) || line != kMagic) throw bad("no shard header");
    if (!std::getline(in, line)) throw bad("no range line");
    unsigned long long b = 0, e = 0;
    if (std::sscanf(line.c_str(), "# rows %llu %llu", &b, &e) != 2 || b != range.begin || e != range.end)
        throw bad("its rows are not " + std::to_string(range.begin) + ".." + std::to_string(range.end));
    std::size_t next = range.begin;
    while (std::getline(in, line)) {
        if (line == "# end") {
            if (next != range.end) throw bad("it ends early");
            return true;
        }
        unsigned long long idx = 0;
        unsigned score = 0, spread = 0;
        int used = 0;
        if (std::sscanf(line.c_str(), "%llu\t%x\t%x\t%n", &idx, &score, &spread, &used) != 3 || idx != next)
            throw bad("a bad line at galaxy " + std::to_string(next));
        scores[next++ - offset] = {floatOf(score), floatOf(spread),
                                   unescape(line.substr(static_cast<std::size_t>(used)))};
    }
    throw bad("no end line");
}

void writeShard(const std::string& path, Range range, const std::vector<GalaxyScore>& part)
{
    const std::string tmp = path + ".tmp." + std::to_string(::getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw Error("cannot write '" + tmp + "'");
        out << kMagic << "\n# rows " << range.begin << " " << range.end << "\n";
        char buf[64];
        for (std::size_t i = 0; i < part.size(); ++i) {
            std::snprintf(buf, sizeof buf, "%zu\t%08" PRIx32 "\t%08" PRIx32 "\t", range.begin + i,
                          bitsOf(part[i].score), bitsOf(part[i].spread));
            out << buf << escape(part[i].error) << "\n";
        }
        out << "# end\n";
        out.flush();
        if (!out) throw Error("error writing '" + tmp + "'");
    }
    // Durable before it is visible under its final name: a crash never leaves a half shard in place.
    if (FILE* f = std::fopen(tmp.c_str(), "rb")) {
        ::fsync(fileno(f));
        std::fclose(f);
    }
    fs::rename(tmp, path);
}

} // namespace

std::string shardFileName(std::size_t shard)
{
    char buf[40];
    std::snprintf(buf, sizeof buf, "shard-%06zu.scores", shard);
    return buf;
}

std::size_t shardCount(const ShardPlan& plan, std::size_t count)
{
    if (plan.shardSize == 0) throw Error("the shard size must be at least 1");
    return (count + plan.shardSize - 1) / plan.shardSize;
}

std::size_t shardBegin(const ShardPlan& plan, std::size_t shard)
{
    return shard * plan.shardSize;
}

bool readShardScores(const ShardPlan& plan, std::size_t shard, std::size_t count,
                     std::vector<GalaxyScore>& out)
{
    if (plan.shardSize == 0) throw Error("the shard size must be at least 1");
    const Range r = shardRange(plan, shard, count);
    out.assign(r.end - r.begin, GalaxyScore{});
    return readShard((fs::path(plan.dir) / shardFileName(shard)).string(), r, out, r.begin);
}

std::size_t readShards(const ShardPlan& plan, std::size_t count, std::vector<GalaxyScore>& scores)
{
    if (plan.shardSize == 0) throw Error("the shard size must be at least 1");
    const std::size_t shards = (count + plan.shardSize - 1) / plan.shardSize;
    std::size_t found = 0;
    for (std::size_t s = 0; s < shards; ++s)
        found +=
            readShard((fs::path(plan.dir) / shardFileName(s)).string(), shardRange(plan, s, count), scores);
    return found;
}

ShardedScores scoreInShards(const ImageSource& source, std::size_t count,
                            const std::function<GalaxyRef(std::size_t)>& galaxyAt,
                            const ScoreGalaxiesOptions& options, const ShardPlan& plan,
                            const std::function<bool(std::size_t, std::size_t)>& progress)
{
    if (plan.shardSize == 0) throw Error("the shard size must be at least 1");
    if (plan.ranks < 1 || plan.rank < 0 || plan.rank >= plan.ranks)
        throw Error("bad rank " + std::to_string(plan.rank) + " of " + std::to_string(plan.ranks));
    const float nan = std::numeric_limits<float>::quiet_NaN();
    ShardedScores out;
    const bool onDisk = !plan.dir.empty();
    const bool keep = plan.keepScores || !onDisk;
    if (keep) out.scores.assign(count, GalaxyScore{nan, nan, "not scored yet"});
    out.shards = (count + plan.shardSize - 1) / plan.shardSize;
    if (onDisk) fs::create_directories(plan.dir);
    // Without keepScores a shard read from disk goes here and is dropped: only its presence counts.
    std::vector<GalaxyScore> one;
    auto readInto = [&](std::size_t s) {
        const Range r = shardRange(plan, s, count);
        const std::string path = (fs::path(plan.dir) / shardFileName(s)).string();
        if (keep) return readShard(path, r, out.scores);
        one.assign(r.end - r.begin, GalaxyScore{});
        return readShard(path, r, one, r.begin);
    };

    std::vector<char> done(out.shards, 0);
    std::size_t galaxiesDone = 0;
    for (std::size_t s = 0; s < out.shards; ++s) {
        const Range r = shardRange(plan, s, count);
        if (onDisk && readInto(s)) {
            done[s] = 1;
            ++out.shardsFound;
            galaxiesDone += r.end - r.begin;
        }
    }
    bool stopped = false;
    for (std::size_t s = 0; s < out.shards && !stopped; ++s) {
        if (done[s] || static_cast<int>(s % static_cast<std::size_t>(plan.ranks)) != plan.rank) continue;
        const Range r = shardRange(plan, s, count);
        std::vector<GalaxyRef> part;
        part.reserve(r.end - r.begin);
        for (std::size_t i = r.begin; i < r.end; ++i)
            part.push_back(galaxyAt(i));
        ScoreGalaxiesOptions so = options;
        so.chunk = plan.shardSize;
        so.progress = {};
        if (options.batchProgress) {
            const std::size_t before = galaxiesDone;
            so.batchProgress = [&options, before, count](std::size_t scored, std::size_t) {
                options.batchProgress(before + scored, count);
            };
        }
        std::vector<GalaxyScore> scores = scoreGalaxies(source, part, so);
        if (onDisk) writeShard((fs::path(plan.dir) / shardFileName(s)).string(), r, scores);
        if (keep)
            std::move(scores.begin(), scores.end(),
                      out.scores.begin() + static_cast<std::ptrdiff_t>(r.begin));
        done[s] = 1;
        ++out.shardsScored;
        galaxiesDone += r.end - r.begin;
        if (progress && !progress(galaxiesDone, count)) stopped = true;
    }
    // Shards of other ranks (or other runs) that finished meanwhile.
    if (onDisk)
        for (std::size_t s = 0; s < out.shards; ++s)
            if (!done[s] && readInto(s)) done[s] = 1;
    for (char d : done)
        out.shardsDone += d != 0;
    out.complete = out.shardsDone == out.shards;
    return out;
}

} // namespace rm
