#include "store/ProjectStore.h"

#include "store/CatalogImport.h"
#include "store/CatalogReplace.h"

#include "catalog/CatalogStream.h"
#include "catalog/LabelValue.h"

#include "store/Schema.h"
#include "util/Error.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <optional>
#include <sstream>
#include <vector>

#include <sqlite3.h>

#include <unistd.h>

namespace fs = std::filesystem;

namespace rm {

const char* catalogRoleName(CatalogRole r)
{
    switch (r) {
    case CatalogRole::Other:
        return "other";
    case CatalogRole::Rings:
        return "rings";
    case CatalogRole::Images:
        return "images";
    case CatalogRole::Parent:
        return "parent";
    case CatalogRole::Labelled:
        return "labelled";
    case CatalogRole::Candidates:
        return "candidates";
    }
    return "other";
}

CatalogRole parseCatalogRole(const std::string& s)
{
    for (CatalogRole r : {CatalogRole::Other, CatalogRole::Rings, CatalogRole::Images, CatalogRole::Parent,
                          CatalogRole::Labelled, CatalogRole::Candidates})
        if (s == catalogRoleName(r)) return r;
    throw Error("unknown catalog role '" + s +
                "' (expected one of: other, rings, images, parent, labelled, candidates)");
}

static const char* positionKindName(PositionKind k)
{
    switch (k) {
    case PositionKind::Degrees:
        return "degrees";
    case PositionKind::Sexagesimal:
        return "sexagesimal";
    case PositionKind::IauName:
        return "iau_name";
    }
    return "degrees";
}

static PositionKind parsePositionKind(const std::string& s)
{
    if (s == "sexagesimal") return PositionKind::Sexagesimal;
    if (s == "iau_name") return PositionKind::IauName;
    return PositionKind::Degrees;
}

static ColumnType parseColumnType(const std::string& s)
{
    if (s == "integer") return ColumnType::Integer;
    if (s == "real") return ColumnType::Real;
    return ColumnType::Text;
}

std::string nowIso8601()
{
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

ProjectStore::ProjectStore(std::unique_ptr<Database> db, std::string path)
    : m_db(std::move(db)), m_path(std::move(path))
{
}

ProjectStore::~ProjectStore() = default;

std::unique_ptr<ProjectStore> ProjectStore::create(const std::string& path)
{
    if (fs::exists(path)) throw Error("cannot create project '" + path + "': the file already exists");
    if (fs::path(path).has_parent_path() && !fs::exists(fs::path(path).parent_path()))
        throw Error("cannot create project '" + path + "': folder '" + fs::path(path).parent_path().string() +
                    "' does not exist");
    auto store =
        std::unique_ptr<ProjectStore>(new ProjectStore(std::make_unique<Database>(path, true), path));
    store->migrate();
    return store;
}

namespace {

// Reads the file's first bytes through SQLite's own file layer, never with a plain open() and close(): POSIX
// locks belong to the process, so closing any descriptor of the file drops every lock this process's open
// connections hold on it (the workbench's session while a worker opens the project again). Another process
// (ringminer-cli) then takes its exclusive lock at close for the last connection, checkpoints and deletes the
// -wal and -shm files under the live connections, whose later writes (hand labels) went to a deleted file.
// SQLite's unix layer keeps such a descriptor open until its own connections let go of their locks.
// Returns the bytes read, or -1 when the file cannot be opened (SQLite's own open then says why).
long readFileStart(const std::string& path, char* buf, int size)
{
    sqlite3_vfs* vfs = sqlite3_vfs_find(nullptr);
    if (!vfs) return -1;
    std::vector<char> mem(static_cast<std::size_t>(vfs->szOsFile), 0);
    auto* file = reinterpret_cast<sqlite3_file*>(mem.data());
    const std::string full = fs::absolute(path).string();
    int outFlags = 0;
    const int rc = vfs->xOpen(vfs, full.c_str(), file, SQLITE_OPEN_READONLY | SQLITE_OPEN_MAIN_DB, &outFlags);
    long got = -1;
    if (rc == SQLITE_OK) {
        sqlite3_int64 fileSize = 0;
        if (file->pMethods->xFileSize(file, &fileSize) == SQLITE_OK) {
            const int want = static_cast<int>(std::min<sqlite3_int64>(fileSize, size));
            got = want == 0 || file->pMethods->xRead(file, buf, want, 0) == SQLITE_OK ? want : -1;
        }
    }
    if (file->pMethods) file->pMethods->xClose(file); // also after a failed open that set pMethods
    return got;
}

void checkSqliteHeader(const std::string& path)
{
    if (fs::is_directory(path)) throw Error("'" + path + "' is a folder, not a RingMiner project file");
    char head[100] = {};
    const long read = readFileStart(path, head, static_cast<int>(sizeof head));
    if (read < 0) {
        // The reason, not "not a project": permission denied, an I/O error... (access() opens nothing, so it
        // cannot drop this process's POSIX locks on a project it already has open).
        if (::access(path.c_str(), R_OK) != 0)
            throw InputError(path, 0, {},
                             std::string("cannot read the project file: ") + std::strerror(errno));
        return; // SQLite's own message says why
    }
    const std::size_t got = static_cast<std::size_t>(read);
    static const char kMagic[16] = {'S', 'Q', 'L', 'i', 't', 'e', ' ', 'f',
                                    'o', 'r', 'm', 'a', 't', ' ', '3', '\0'};
    std::error_code ec;
    if (got == 0 && fs::file_size(path + "-wal", ec) > 0 && !ec) return; // everything still in the WAL
    if (got == 0)
        throw InputError(path, 0, {},
                         "is not a RingMiner project: the file is empty (0 bytes); create a project with: "
                         "ringminer-cli project new");
    if (got < 16 || std::memcmp(head, kMagic, 16) != 0) {
        std::string shown;
        for (std::size_t i = 0; i < std::min<std::size_t>(got, 16); ++i) {
            const unsigned char c = static_cast<unsigned char>(head[i]);
            shown += c >= 0x20 && c < 0x7F ? static_cast<char>(c) : '.';
        }
        throw InputError(path, 0, {},
                         "is not a RingMiner project: not an SQLite database (byte 1 starts '" + shown +
                             "', not 'SQLite format 3')");
    }
    // A file cut short (a copy interrupted, a full disk): its header states the size it had. The stated size
    // counts only when the header says it is current (change counter == version-valid-for), and pages still
    // in the WAL belong to it.
    if (got >= 100) {
        const auto* u = reinterpret_cast<const unsigned char*>(head);
        auto be32 = [&](int at) {
            return (std::uint32_t(u[at]) << 24) | (std::uint32_t(u[at + 1]) << 16) |
                   (std::uint32_t(u[at + 2]) << 8) | std::uint32_t(u[at + 3]);
        };
        const std::uint32_t pageSize =
            u[16] == 0 && u[17] == 1 ? 65536u : (std::uint32_t(u[16]) << 8) | u[17];
        const std::uint32_t pages = be32(28);
        std::error_code sizeError, walError;
        const std::uintmax_t size = fs::file_size(path, sizeError);
        const bool wal = fs::file_size(path + "-wal", walError) > 0 && !walError;
        if (!wal && !sizeError && pages > 0 && be32(24) == be32(92) &&
            size < std::uintmax_t(pages) * pageSize)
            throw InputError(path, 0, {},
                             "the project file is truncated: " + std::to_string(size) +
                                 " bytes, where its SQLite header says " + std::to_string(pages) +
                                 " pages of " + std::to_string(pageSize) + " bytes (" +
                                 std::to_string(std::uintmax_t(pages) * pageSize) +
                                 "); restore it from a copy");
    }
}

} // namespace

std::unique_ptr<ProjectStore> ProjectStore::open(const std::string& path)
{
    if (!fs::exists(path))
        throw Error("no project at '" + path + "' (create one with: ringminer-cli project new)");
    // Looked at before SQLite opens it: SQLite takes an empty file for a new database and would turn it into
    // one (WAL mode, a header), and a web page or a CSV under a .rmproj name is best named for what it is.
    checkSqliteHeader(path);
    std::unique_ptr<ProjectStore> store;
    // A file that is not SQLite fails here rather than later in the middle of something.
    try {
        store.reset(new ProjectStore(std::make_unique<Database>(path, false), path));
        store->m_db->exec("SELECT count(*) FROM sqlite_master");
    } catch (const Error& e) {
        // The file is an SQLite database (its header said so): what failed is opening it. Say why.
        std::string why = std::string("cannot open the project: ") + e.what();
        const fs::path folder = fs::absolute(path).parent_path();
        if (::access(path.c_str(), R_OK | W_OK) != 0)
            why += std::string(" (the file: ") + std::strerror(errno) + ")";
        else if (::access(folder.c_str(), W_OK | X_OK) != 0)
            why += " (its folder '" + folder.string() +
                   "', where SQLite keeps the -wal and -shm files: " + std::strerror(errno) + ")";
        throw InputError(path, 0, {}, why);
    }
    if (!store->m_db->queryInt("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta'")
             .value_or(0))
        throw InputError(path, 0, {}, "is an SQLite file but not a RingMiner project (no meta table)");
    store->migrate();
    return store;
}

int ProjectStore::schemaVersion()
{
    return static_cast<int>(m_db->queryInt("PRAGMA user_version").value_or(0));
}

void ProjectStore::migrate()
{
    int v = schemaVersion();
    if (v > kSchemaVersion)
        throw InputError(m_path, 0, {},
                         "is a project of schema version " + std::to_string(v) + " (PRAGMA user_version)" +
                             ", newer than this RingMiner understands (" + std::to_string(kSchemaVersion) +
                             "); open it with the newer RingMiner that wrote it (nothing was changed)");
    if (v == kSchemaVersion) return;
    if (m_db->readOnly())
        throw InputError(m_path, 0, {},
                         "is a project of schema version " + std::to_string(v) + " (PRAGMA user_version)" +
                             " and needs an upgrade, but it is read-only: open a copy you can write");
    Transaction tx(*m_db);
    if (v < 1) {
        m_db->exec(schema::kVersion1);
        m_db->prepare("INSERT INTO meta(key, value) VALUES('created_at', ?)").bind(1, nowIso8601()).run();
        m_db->prepare("INSERT INTO meta(key, value) VALUES('created_by', ?)")
            .bind(1, std::string("RingMiner ") + RINGMINER_VERSION)
            .run();
    }
    if (v < 2) m_db->exec(schema::kVersion2);
    if (v < 3) {
        // Version 3 adds the role 'candidates' to the CHECK on catalogs.role. Loosening a CHECK changes no
        // stored row, so the table's SQL is edited in place (SQLite's documented writable_schema procedure)
        // rather than rebuilt, which would cascade-delete everything that references a catalog.
        const std::int64_t cookie = m_db->queryInt("PRAGMA schema_version").value_or(0);
        m_db->exec("PRAGMA writable_schema=ON");
        m_db->exec(
            "UPDATE sqlite_master SET sql = replace(sql, '''labelled'')', '''labelled'',''candidates'')') "
            "WHERE type = 'table' AND name = 'catalogs'");
        m_db->exec("PRAGMA schema_version = " + std::to_string(cookie + 1));
        m_db->exec("PRAGMA writable_schema=OFF");
    }
    if (v < 4) m_db->exec(schema::kVersion4);
    if (v < 5) m_db->exec(schema::kVersion5);
    if (v < 6) m_db->exec(schema::kVersion6);
    m_db->exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
    tx.commit();
}

bool ProjectStore::readOnly() const
{
    return m_db->readOnly();
}

void ProjectStore::requireWritable(const std::string& what) const
{
    if (readOnly())
        throw Error("project '" + m_path +
                    "' is read-only (this user cannot write the file or its folder), so " + what +
                    " cannot be saved in it; nothing was read or changed. Work on a copy you can write.");
}

std::string ProjectStore::filesDir() const
{
    fs::path dir = fs::path(m_path).string() + ".files";
    fs::create_directories(dir);
    return dir.string();
}

void ProjectStore::setMeta(const std::string& key, const std::string& value)
{
    m_db->prepare(
            "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
        .bind(1, key)
        .bind(2, value)
        .run();
}

std::optional<std::string> ProjectStore::meta(const std::string& key)
{
    Statement s = m_db->prepare("SELECT value FROM meta WHERE key = ?");
    s.bind(1, key);
    if (!s.step()) return std::nullopt;
    return s.text(0);
}

static const char* sqlType(ColumnType t)
{
    switch (t) {
    case ColumnType::Integer:
        return "INTEGER";
    case ColumnType::Real:
        return "REAL";
    case ColumnType::Text:
        return "TEXT";
    }
    return "TEXT";
}

// What addCatalog and replaceCatalog refuse before anything is written.
static void validateCatalog(const std::string& name, const ImportedCatalog& catalog, CatalogRole role,
                            const std::string& labelColumn)
{
    if (name.empty()) throw Error("a catalog needs a name");
    const Table& table = catalog.table;
    const std::size_t n = table.rowCount();
    if (catalog.ra.size() != n || catalog.dec.size() != n)
        throw Error("catalog '" + name + "': positions do not line up with rows");
    if (role == CatalogRole::Labelled) {
        if (labelColumn.empty()) throw Error("a labelled catalog needs a label column");
        const int c = table.columnIndex(labelColumn);
        if (c < 0) {
            std::string known;
            for (const auto& col : table.columns)
                known += (known.empty() ? "" : ", ") + col.name;
            throw Error("catalog '" + name + "' has no label column '" + labelColumn +
                        "' (its columns: " + known + ")");
        }
        // A label column holds labels: a continuous column (a vote fraction) would silently make every row
        // a ring. Blank cells are allowed (unknown, left out of target sets).
        const Column& labels = table.columns[static_cast<std::size_t>(c)];
        std::size_t ring = 0, notRing = 0;
        for (std::size_t r = 0; r < n; ++r) {
            const std::string cell = labels.text(r);
            if (cell.find_first_not_of(" \t") == std::string::npos) continue;
            const auto v = parseRingLabel(cell);
            if (!v)
                throw InputError(catalog.path, catalog.sourceRow.empty() ? r + 1 : catalog.sourceRow[r],
                                 labelColumn,
                                 "'" + cell + "' is not a label (labels are " + kRingLabelWords +
                                     "; blank = unknown); nothing was imported");
            (*v ? ring : notRing)++;
        }
        if (ring == 0 || notRing == 0)
            throw Error(catalog.path + ": label column '" + labelColumn + "' has " + std::to_string(ring) +
                        " rings and " + std::to_string(notRing) +
                        " non-rings: a labelled catalog needs both; nothing was imported");
    }
}

// Counts a label column's rings and non-rings chunk by chunk; a cell that is not a label is refused with its
// file row.
class LabelTally
{
public:
    LabelTally(std::string path, std::string labelColumn)
        : m_path(std::move(path)), m_column(std::move(labelColumn))
    {
    }

    void add(const ImportedCatalog& rows)
    {
        const int c = rows.table.columnIndex(m_column);
        if (c < 0) return;
        const Column& labels = rows.table.columns[static_cast<std::size_t>(c)];
        for (std::size_t r = 0; r < labels.size(); ++r) {
            const std::string cell = labels.text(r);
            if (cell.find_first_not_of(" \t") == std::string::npos) continue;
            const auto v = parseRingLabel(cell);
            if (!v)
                throw InputError(m_path, rows.sourceRow.empty() ? m_seen + r + 1 : rows.sourceRow[r],
                                 m_column,
                                 "'" + cell + "' is not a label (labels are " + kRingLabelWords +
                                     "; blank = unknown); nothing was imported");
            (*v ? m_ring : m_notRing)++;
        }
        m_seen += labels.size();
    }

    void finish() const
    {
        if (m_ring == 0 || m_notRing == 0)
            throw Error(m_path + ": label column '" + m_column + "' has " + std::to_string(m_ring) +
                        " rings and " + std::to_string(m_notRing) +
                        " non-rings: a labelled catalog needs both; nothing was imported");
    }

private:
    std::string m_path, m_column;
    std::size_t m_seen = 0, m_ring = 0, m_notRing = 0;
};

// Writes one catalog into the caller's transaction a chunk of rows at a time: begin() makes its catalogs row,
// its column list and its table (again, dropping what was stored, when a streamed import starts over with
// wider types), rows() appends rows through one prepared statement, finish() records the row count and the
// skipped rows.
class CatalogInserter : public CatalogSink
{
public:
    CatalogInserter(Database& db, std::string name, CatalogRole role, std::string labelColumn,
                    std::function<bool(std::size_t, std::size_t)> progress = {})
        : m_db(db), m_name(std::move(name)), m_role(role), m_labelColumn(std::move(labelColumn)),
          m_progress(std::move(progress))
    {
    }

    void begin(const ImportedCatalog& head) override
    {
        if (m_role == CatalogRole::Labelled) {
            if (m_labelColumn.empty()) throw Error("a labelled catalog needs a label column");
            if (head.table.columnIndex(m_labelColumn) < 0) {
                std::string known;
                for (const auto& col : head.table.columns)
                    known += (known.empty() ? "" : ", ") + col.name;
                throw Error("catalog '" + m_name + "' has no label column '" + m_labelColumn +
                            "' (its columns: " + known + ")");
            }
        }
        m_labels.emplace(head.path, m_labelColumn);
        m_insert.reset();
        if (m_id == 0) {
            try {
                m_db.prepare("INSERT INTO catalogs(name, source_path, format, role, label_column, "
                             "position_kind, ra_column, dec_column, row_count, skipped_rows, table_name, "
                             "imported_at) VALUES(?,?,?,?,?,?,?,?,0,0,'',?)")
                    .bind(1, m_name)
                    .bind(2, fs::absolute(head.path).string())
                    .bind(3, catalogFormatName(head.format))
                    .bind(4, catalogRoleName(m_role))
                    .bind(5, m_labelColumn)
                    .bind(6, positionKindName(head.position.kind))
                    .bind(7, head.position.raColumn)
                    .bind(8, head.position.decColumn)
                    .bind(9, nowIso8601())
                    .run();
            } catch (const ConstraintError&) {
                // Another import of the same name committed between the caller's check and this insert.
                throw Error("the project already has a catalog named '" + m_name +
                            "' (imported by another process just now)");
            }
            m_id = m_db.lastInsertId();
            m_table = "cat_" + std::to_string(m_id);
            m_db.prepare("UPDATE catalogs SET table_name = ? WHERE id = ?")
                .bind(1, m_table)
                .bind(2, m_id)
                .run();
        } else { // starting over with wider types
            m_db.exec("DROP TABLE " + m_table);
            m_db.prepare("DELETE FROM catalog_columns WHERE catalog_id = ?").bind(1, m_id).run();
        }
        m_rows = 0;
        m_types.clear();

        std::ostringstream ddl;
        ddl << "CREATE TABLE " << m_table
            << "(_rm_row INTEGER PRIMARY KEY, _rm_ra REAL NOT NULL, _rm_dec REAL NOT NULL, "
            << "_rm_src INTEGER NOT NULL";
        Statement addColumn = m_db.prepare(
            "INSERT INTO catalog_columns(catalog_id, position, name, type, unit) VALUES(?,?,?,?,?)");
        for (std::size_t c = 0; c < head.table.columns.size(); ++c) {
            const Column& col = head.table.columns[c];
            ddl << ", " << quoteIdentifier(col.name) << ' ' << sqlType(col.type);
            addColumn.bind(1, m_id)
                .bind(2, c)
                .bind(3, col.name)
                .bind(4, columnTypeName(col.type))
                .bind(5, col.unit)
                .run();
            m_types.push_back(col.type);
        }
        ddl << ")";
        m_db.exec(ddl.str());

        std::ostringstream ins;
        ins << "INSERT INTO " << m_table << " VALUES(?,?,?,?";
        for (std::size_t c = 0; c < head.table.columns.size(); ++c)
            ins << ",?";
        ins << ")";
        m_insert.emplace(m_db.prepare(ins.str()));
    }

    void rows(ImportedCatalog& chunk) override
    {
        const Table& table = chunk.table;
        const std::size_t n = table.rowCount();
        if (chunk.ra.size() != n || chunk.dec.size() != n || table.columns.size() != m_types.size())
            throw Error("catalog '" + m_name + "': positions do not line up with rows");
        if (m_role == CatalogRole::Labelled) m_labels->add(chunk);
        Statement& insert = *m_insert;
        for (std::size_t r = 0; r < n; ++r) {
            insert.bind(1, m_rows).bind(2, chunk.ra[r]).bind(3, chunk.dec[r]); // NaN binds as NULL
            insert.bind(4, r < chunk.sourceRow.size() ? chunk.sourceRow[r] : m_rows + 1);
            for (std::size_t c = 0; c < table.columns.size(); ++c) {
                const Column& col = table.columns[c];
                const int p = static_cast<int>(c) + 5;
                if (col.null[r]) {
                    insert.bindNull(p);
                    continue;
                }
                switch (col.type) {
                case ColumnType::Integer:
                    insert.bind(p, col.integers[r]);
                    break;
                case ColumnType::Real:
                    insert.bind(p, col.reals[r]);
                    break;
                case ColumnType::Text:
                    insert.bind(p, col.texts[r]);
                    break;
                }
            }
            insert.run();
            ++m_rows;
            if (m_progress && m_rows % 20000 == 0 && !m_progress(m_rows, m_total))
                throw Error("import cancelled");
        }
    }

    std::int64_t finish(const ImportedCatalog& summary)
    {
        if (m_role == CatalogRole::Labelled) m_labels->finish();
        m_db.prepare("UPDATE catalogs SET row_count = ?, skipped_rows = ? WHERE id = ?")
            .bind(1, m_rows)
            .bind(2, summary.skipped.size())
            .bind(3, m_id)
            .run();
        Statement issue = m_db.prepare(
            "INSERT INTO import_issues(catalog_id, source_row, column_name, reason) VALUES(?,?,?,?)");
        for (const ImportIssue& i : summary.skipped)
            issue.bind(1, m_id).bind(2, i.row).bind(3, i.column).bind(4, i.reason).run();
        if (m_progress && !m_progress(m_rows, m_rows)) throw Error("import cancelled");
        return m_id;
    }

    void expectRows(std::size_t total) { m_total = total; } // for progress; 0 = not known

private:
    Database& m_db;
    std::string m_name;
    CatalogRole m_role;
    std::string m_labelColumn;
    std::function<bool(std::size_t, std::size_t)> m_progress;
    std::int64_t m_id = 0;
    std::string m_table;
    std::vector<ColumnType> m_types;
    std::optional<Statement> m_insert;
    std::optional<LabelTally> m_labels;
    std::size_t m_rows = 0, m_total = 0;
};

// The catalog's rows, columns and issues, inside the caller's transaction.
static std::int64_t insertCatalog(Database& db, const std::string& name, const ImportedCatalog& catalog,
                                  CatalogRole role, const std::string& labelColumn,
                                  const std::function<bool(std::size_t, std::size_t)>& progress)
{
    CatalogInserter inserter(db, name, role, labelColumn, progress);
    ImportedCatalog head;
    head.path = catalog.path;
    head.format = catalog.format;
    head.position = catalog.position;
    for (const Column& c : catalog.table.columns)
        head.table.addColumn(c.name, c.type, c.unit);
    inserter.expectRows(catalog.table.rowCount());
    inserter.begin(head);
    inserter.rows(const_cast<ImportedCatalog&>(catalog)); // rows() only reads the chunk
    return inserter.finish(catalog);
}

std::int64_t ProjectStore::addCatalog(const std::string& name, const ImportedCatalog& catalog,
                                      CatalogRole role, const std::string& labelColumn,
                                      const std::function<bool(std::size_t, std::size_t)>& progress)
{
    if (name.empty()) throw Error("a catalog needs a name");
    if (hasCatalog(name)) throw Error("the project already has a catalog named '" + name + "'");
    validateCatalog(name, catalog, role, labelColumn);
    Transaction tx(*m_db);
    const std::int64_t id = insertCatalog(*m_db, name, catalog, role, labelColumn, progress);
    tx.commit();
    return id;
}

// Drops the catalog `name` that a replacement of role `role` takes the place of, inside the caller's
// transaction; refuses another role or one a target set uses.
static void dropReplacedCatalog(Database& db, const std::string& name, CatalogRole role)
{
    {
        Statement old = db.prepare("SELECT id, role, table_name FROM catalogs WHERE name = ?");
        old.bind(1, name);
        if (old.step()) {
            const std::int64_t id = old.integer(0);
            const std::string oldRole = old.text(1), table = old.text(2);
            old.reset();
            if (oldRole != catalogRoleName(role))
                throw Error("the project already has a catalog '" + name + "' with role " + oldRole +
                            "; name the new one otherwise");
            if (db.queryInt("SELECT count(*) FROM targets WHERE catalog_id = " + std::to_string(id))
                    .value_or(0))
                throw Error("catalog '" + name + "' is used by a target set; remove the target set first");
            db.exec("DROP TABLE IF EXISTS " + quoteIdentifier(table));
            db.prepare("DELETE FROM catalogs WHERE id = ?").bind(1, id).run();
        }
    }
}

std::int64_t replaceCatalog(ProjectStore& store, const std::string& name, const ImportedCatalog& catalog,
                            CatalogRole role, const std::optional<std::string>& imageSourceSpec)
{
    validateCatalog(name, catalog, role, {});
    Database& db = store.db();
    Transaction tx(db);
    dropReplacedCatalog(db, name, role);
    const std::int64_t id = insertCatalog(db, name, catalog, role, {}, {});
    if (imageSourceSpec)
        db.prepare("INSERT INTO image_sources(catalog_id, spec_json) VALUES(?, ?)")
            .bind(1, id)
            .bind(2, *imageSourceSpec)
            .run();
    tx.commit();
    return id;
}

std::int64_t importCatalogFile(ProjectStore& store, const std::string& name, const std::string& file,
                               const ImportOptions& options, CatalogRole role, const std::string& labelColumn,
                               ImportedCatalog* summary)
{
    if (name.empty()) throw Error("a catalog needs a name");
    if (role == CatalogRole::Labelled && labelColumn.empty())
        throw Error("a labelled catalog needs a label column");
    store.requireWritable("an imported catalog");
    if (store.hasCatalog(name)) throw Error("the project already has a catalog named '" + name + "'");
    Database& db = store.db();
    // A bulk import's pages: a bigger page cache than SQLite's 2 MB default keeps the B-tree's upper pages
    // from being spilled and rewritten as the table grows; put back afterwards.
    const std::int64_t cacheSize = db.queryInt("PRAGMA cache_size").value_or(-2000);
    db.exec("PRAGMA cache_size = -65536");
    struct RestoreCache
    {
        Database& db;
        std::int64_t size;
        ~RestoreCache()
        {
            try {
                db.exec("PRAGMA cache_size = " + std::to_string(size));
            } catch (...) {
            }
        }
    } restore{db, cacheSize};
    Transaction tx(db);
    CatalogInserter inserter(db, name, role, labelColumn);
    ImportedCatalog result = streamCatalog(file, options, inserter);
    const std::int64_t id = inserter.finish(result);
    tx.commit();
    if (summary) *summary = std::move(result);
    return id;
}

std::int64_t
replaceCatalogFile(ProjectStore& store, const std::string& name, const std::string& file,
                   const ImportOptions& options, CatalogRole role,
                   const std::function<std::optional<std::string>(const ImportedCatalog&)>& imageSourceFor,
                   ImportedCatalog* summary)
{
    if (name.empty()) throw Error("a catalog needs a name");
    store.requireWritable("an imported catalog");
    Database& db = store.db();
    Transaction tx(db);
    dropReplacedCatalog(db, name, role);
    CatalogInserter inserter(db, name, role, {});
    ImportedCatalog result = streamCatalog(file, options, inserter);
    const std::int64_t id = inserter.finish(result);
    if (imageSourceFor)
        if (const std::optional<std::string> spec = imageSourceFor(result))
            db.prepare("INSERT INTO image_sources(catalog_id, spec_json) VALUES(?, ?)")
                .bind(1, id)
                .bind(2, *spec)
                .run();
    tx.commit();
    if (summary) *summary = std::move(result);
    return id;
}

static CatalogInfo readCatalogInfo(Database& db, Statement& s)
{
    CatalogInfo info;
    info.id = s.integer(0);
    info.name = s.text(1);
    info.sourcePath = s.text(2);
    info.format = s.text(3);
    info.role = parseCatalogRole(s.text(4));
    info.labelColumn = s.text(5);
    info.position.kind = parsePositionKind(s.text(6));
    info.position.raColumn = s.text(7);
    info.position.decColumn = s.text(8);
    info.rowCount = static_cast<std::size_t>(s.integer(9));
    info.skippedRows = static_cast<std::size_t>(s.integer(10));
    info.tableName = s.text(11);
    info.importedAt = s.text(12);
    Statement cols =
        db.prepare("SELECT name, type FROM catalog_columns WHERE catalog_id = ? ORDER BY position");
    cols.bind(1, info.id);
    while (cols.step())
        info.columns.emplace_back(cols.text(0), parseColumnType(cols.text(1)));
    return info;
}

static const char* kCatalogColumns =
    "SELECT id, name, source_path, format, role, label_column, position_kind, "
    "ra_column, dec_column, row_count, skipped_rows, table_name, imported_at "
    "FROM catalogs";

std::vector<CatalogInfo> ProjectStore::catalogs()
{
    std::vector<CatalogInfo> out;
    Statement s = m_db->prepare(std::string(kCatalogColumns) + " ORDER BY id");
    while (s.step())
        out.push_back(readCatalogInfo(*m_db, s));
    return out;
}

bool ProjectStore::hasCatalog(const std::string& name)
{
    Statement s = m_db->prepare("SELECT 1 FROM catalogs WHERE name = ?");
    s.bind(1, name);
    return s.step();
}

CatalogInfo ProjectStore::catalog(const std::string& name)
{
    Statement s = m_db->prepare(std::string(kCatalogColumns) + " WHERE name = ?");
    s.bind(1, name);
    if (s.step()) return readCatalogInfo(*m_db, s);
    std::string known;
    for (const auto& c : catalogs())
        known += (known.empty() ? "" : ", ") + c.name;
    throw Error("no catalog named '" + name + "' in the project" +
                (known.empty() ? std::string(" (it has none yet)") : " (it has: " + known + ")"));
}

CatalogInfo ProjectStore::catalog(std::int64_t id)
{
    Statement s = m_db->prepare(std::string(kCatalogColumns) + " WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) throw Error("no catalog with id " + std::to_string(id) + " in the project");
    return readCatalogInfo(*m_db, s);
}

void ProjectStore::removeCatalog(std::int64_t id)
{
    CatalogInfo info = catalog(id);
    Transaction tx(*m_db);
    {
        // Scoped: a statement still stepping on this connection makes the DROP below fail ("table is
        // locked").
        Statement used = m_db->prepare("SELECT count(*) FROM targets WHERE catalog_id = ?");
        used.bind(1, id);
        if (used.step() && used.integer(0) > 0)
            throw Error("catalog '" + info.name + "' is used by a target set; remove the target set first");
    }
    m_db->exec("DROP TABLE IF EXISTS " + info.tableName);
    m_db->prepare("DELETE FROM catalogs WHERE id = ?").bind(1, id).run();
    tx.commit();
}

CatalogPositions ProjectStore::positions(std::int64_t catalogId)
{
    CatalogInfo info = catalog(catalogId);
    CatalogPositions p;
    p.ra.reserve(info.rowCount);
    p.dec.reserve(info.rowCount);
    Statement s = m_db->prepare("SELECT _rm_ra, _rm_dec FROM " + info.tableName + " ORDER BY _rm_row");
    while (s.step()) {
        p.ra.push_back(s.real(0));
        p.dec.push_back(s.real(1));
    }
    return p;
}

Table ProjectStore::loadTable(std::int64_t catalogId, const std::vector<std::string>& columns)
{
    CatalogInfo info = catalog(catalogId);
    std::vector<std::pair<std::string, ColumnType>> wanted;
    if (columns.empty()) {
        wanted = info.columns;
    } else {
        for (const auto& name : columns) {
            auto it = std::find_if(info.columns.begin(), info.columns.end(),
                                   [&](const auto& c) { return c.first == name; });
            if (it == info.columns.end())
                throw Error("catalog '" + info.name + "' has no column '" + name + "'");
            wanted.push_back(*it);
        }
    }
    Table t;
    std::string sql = "SELECT ";
    for (std::size_t i = 0; i < wanted.size(); ++i) {
        t.addColumn(wanted[i].first, wanted[i].second);
        sql += (i ? ", " : "") + quoteIdentifier(wanted[i].first);
    }
    if (wanted.empty()) return t;
    sql += " FROM " + info.tableName + " ORDER BY _rm_row";
    Statement s = m_db->prepare(sql);
    while (s.step()) {
        for (std::size_t i = 0; i < wanted.size(); ++i) {
            Column& col = t.columns[i];
            const int c = static_cast<int>(i);
            if (s.isNull(c)) {
                col.appendNull();
                continue;
            }
            switch (col.type) {
            case ColumnType::Integer:
                col.appendInteger(s.integer(c));
                break;
            case ColumnType::Real:
                col.appendReal(s.real(c));
                break;
            case ColumnType::Text:
                col.appendText(s.text(c));
                break;
            }
        }
    }
    return t;
}

std::optional<std::string> ProjectStore::imageSourceSpec(std::int64_t catalogId)
{
    Statement s = m_db->prepare("SELECT spec_json FROM image_sources WHERE catalog_id = ?");
    s.bind(1, catalogId);
    if (!s.step()) return std::nullopt;
    return s.text(0);
}

void ProjectStore::setImageSourceSpec(std::int64_t catalogId, const std::string& specJson)
{
    Statement s = m_db->prepare("INSERT INTO image_sources(catalog_id, spec_json) VALUES(?, ?) "
                                "ON CONFLICT(catalog_id) DO UPDATE SET spec_json = excluded.spec_json");
    s.bind(1, catalogId);
    s.bind(2, specJson);
    s.step();
}

} // namespace rm
