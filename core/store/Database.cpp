#include "store/Database.h"

#include "util/Error.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sqlite3.h>
#include <unistd.h>

namespace rm {

static std::string sqliteError(sqlite3* db, const std::string& what, const std::string& sql)
{
    std::string msg = what + ": " + (db ? sqlite3_errmsg(db) : "out of memory");
    if (!sql.empty()) msg += " (in: " + sql.substr(0, 200) + ")";
    return msg;
}

// The failures a user can act on, in the user's words: a full disk (or a file-size limit), a read-only
// project, a constraint; everything else with SQLite's message and the SQL.
[[noreturn]] static void throwWriteError(sqlite3* db, int rc, const std::string& what, const std::string& sql)
{
    const int ext = db ? sqlite3_extended_errcode(db) : rc;
    const char* file = db ? sqlite3_db_filename(db, "main") : nullptr;
    const std::string where = file && *file ? std::string(file) : std::string("the project");
    const std::string detail = db ? sqlite3_errmsg(db) : "out of memory";
    if ((rc & 0xff) == SQLITE_FULL || ext == SQLITE_IOERR_WRITE || ext == SQLITE_IOERR_FSYNC ||
        ext == SQLITE_IOERR_TRUNCATE || ext == SQLITE_IOERR_SHMSIZE)
        throw Error("cannot write " + where + ": disk full or file too large (" + detail +
                    "); free space (or raise the file-size limit) and run the command again: nothing "
                    "half-written was kept");
    if ((rc & 0xff) == SQLITE_READONLY)
        throw Error(where + " is read-only (" + detail +
                    "): open it from a copy you can write, or fix its "
                    "permissions (the file and its folder, which holds the -wal and -shm files)");
    if ((rc & 0xff) == SQLITE_CONSTRAINT) throw ConstraintError(sqliteError(db, what, sql));
    throw Error(sqliteError(db, what, sql));
}

// A project this user cannot write (the file, or the folder that must hold its -wal and -shm files) opens
// read-only: reading verbs work, and the first write says "read-only" instead of a raw SQLite error.
static bool writable(const std::string& path)
{
    if (::access(path.c_str(), W_OK) != 0) return false;
    const std::string dir = std::filesystem::path(path).parent_path().string();
    return ::access(dir.empty() ? "." : dir.c_str(), W_OK) == 0;
}

// A read-only WAL database with no -wal file and a folder where none can be made is only readable as
// "immutable" (no writer is running: with one, its -wal and -shm files exist and are used instead).
static std::string immutableUri(const std::string& path)
{
    std::string uri = "file:";
    for (char c : path) {
        if (c == '%' || c == '?' || c == '#') {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned char>(c));
            uri += buf;
        } else {
            uri += c;
        }
    }
    return uri + "?immutable=1";
}

Database::Database(const std::string& path, bool create) : m_path(path)
{
    m_readOnly = !create && !writable(path);
    int flags = (m_readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_FULLMUTEX |
                (create ? SQLITE_OPEN_CREATE : 0);
    std::string name = path;
    if (m_readOnly && !std::filesystem::exists(path + "-wal")) {
        name = immutableUri(std::filesystem::absolute(path).string());
        flags |= SQLITE_OPEN_URI;
    }
    if (sqlite3_open_v2(name.c_str(), &m_db, flags, nullptr) != SQLITE_OK) {
        std::string msg = sqliteError(m_db, "cannot open project '" + path + "'", {});
        sqlite3_close(m_db);
        m_db = nullptr;
        throw Error(msg);
    }
    sqlite3_busy_timeout(m_db, 10000);
    try {
        // The first statement that reads the file: a file that is not a database fails here.
        // (A read-only connection cannot set the journal mode; the file keeps the WAL mode it was made with.)
        exec(m_readOnly ? "PRAGMA foreign_keys=ON; SELECT count(*) FROM sqlite_master;"
                        : "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;");
    } catch (...) {
        // A constructor that throws runs no destructor: the handle would leak.
        sqlite3_close_v2(m_db);
        m_db = nullptr;
        throw;
    }
}

Database::~Database()
{
    if (m_db) sqlite3_close_v2(m_db);
}

void Database::exec(const std::string& sql)
{
    char* err = nullptr;
    const int rc = sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        sqlite3_free(err);
        throwWriteError(m_db, rc, "SQL error", sql);
    }
}

Statement Database::prepare(const std::string& sql)
{
    return Statement(m_db, sql);
}

std::int64_t Database::lastInsertId() const
{
    return sqlite3_last_insert_rowid(m_db);
}

int Database::changes() const
{
    return sqlite3_changes(m_db);
}

std::optional<std::int64_t> Database::queryInt(const std::string& sql)
{
    Statement s = prepare(sql);
    if (!s.step() || s.isNull(0)) return std::nullopt;
    return s.integer(0);
}

std::optional<std::string> Database::queryText(const std::string& sql)
{
    Statement s = prepare(sql);
    if (!s.step() || s.isNull(0)) return std::nullopt;
    return s.text(0);
}

Statement::Statement(sqlite3* db, const std::string& sql) : m_db(db), m_sql(sql)
{
    if (sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &m_stmt, nullptr) != SQLITE_OK)
        throw Error(sqliteError(db, "cannot prepare SQL", sql));
}

Statement::Statement(Statement&& o) noexcept : m_db(o.m_db), m_stmt(o.m_stmt), m_sql(std::move(o.m_sql))
{
    o.m_stmt = nullptr;
}

Statement::~Statement()
{
    if (m_stmt) sqlite3_finalize(m_stmt);
}

static void checkBind(sqlite3* db, int rc, const std::string& sql)
{
    if (rc != SQLITE_OK) throw Error(sqliteError(db, "cannot bind parameter", sql));
}

Statement& Statement::bind(int i, std::int64_t v)
{
    checkBind(m_db, sqlite3_bind_int64(m_stmt, i, v), m_sql);
    return *this;
}

Statement& Statement::bind(int i, double v)
{
    if (std::isnan(v)) return bindNull(i);
    checkBind(m_db, sqlite3_bind_double(m_stmt, i, v), m_sql);
    return *this;
}

Statement& Statement::bind(int i, const std::string& v)
{
    checkBind(m_db, sqlite3_bind_text(m_stmt, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT),
              m_sql);
    return *this;
}

Statement& Statement::bindNull(int i)
{
    checkBind(m_db, sqlite3_bind_null(m_stmt, i), m_sql);
    return *this;
}

Statement& Statement::bindBlob(int i, const void* data, std::size_t size)
{
    checkBind(m_db, sqlite3_bind_blob64(m_stmt, i, data, size, SQLITE_TRANSIENT), m_sql);
    return *this;
}

bool Statement::step()
{
    int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    try {
        throwWriteError(m_db, rc, "SQL step failed", m_sql); // reads the error before the reset clears it
    } catch (...) {
        sqlite3_reset(m_stmt);
        throw;
    }
}

void Statement::run()
{
    while (step()) {
    }
    reset();
}

void Statement::reset()
{
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

int Statement::columnCount() const
{
    return sqlite3_column_count(m_stmt);
}
bool Statement::isNull(int i) const
{
    return sqlite3_column_type(m_stmt, i) == SQLITE_NULL;
}
std::int64_t Statement::integer(int i) const
{
    return sqlite3_column_int64(m_stmt, i);
}

double Statement::real(int i) const
{
    return isNull(i) ? std::nan("") : sqlite3_column_double(m_stmt, i);
}

std::string Statement::text(int i) const
{
    const unsigned char* t = sqlite3_column_text(m_stmt, i);
    return t ? std::string(reinterpret_cast<const char*>(t),
                           static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, i)))
             : std::string();
}

std::string Statement::columnName(int i) const
{
    return sqlite3_column_name(m_stmt, i);
}

Transaction::Transaction(Database& db) : m_db(db)
{
    m_db.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction()
{
    if (!m_done) {
        try {
            m_db.exec("ROLLBACK");
        } catch (...) {
        }
    }
}

void Transaction::commit()
{
    m_db.exec("COMMIT");
    m_done = true;
}

std::string quoteIdentifier(const std::string& name)
{
    std::string q = "\"";
    for (char c : name) {
        if (c == '"') q += '"';
        q += c;
    }
    return q + "\"";
}

} // namespace rm
