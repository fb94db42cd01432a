#include "store/CutoutLedger.h"

#include "store/Database.h"
#include "store/ProjectStore.h"

#include <algorithm>

namespace rm {

namespace {

CutoutLedgerEntry readEntry(Statement& s)
{
    CutoutLedgerEntry e;
    e.row = static_cast<std::size_t>(s.integer(0));
    e.state = s.text(1);
    e.attempts = static_cast<int>(s.integer(2));
    e.cachePath = s.text(3);
    e.error = s.text(4);
    e.updatedAt = s.text(5);
    return e;
}

const char* kSelect = "SELECT row, state, attempts, cache_path, error, updated_at FROM cutout_status "
                      "WHERE source_key = ? AND catalog_id = ?";

} // namespace

CutoutLedger::CutoutLedger(Database& db, std::string sourceKey, std::int64_t catalogId)
    : m_db(db), m_sourceKey(std::move(sourceKey)), m_catalogId(catalogId),
      m_lastFlush(std::chrono::steady_clock::now())
{
}

CutoutLedger::~CutoutLedger()
{
    try {
        flush();
    } catch (...) {
        // Unflushed outcomes stay pending in the table and are fetched (or found in the cache) next run.
    }
}

void CutoutLedger::setBatching(std::size_t batch, std::chrono::milliseconds maxDelay)
{
    m_batch = std::max<std::size_t>(batch, 1);
    m_maxDelay = maxDelay;
}

std::unordered_map<std::size_t, CutoutLedgerEntry> CutoutLedger::load()
{
    std::unordered_map<std::size_t, CutoutLedgerEntry> out;
    Statement s = m_db.prepare(kSelect);
    s.bind(1, m_sourceKey).bind(2, m_catalogId);
    while (s.step()) {
        CutoutLedgerEntry e = readEntry(s);
        out.emplace(e.row, std::move(e));
    }
    return out;
}

CutoutLedgerCounts CutoutLedger::counts()
{
    CutoutLedgerCounts c;
    Statement s =
        m_db.prepare("SELECT state, COUNT(*) FROM cutout_status WHERE source_key = ? AND catalog_id = ? "
                     "GROUP BY state");
    s.bind(1, m_sourceKey).bind(2, m_catalogId);
    while (s.step()) {
        const std::string state = s.text(0);
        const auto n = static_cast<std::size_t>(s.integer(1));
        (state == "cached" ? c.cached : state == "failed" ? c.failed : c.pending) += n;
    }
    return c;
}

std::vector<CutoutLedgerEntry> CutoutLedger::failures(std::size_t limit)
{
    std::vector<CutoutLedgerEntry> out;
    Statement s = m_db.prepare(std::string(kSelect) + " AND state = 'failed' ORDER BY row" +
                               (limit ? " LIMIT " + std::to_string(limit) : std::string()));
    s.bind(1, m_sourceKey).bind(2, m_catalogId);
    while (s.step())
        out.push_back(readEntry(s));
    return out;
}

void CutoutLedger::markPending(const std::vector<std::size_t>& rows)
{
    if (rows.empty()) return;
    const std::string now = nowIso8601();
    Transaction tx(m_db);
    Statement s = m_db.prepare("INSERT INTO cutout_status(source_key, catalog_id, row, state, attempts, "
                               "cache_path, error, updated_at) "
                               "VALUES(?, ?, ?, 'pending', 0, '', '', ?) "
                               "ON CONFLICT(source_key, catalog_id, row) DO UPDATE SET state = 'pending', "
                               "updated_at = excluded.updated_at");
    for (std::size_t row : rows)
        s.bind(1, m_sourceKey).bind(2, m_catalogId).bind(3, row).bind(4, now).run();
    tx.commit();
}

void CutoutLedger::record(const CutoutResult& result)
{
    m_buffer.push_back(result);
    if (m_buffer.size() >= m_batch || std::chrono::steady_clock::now() - m_lastFlush >= m_maxDelay) flush();
}

void CutoutLedger::flush()
{
    m_lastFlush = std::chrono::steady_clock::now();
    if (m_buffer.empty()) return;
    const std::string now = nowIso8601();
    Transaction tx(m_db);
    // attempts accumulate over runs; a cancelled request goes back to pending and keeps its last error.
    Statement s = m_db.prepare(
        "INSERT INTO cutout_status(source_key, catalog_id, row, state, attempts, cache_path, error, "
        "updated_at) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
        "ON CONFLICT(source_key, catalog_id, row) DO UPDATE SET state = excluded.state, "
        "attempts = cutout_status.attempts + excluded.attempts, cache_path = excluded.cache_path, "
        "error = CASE WHEN excluded.state = 'pending' AND excluded.error = '' THEN cutout_status.error "
        "ELSE excluded.error END, updated_at = excluded.updated_at");
    for (const CutoutResult& r : m_buffer) {
        const char* state = r.state == CutoutState::Cached   ? "cached"
                            : r.state == CutoutState::Failed ? "failed"
                                                             : "pending";
        s.bind(1, m_sourceKey)
            .bind(2, m_catalogId)
            .bind(3, r.id)
            .bind(4, state)
            .bind(5, r.attempts)
            .bind(6, r.state == CutoutState::Cached ? r.path : std::string())
            .bind(7, r.state == CutoutState::Cached ? std::string() : r.error)
            .bind(8, now)
            .run();
    }
    tx.commit();
    m_buffer.clear();
}

} // namespace rm
