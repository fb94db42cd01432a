#pragma once
// The project's record of which galaxies of a catalog have their cutout from a given service (cutout_status):
// pending (asked for, no outcome yet), cached (with its file) or failed (with the reason and the attempts so
// far). Nothing is silently dropped: a galaxy that could not be fetched stays in the table, with why, until a
// later run fetches it.
//
// Crash safety: rows are marked pending before their downloads start, and outcomes are committed in small
// transactions (every few results or half a second), so a killed process loses at most the last few outcomes.
// Losing one is harmless: its row is still pending and is asked for again next time, and a cutout that had
// already reached the cache is then found there (and validated) without a download.
#include "cutouts/CutoutFetcher.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace rm {

class Database;

struct CutoutLedgerEntry
{
    std::size_t row = 0;
    std::string state; // pending | cached | failed
    int attempts = 0;  // HTTP requests over all runs
    std::string cachePath;
    std::string error;
    std::string updatedAt;
};

struct CutoutLedgerCounts
{
    std::size_t pending = 0, cached = 0, failed = 0;
};

class CutoutLedger
{
public:
    // sourceKey is the service spec's cacheKey(): the same galaxy may be cached from several services.
    CutoutLedger(Database& db, std::string sourceKey, std::int64_t catalogId);
    ~CutoutLedger(); // flushes what is buffered (errors are swallowed there; call flush() to see them)
    CutoutLedger(const CutoutLedger&) = delete;
    CutoutLedger& operator=(const CutoutLedger&) = delete;

    const std::string& sourceKey() const { return m_sourceKey; }
    std::int64_t catalogId() const { return m_catalogId; }

    std::unordered_map<std::size_t, CutoutLedgerEntry> load();
    CutoutLedgerCounts counts();
    // Failed rows, oldest row first, at most limit of them (0: all).
    std::vector<CutoutLedgerEntry> failures(std::size_t limit = 0);

    // Marks rows pending (keeping their attempt counts and last error) in one transaction, before fetching.
    void markPending(const std::vector<std::size_t>& rows);
    // Records one outcome: cached (path), failed (error) or, for a cancelled request, pending again with its
    // attempts counted. Buffered; committed every `batch` results or `maxDelay`, whichever comes first.
    void record(const CutoutResult& result);
    void flush();

    void setBatching(std::size_t batch, std::chrono::milliseconds maxDelay);

private:
    Database& m_db;
    std::string m_sourceKey;
    std::int64_t m_catalogId;
    std::vector<CutoutResult> m_buffer;
    std::size_t m_batch = 32;
    std::chrono::milliseconds m_maxDelay{500};
    std::chrono::steady_clock::time_point m_lastFlush;
};

} // namespace rm
