#pragma once
// RAII wrappers over raw sqlite3 handles and statements. Every failure throws rm::Error with SQLite's message
// and the SQL that failed.
#include "util/Error.h"

#include <cstdint>
#include <optional>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace rm {

class Statement;

// A UNIQUE (or other) constraint refused a write: callers that expect it (two imports of one name at once)
// turn it into their own words.
class ConstraintError : public Error
{
public:
    using Error::Error;
};

class Database
{
public:
    // Opens (creating if asked) the file with WAL journaling and foreign keys on.
    Database(const std::string& path, bool create);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    void exec(const std::string& sql); // one or more statements, no results
    Statement prepare(const std::string& sql);
    std::int64_t lastInsertId() const;
    int changes() const;
    const std::string& path() const { return m_path; }
    bool readOnly() const { return m_readOnly; } // opened read-only: this user cannot write the project
    sqlite3* handle() const { return m_db; }
    // A single value of a one-row query, nullopt if no row or NULL.
    std::optional<std::int64_t> queryInt(const std::string& sql);
    std::optional<std::string> queryText(const std::string& sql);

private:
    sqlite3* m_db = nullptr;
    std::string m_path;
    bool m_readOnly = false;
};

class Statement
{
public:
    Statement(sqlite3* db, const std::string& sql);
    ~Statement();
    Statement(Statement&& o) noexcept;
    Statement& operator=(Statement&&) = delete;
    Statement(const Statement&) = delete;

    // Binding is 1-based as in SQLite; each returns *this so calls chain.
    Statement& bind(int i, std::int64_t v);
    Statement& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
    Statement& bind(int i, std::size_t v) { return bind(i, static_cast<std::int64_t>(v)); }
    Statement& bind(int i, double v); // NaN binds as NULL
    Statement& bind(int i, const std::string& v);
    Statement& bind(int i, const char* v) { return bind(i, std::string(v)); }
    Statement& bindNull(int i);
    Statement& bindBlob(int i, const void* data, std::size_t size);

    bool step(); // true while a row is available; false when done
    void run();  // step to completion, then reset for reuse
    void reset();

    int columnCount() const;
    bool isNull(int i) const;
    std::int64_t integer(int i) const;
    double real(int i) const; // NULL reads as NaN
    std::string text(int i) const;
    std::string columnName(int i) const;

private:
    sqlite3* m_db;
    sqlite3_stmt* m_stmt = nullptr;
    std::string m_sql;
};

// Commits on commit(), rolls back if destroyed without it (an exception unwinding through an import).
class Transaction
{
public:
    explicit Transaction(Database& db);
    ~Transaction();
    void commit();

private:
    Database& m_db;
    bool m_done = false;
};

// Double-quotes an SQL identifier (column or table name from a user's catalog).
std::string quoteIdentifier(const std::string& name);

} // namespace rm
