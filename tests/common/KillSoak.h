#pragma once
// Crash safety, shared by the soak benchmark (bench/bench_kill_soak: >= 20 kills per point) and its CI
// slice (tests/app/cli/test_cli_kill.cpp: 2-3 kills per point). Each kill point starts the real
// ringminer-cli (or, for hand labels, ui_label_driver: the workbench's label controller offscreen), SIGKILLs
// it after a seeded random delay, reopens the project and checks that
//   - PRAGMA integrity_check says ok;
//   - nothing committed before the kill is lost (acknowledged labels, finished epochs, a finished import);
//   - nothing is half visible (a catalog or target set is complete with all its rows, or absent);
//   - running the verb again completes, and gives the same final state as a run that was never killed
//     (catalog and target-set rows, labels, the weights' SHA-256 and every metric, mined bytes).
// Core and POSIX only (no Qt): the benchmarks link ringminer_core alone.
#include "store/Database.h"
#include "util/Sha256.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace rmkill {

namespace fs = std::filesystem;

inline double nowSeconds()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

inline std::string readFile(const std::string& path)
{
    std::ifstream f(path, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

inline void writeFile(const std::string& path, const std::string& text)
{
    std::ofstream(path, std::ios::binary) << text;
}

struct ProcResult
{
    int exitCode = -1;   // -1: killed by a signal (or timed out)
    bool killed = false; // this harness SIGKILLed it while it was still running
    std::string out, err;
    double seconds = 0;
    std::string json() const // the --json summary: the last non-empty line of stdout
    {
        std::size_t end = out.find_last_not_of("\n");
        if (end == std::string::npos) return {};
        std::size_t begin = out.rfind('\n', end);
        return out.substr(begin == std::string::npos ? 0 : begin + 1,
                          end - (begin == std::string::npos ? 0 : begin + 1) + 1);
    }
};

struct RunOptions
{
    double killAfter = -1;        // seconds after the start; < 0: let it finish
    double timeout = 900;         // then it is killed and counts as a failure
    long long fileSizeLimit = -1; // RLIMIT_FSIZE in bytes for the child (its writes past it fail with EFBIG)
    std::vector<std::string> env; // NAME=value added to the child's environment
};

// Runs argv (argv[0] a path) with stdout and stderr in files under `dir`, optionally SIGKILLed after a delay.
inline ProcResult runProcess(const std::vector<std::string>& argv, const std::string& dir,
                             const RunOptions& o = {})
{
    static int serial = 0;
    const std::string stem = dir + "/proc-" + std::to_string(::getpid()) + "-" + std::to_string(++serial);
    const std::string outPath = stem + ".out", errPath = stem + ".err";
    ProcResult r;
    const double start = nowSeconds();
    const pid_t pid = ::fork();
    if (pid < 0) {
        r.err = "fork failed";
        return r;
    }
    if (pid == 0) {
        const int out = ::open(outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int err = ::open(errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (out < 0 || err < 0) ::_exit(127);
        ::dup2(out, 1);
        ::dup2(err, 2);
        if (o.fileSizeLimit >= 0) {
            // Inherited across exec: past the limit write() fails with EFBIG instead of SIGXFSZ killing it.
            std::signal(SIGXFSZ, SIG_IGN);
            rlimit lim{static_cast<rlim_t>(o.fileSizeLimit), static_cast<rlim_t>(o.fileSizeLimit)};
            ::setrlimit(RLIMIT_FSIZE, &lim);
        }
        for (const auto& e : o.env)
            ::putenv(const_cast<char*>(e.c_str()));
        std::vector<char*> args;
        for (const auto& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execv(args[0], args.data());
        std::fprintf(stderr, "cannot start %s: %s\n", args[0], std::strerror(errno));
        ::_exit(127);
    }
    int status = 0;
    for (;;) {
        const pid_t w = ::waitpid(pid, &status, WNOHANG);
        if (w == pid) break;
        const double t = nowSeconds() - start;
        if ((o.killAfter >= 0 && t >= o.killAfter) || t >= o.timeout) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            r.killed = o.killAfter >= 0 && t >= o.killAfter;
            if (!r.killed) r.err = "timed out after " + std::to_string(int(o.timeout)) + " s\n";
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    r.seconds = nowSeconds() - start;
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = readFile(outPath);
    r.err += readFile(errPath);
    fs::remove(outPath);
    fs::remove(errPath);
    return r;
}

inline std::string integrityCheck(const std::string& project)
{
    try {
        rm::Database db(project, false);
        std::string all;
        rm::Statement s = db.prepare("PRAGMA integrity_check");
        while (s.step())
            all += (all.empty() ? "" : "; ") + s.text(0);
        return all;
    } catch (const std::exception& e) {
        return std::string("cannot open: ") + e.what();
    }
}

// Every row of a query, one line each, as SQLite prints it: to compare states exactly, a query wraps its
// REAL columns in printf('%.17g', x) (SQLite's own text of a REAL has 15 digits).
inline std::string queryText(rm::Database& db, const std::string& sql)
{
    std::string out;
    rm::Statement s = db.prepare(sql);
    while (s.step()) {
        for (int c = 0; c < s.columnCount(); ++c)
            out += (c ? "|" : "") + (s.isNull(c) ? std::string("NULL") : s.text(c));
        out += '\n';
    }
    return out;
}

inline std::string queryHash(rm::Database& db, const std::string& sql)
{
    return rm::sha256Hex(queryText(db, sql));
}

inline std::int64_t queryInt(rm::Database& db, const std::string& sql)
{
    return db.queryInt(sql).value_or(-1);
}

inline std::string median(std::vector<double> v)
{
    if (v.empty()) return "-";
    std::sort(v.begin(), v.end());
    const double m = v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f s", m);
    return buf;
}

// The catalog's rows in a stable text, hashed ("" when it is absent). Also checks it is whole: the row count
// in `catalogs` equals the rows of its table, and every cat_N table belongs to a catalog (an import killed
// half-way must leave no orphan table behind). A problem is returned in `problem`.
inline std::string catalogState(rm::Database& db, const std::string& name, std::string& problem)
{
    rm::Statement s = db.prepare("SELECT id, row_count, table_name FROM catalogs WHERE name = ?");
    s.bind(1, name);
    std::string state;
    if (s.step()) {
        const std::int64_t id = s.integer(0), rows = s.integer(1);
        const std::string table = s.text(2);
        const std::int64_t stored = queryInt(db, "SELECT count(*) FROM " + rm::quoteIdentifier(table));
        if (stored != rows)
            problem += "catalog " + name + " says " + std::to_string(rows) + " rows but holds " +
                       std::to_string(stored) + "; ";
        const std::int64_t columns =
            queryInt(db, "SELECT count(*) FROM catalog_columns WHERE catalog_id = " + std::to_string(id));
        state = std::to_string(rows) + " rows, " + std::to_string(columns) + " columns, " +
                queryHash(db, "SELECT * FROM " + rm::quoteIdentifier(table) + " ORDER BY _rm_row");
    }
    rm::Statement t =
        db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'cat\\_%' "
                   "ESCAPE '\\' AND name NOT IN (SELECT table_name FROM catalogs)");
    while (t.step())
        problem += "orphan table " + t.text(0) + "; ";
    const std::int64_t orphanColumns = queryInt(
        db, "SELECT count(*) FROM catalog_columns WHERE catalog_id NOT IN (SELECT id FROM catalogs)");
    if (orphanColumns > 0) problem += std::to_string(orphanColumns) + " orphan catalog_columns rows; ";
    return state;
}

struct PointResult
{
    std::string name;
    int trials = 0, kills = 0, passes = 0, failures = 0;
    int endedBeforeKill = 0; // the delay outlasted the run: checked all the same, not counted as a kill
    std::vector<double> resumeSeconds;
    std::vector<std::string> messages;
    double referenceSeconds = 0;
    bool ok() const { return failures == 0 && kills > 0; }
};

struct SoakConfig
{
    std::string cli;         // ringminer-cli
    std::string labelDriver; // ui_label_driver ("" = the label point is skipped)
    std::string work;        // scratch folder (made empty first)
    int killsPerPoint = 3;
    unsigned seed = 1;
    std::size_t importRows = 200000;
    std::size_t ringRows = 1500;  // the rings catalog of the target-set point, labelled by the label point
    int labels = 1500;            // galaxies the label point labels
    int epochs = 8;               // of the tiny training run
    int demoGalaxies = 120;       // rings and as many non-rings in the training and mining project
    std::set<std::string> points; // empty: all
    std::function<void(const std::string&)> log = [](const std::string& s) {
        std::fprintf(stderr, "%s\n", s.c_str());
        std::fflush(stderr);
    };
};

class KillSoak
{
public:
    explicit KillSoak(SoakConfig c) : m_c(std::move(c)) {}

    // Runs every kill point; the results in order import, targets, labels, train, mine.
    // Runs every kill point wanted; the results in order import, targets, labels, train, mine.
    std::vector<PointResult> run()
    {
        std::vector<PointResult> results;
        for (const char* p : {"import", "targets", "labels", "train", "mine"})
            if (want(p)) results.push_back(runPoint(p));
        return results;
    }

    // One kill point, preparing what it needs first (once: a later point reuses an earlier one's results,
    // targets builds on the import's finished project, mine on the train's).
    PointResult runPoint(const std::string& point)
    {
        if (!m_started) {
            fs::remove_all(m_c.work);
            fs::create_directories(m_c.work);
            m_started = true;
        }
        if (point == "import" || point == "targets" || point == "labels") prepareImport();
        if (point == "targets" || point == "labels") prepareTargets();
        if (point == "train" || point == "mine") prepareTraining();
        if (point == "mine") prepareMining();
        if (point == "labels" && m_c.labelDriver.empty()) {
            PointResult r;
            r.name = "labels";
            r.messages.push_back("skipped: no ui_label_driver (a build without the GUI)");
            return r;
        }
        return soak(point);
    }

    // Setup errors (a verb that should have worked did not) are thrown as this.
    struct SetupError : std::runtime_error
    {
        using std::runtime_error::runtime_error;
    };

    static std::string table(const std::vector<PointResult>& results)
    {
        std::string t;
        char buf[256];
        std::snprintf(buf, sizeof buf, "%-8s %6s %6s %7s %9s %10s %14s %14s\n", "point", "trials", "kills",
                      "passes", "failures", "ended", "unkilled run", "median resume");
        t += buf;
        for (const auto& r : results) {
            char ref[32];
            std::snprintf(ref, sizeof ref, "%.2f s", r.referenceSeconds);
            std::snprintf(buf, sizeof buf, "%-8s %6d %6d %7d %9d %10d %14s %14s\n", r.name.c_str(), r.trials,
                          r.kills, r.passes, r.failures, r.endedBeforeKill, ref,
                          median(r.resumeSeconds).c_str());
            t += buf;
        }
        return t;
    }

private:
    SoakConfig m_c;
    std::string m_importBase, m_importCsv, m_importRef;
    std::string m_targetsBase;
    std::string m_trainBase, m_matrix, m_trainRef, m_mineBase;
    bool m_started = false;

    bool want(const std::string& p) const { return m_c.points.empty() || m_c.points.count(p); }

    std::string dir(const std::string& name) const
    {
        const std::string d = m_c.work + "/" + name;
        fs::create_directories(d);
        return d;
    }

    ProcResult cli(std::vector<std::string> args, const std::string& where, RunOptions o = {})
    {
        args.insert(args.begin(), m_c.cli);
        o.env.push_back("SOURCE_DATE_EPOCH=1767225600"); // mined outputs carry a date: pinned
        return runProcess(args, where, o);
    }
    ProcResult mustRun(const std::vector<std::string>& args, const std::string& where)
    {
        ProcResult r = cli(args, where);
        if (r.exitCode != 0) {
            std::string line;
            for (const auto& a : args)
                line += a + " ";
            throw SetupError("setup failed: ringminer-cli " + line + "(exit " + std::to_string(r.exitCode) +
                             "):\n" + r.err);
        }
        return r;
    }

    // A project is its file plus its .files folder (weights, caches): a trial works on a copy.
    static void copyProject(const std::string& from, const std::string& to)
    {
        fs::copy_file(from, to, fs::copy_options::overwrite_existing);
        for (const char* side : {"-wal", "-shm"})
            if (fs::exists(from + side))
                fs::copy_file(from + side, to + side, fs::copy_options::overwrite_existing);
        if (fs::exists(from + ".files"))
            fs::copy(from + ".files", to + ".files",
                     fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    }

    // --- the points: setup, the command, what must hold after the kill, the final state ---

    void prepareImport()
    {
        if (!m_importBase.empty()) return;
        const std::string d = dir("import-base");
        m_importCsv = d + "/wide.csv";
        std::ofstream csv(m_importCsv);
        csv << "name,ra,dec,z,rmag,note\n";
        char line[160];
        for (std::size_t i = 0; i < m_c.importRows; ++i) {
            // 36 degrees of RA by 20 of Dec, a galaxy every ~0.01 degree; z and r magnitude by formula.
            std::snprintf(line, sizeof line, "G%07zu,%.6f,%.6f,%.5f,%.3f,%s\n", i,
                          150.0 + double(i % 3600) * 0.01,
                          -10.0 + double(i / 3600) * (20.0 / double(m_c.importRows / 3600 + 1)),
                          double((i * 7919) % 100000) / 100000.0 * 0.3,
                          14.0 + double((i * 104729) % 60000) / 10000.0, i % 10 == 0 ? "(R1)" : "");
            csv << line;
        }
        csv.close();
        m_importBase = d + "/p.rmproj";
        mustRun({"project", "new", m_importBase}, d);
    }
    std::vector<std::string> importArgs(const std::string& project) const
    {
        return {"catalog", "import", project, m_importCsv, "--name", "wide", "--role", "parent", "--json"};
    }

    void prepareTargets()
    {
        if (!m_targetsBase.empty()) return;
        if (m_importRef.empty()) { // the import point did not run: import once here
            m_importRef = dir("import-ref") + "/p.rmproj";
            copyProject(m_importBase, m_importRef);
            mustRun(importArgs(m_importRef), dir("import-ref"));
        }
        // The import's finished project plus a rings catalog inside the same sky.
        const std::string d = dir("targets-base");
        m_targetsBase = d + "/p.rmproj";
        copyProject(m_importRef, m_targetsBase);
        std::ofstream csv(d + "/rings.csv");
        csv << "name,ra,dec,z,type\n";
        char line[128];
        for (std::size_t i = 0; i < m_c.ringRows; ++i) {
            const std::size_t row = (i * 104729) % m_c.importRows; // on a galaxy of the wide catalog
            std::snprintf(line, sizeof line, "R%05zu,%.6f,%.6f,%.5f,%s\n", i,
                          150.0 + double(row % 3600) * 0.01,
                          -10.0 + double(row / 3600) * (20.0 / double(m_c.importRows / 3600 + 1)),
                          double((row * 7919) % 100000) / 100000.0 * 0.3, i % 2 ? "outer" : "inner");
            csv << line;
            if (i % 50 == 0) { // a few listed twice (1" apart): one galaxy, one positive
                std::snprintf(line, sizeof line, "R%05zu_dup,%.6f,%.6f,%.5f,dup\n", i,
                              150.0 + double(row % 3600) * 0.01 + 0.0002,
                              -10.0 + double(row / 3600) * (20.0 / double(m_c.importRows / 3600 + 1)),
                              double((row * 7919) % 100000) / 100000.0 * 0.3);
                csv << line;
            }
        }
        csv.close();
        mustRun({"catalog", "import", m_targetsBase, d + "/rings.csv", "--name", "rings", "--role", "rings"},
                d);
    }
    std::vector<std::string> targetsArgs(const std::string& project) const
    {
        return {"targets", "build",   project, "--name",         "t", "--rings", "rings", "--negatives",
                "wide",    "--ratio", "2",     "--match-column", "z", "--seed",  "5",     "--json"};
    }
    std::string targetSetState(rm::Database& db, std::string& problem)
    {
        const std::int64_t sets = queryInt(db, "SELECT count(*) FROM target_sets WHERE name = 't'");
        if (sets == 0) {
            const std::int64_t orphans = queryInt(
                db, "SELECT count(*) FROM targets WHERE target_set_id NOT IN (SELECT id FROM target_sets)");
            if (orphans) problem += std::to_string(orphans) + " targets of no target set; ";
            return "";
        }
        const std::string report =
            db.queryText("SELECT report_json FROM target_sets WHERE name = 't'").value_or("");
        return report + "\n" +
               queryHash(
                   db,
                   "SELECT idx, catalog_id, row, printf('%.17g', ra), printf('%.17g', dec), label, split, "
                   "origin FROM targets WHERE "
                   "target_set_id = (SELECT id FROM target_sets WHERE name = 't') ORDER BY idx");
    }

    std::vector<std::string> labelArgs(const std::string& project) const
    {
        return {m_c.labelDriver, project, "rings", std::to_string(m_c.labels)};
    }
    static std::string labelsState(rm::Database& db)
    {
        // The current label of every galaxy (its latest event), and how many events: one per label, none
        // lost, none doubled by the rerun.
        return queryText(db,
                         "SELECT catalog_id, row, label, ring_type FROM label_events e WHERE id = (SELECT "
                         "max(id) FROM label_events f WHERE f.catalog_id = e.catalog_id AND f.row = e.row) "
                         "ORDER BY catalog_id, row") +
               "events " + std::to_string(queryInt(db, "SELECT count(*) FROM label_events"));
    }

    void prepareTraining()
    {
        if (!m_trainBase.empty()) return;
        const std::string d = dir("train-base");
        ProcResult made = mustRun({"demo", "make", d + "/demo", "--rings", std::to_string(m_c.demoGalaxies),
                                   "--non-rings", std::to_string(m_c.demoGalaxies), "--size", "40", "--json"},
                                  d);
        m_trainBase = fs::absolute(jsonString(made.json(), "project")).string(); // relative to our folder
        if (!fs::exists(m_trainBase)) throw SetupError("demo make said project '" + m_trainBase + "'");
        m_matrix = d + "/matrix.json";
        writeFile(m_matrix, R"({"name": "soak", "target_sets": ["demo"],
          "models": [{"name": "cnn", "arch": "simple_cnn", "in_chans": 1, "modes": ["all_layers"]}],
          "defaults": {"image_size": 32, "epochs": )" +
                                std::to_string(m_c.epochs) +
                                R"(, "batch_size": 8, "max_steps_per_epoch": 3,
                       "embedding_views": 1, "warmup_epochs": 0, "patience": 0, "device": "cpu",
                       "loader_threads": 1, "torch_threads": 1}})");
        // No decoded cache yet: a trial builds it first, so some kills land in the cache build too.
    }
    std::vector<std::string> trainArgs(const std::string& project) const
    {
        return {"train", project, "--matrix", m_matrix, "--experiment", "soak", "--json"};
    }
    static std::string trainState(rm::Database& db)
    {
        return queryText(db, "SELECT cell_key, state, weights_sha256 FROM runs ORDER BY cell_key") +
               queryText(
                   db,
                   "SELECT r.cell_key, e.epoch, printf('%.17g', e.train_loss), printf('%.17g', e.val_loss), "
                   "printf('%.17g', e.val_auc), printf('%.17g', e.learning_rate) "
                   "FROM epochs e JOIN runs r ON r.id = e.run_id ORDER BY r.cell_key, e.epoch") +
               queryText(
                   db,
                   "SELECT r.cell_key, m.split, m.name, printf('%.17g', m.value), printf('%.17g', m.ci_low), "
                   "printf('%.17g', m.ci_high) FROM metrics m "
                   "JOIN runs r ON r.id = m.run_id ORDER BY r.cell_key, m.split, m.name");
    }
    // What a run committed before the kill: its finished epochs, which must all still be there (same values)
    // after the rerun.
    static std::vector<std::string> committedEpochs(rm::Database& db)
    {
        std::vector<std::string> v;
        std::istringstream s(
            queryText(db, "SELECT r.cell_key, e.epoch, printf('%.17g', e.train_loss), printf('%.17g', "
                          "e.val_loss), printf('%.17g', e.val_auc) FROM epochs e JOIN runs r ON r.id = "
                          "e.run_id ORDER BY r.cell_key, e.epoch"));
        for (std::string line; std::getline(s, line);)
            v.push_back(line);
        return v;
    }
    std::string runProblems(rm::Database& db)
    {
        std::string problem;
        // Epochs of a run are 0..n-1, no gap, no duplicate (the primary key forbids duplicates).
        rm::Statement s =
            db.prepare("SELECT run_id, count(*), min(epoch), max(epoch) FROM epochs GROUP BY run_id");
        while (s.step())
            if (s.integer(2) != 0 || s.integer(3) != s.integer(1) - 1)
                problem += "run " + std::to_string(s.integer(0)) + " has epochs with gaps; ";
        rm::Statement d =
            db.prepare("SELECT id, weights_path, weights_sha256 FROM runs WHERE state = 'done'");
        while (d.step()) {
            const std::string path = d.text(1);
            if (!fs::exists(path))
                problem += "done run " + std::to_string(d.integer(0)) + " has no weights file; ";
            else if (rm::sha256File(path) != d.text(2))
                problem +=
                    "done run " + std::to_string(d.integer(0)) + ": weights differ from their SHA-256; ";
        }
        return problem;
    }

    void prepareMining()
    {
        if (!m_mineBase.empty()) return;
        if (m_trainRef.empty()) { // the train point did not run: train once here
            m_trainRef = dir("train-ref") + "/p.rmproj";
            copyProject(m_trainBase, m_trainRef);
            fs::create_symlink(fs::path(m_trainBase).parent_path() / "images", dir("train-ref") + "/images");
            mustRun(trainArgs(m_trainRef), dir("train-ref"));
        }
        // The trained project holding an earlier mined 'cands' catalog: committed before any kill, so it must
        // never vanish (the rerun replaces it, whole).
        m_mineBase = m_c.work + "/mine-base.rmproj";
        copyProject(m_trainRef, m_mineBase);
        fs::create_symlink(fs::path(m_trainBase).parent_path() / "images", m_c.work + "/images");
        mustRun(mineArgs(m_mineBase, dir("mine-prior")), dir("mine-prior"));
    }

    std::vector<std::string> mineArgs(const std::string& project, const std::string& out) const
    {
        return {"mine",        project,  "--run",  "best",  "--catalog",    "parent",
                "--images",    "parent", "--out",  out,     "--shard-size", "8",
                "--threshold", "0.5",    "--name", "cands", "--json"};
    }
    static std::string mineState(rm::Database& db, const std::string& out, std::string& problem)
    {
        std::string s = catalogState(db, "cands", problem);
        for (const char* f : {"rings.csv", "rings.fits", "rings.provenance.json"})
            s += std::string("\n") + f + " " +
                 (fs::exists(out + "/" + f) ? rm::sha256File(out + "/" + f) : "-");
        return s;
    }

    static std::string jsonString(const std::string& json, const std::string& key)
    {
        const std::string k = "\"" + key + "\":\"";
        const auto p = json.find(k);
        if (p == std::string::npos) return {};
        const auto e = json.find('"', p + k.size());
        return json.substr(p + k.size(), e - p - k.size());
    }

    // --- one point: a reference run, then kills ---

    struct Trial
    {
        std::string project, out;
    };

    Trial newTrial(const std::string& point, int n)
    {
        const std::string d = m_c.work + "/" + point + "-" + std::to_string(n);
        fs::remove_all(d);
        fs::create_directories(d);
        Trial t{d + "/p.rmproj", d + "/mined"};
        if (point == "import") copyProject(m_importBase, t.project);
        if (point == "targets" || point == "labels") copyProject(m_targetsBase, t.project);
        if (point == "train" || point == "mine") {
            copyProject(point == "train" ? m_trainBase : m_mineBase, t.project);
            // The demo project's image source is the images/ folder beside it.
            fs::create_symlink(fs::path(m_trainBase).parent_path() / "images", d + "/images");
        }
        return t;
    }

    ProcResult start(const std::string& point, const Trial& t, RunOptions o)
    {
        const std::string d = fs::path(t.project).parent_path().string();
        if (point == "import") return cli(importArgs(t.project), d, o);
        if (point == "targets") return cli(targetsArgs(t.project), d, o);
        if (point == "labels") return runProcess(labelArgs(t.project), d, o);
        if (point == "train") return cli(trainArgs(t.project), d, o);
        return cli(mineArgs(t.project, t.out), d, o);
    }

    std::string finalState(const std::string& point, const Trial& t, std::string& problem)
    {
        rm::Database db(t.project, false);
        if (point == "import") return catalogState(db, "wide", problem);
        if (point == "targets") return targetSetState(db, problem);
        if (point == "labels") return labelsState(db);
        if (point == "train") return trainState(db);
        return mineState(db, t.out, problem);
    }

    PointResult soak(const std::string& point)
    {
        PointResult res;
        res.name = point;
        // The reference: never killed.
        const Trial ref = newTrial(point, 0);
        const ProcResult whole = start(point, ref, {});
        if (whole.exitCode != 0) throw SetupError(point + ": the unkilled run failed:\n" + whole.err);
        res.referenceSeconds = whole.seconds;
        std::string problem;
        const std::string reference = finalState(point, ref, problem);
        if (!problem.empty()) throw SetupError(point + ": the unkilled run left: " + problem);
        if (point == "import") m_importRef = ref.project; // the targets point builds on it
        if (point == "train") m_trainRef = ref.project;   // the mining point mines with its run
        m_c.log(point + ": unkilled run " + std::to_string(whole.seconds).substr(0, 5) + " s");

        std::mt19937 random(m_c.seed * 1000003u + std::hash<std::string>()(point) % 1000u);
        // The kill lands between 10% and 85% of an unkilled run (start-up included: a kill there must be
        // harmless too).
        std::uniform_real_distribution<double> when(0.10 * whole.seconds, 0.85 * whole.seconds);
        for (int n = 1; res.kills < m_c.killsPerPoint && res.trials < 3 * m_c.killsPerPoint; ++n) {
            ++res.trials;
            const Trial t = newTrial(point, n);
            RunOptions o;
            o.killAfter = when(random);
            const ProcResult killed = start(point, t, o);
            char head[160];
            std::snprintf(head, sizeof head, "%s #%d (seed %u): kill at %.3f s", point.c_str(), n, m_c.seed,
                          o.killAfter);
            if (killed.killed)
                ++res.kills;
            else
                ++res.endedBeforeKill;
            std::string why = check(point, t, killed, reference, res);
            if (why.empty()) {
                ++res.passes;
                fs::remove_all(fs::path(t.project).parent_path());
            } else {
                ++res.failures;
                res.messages.push_back(std::string(head) + ": " + why);
            }
            m_c.log(std::string(head) + (killed.killed ? "" : " (it had ended)") + ": " +
                    (why.empty() ? "pass" : why));
        }
        return res;
    }

    // After the kill, then after the rerun. "" when all holds, else what did not.
    std::string check(const std::string& point, const Trial& t, const ProcResult& killed,
                      const std::string& reference, PointResult& res)
    {
        const std::string integrity = integrityCheck(t.project);
        if (integrity != "ok") return "integrity_check after the kill: " + integrity;
        std::string problem;
        std::string after;
        std::vector<std::string> epochsBefore;
        {
            rm::Database db(t.project, false);
            try {
                after = finalState(point, t, problem);
            } catch (const std::exception& e) {
                return std::string("reading the killed project: ") + e.what();
            }
            if (!problem.empty()) return "half-visible state after the kill: " + problem;
            if (point == "import" || point == "targets") {
                // All or nothing: what is there is exactly the finished result.
                if (!after.empty() && after != reference)
                    return "a partial " + point + " is visible: " + after.substr(0, 80);
            }
            if (point == "labels") {
                // Every label the controller acknowledged is in the project.
                std::istringstream acks(killed.out);
                int acked = 0;
                for (std::string word, row, label; acks >> word >> row >> label;) {
                    if (word != "ack") break;
                    ++acked;
                    const auto stored = db.queryText("SELECT label FROM label_events WHERE catalog_id = "
                                                     "(SELECT id FROM catalogs WHERE name = "
                                                     "'rings') AND row = " +
                                                     row + " ORDER BY id DESC LIMIT 1");
                    if (stored.value_or("") != label)
                        return "acknowledged label of row " + row + " (" + label +
                               ") lost: the project has '" + stored.value_or("nothing") + "'";
                }
                const std::int64_t events = queryInt(db, "SELECT count(*) FROM label_events");
                // At most one label more than acknowledged: the one committed just before the kill.
                if (events < acked || events > acked + 1)
                    return std::to_string(acked) + " labels acknowledged but " + std::to_string(events) +
                           " stored";
            }
            if (point == "mine" && after.rfind("\n", 0) == 0)
                return "the candidates catalog mined before the kill vanished";
            if (point == "train") {
                problem = runProblems(db);
                if (!problem.empty()) return "after the kill: " + problem;
                epochsBefore = committedEpochs(db);
            }
        }

        // Run it again: it completes, to the same state as the unkilled run.
        bool rerun = true;
        if ((point == "import" || point == "targets") && after == reference)
            rerun = false; // it had committed
        if (rerun) {
            const ProcResult again = start(point, t, {});
            if (again.exitCode != 0)
                return "the rerun failed (exit " + std::to_string(again.exitCode) +
                       "): " + again.err.substr(0, 400);
            if (killed.killed) res.resumeSeconds.push_back(again.seconds);
        }
        const std::string integrity2 = integrityCheck(t.project);
        if (integrity2 != "ok") return "integrity_check after the rerun: " + integrity2;
        const std::string final = finalState(point, t, problem);
        if (!problem.empty()) return "after the rerun: " + problem;
        if (final != reference) {
            std::size_t at = 0;
            while (at < final.size() && at < reference.size() && final[at] == reference[at])
                ++at;
            const std::size_t from = at > 60 ? at - 60 : 0;
            return "the rerun's result differs from the unkilled run's at byte " + std::to_string(at) +
                   ":\n  killed+rerun: ..." + final.substr(from, 160) + "\n  unkilled:     ..." +
                   reference.substr(from, 160);
        }
        if (point == "train") {
            rm::Database db(t.project, false);
            problem = runProblems(db);
            if (!problem.empty()) return "after the rerun: " + problem;
            const auto epochsAfter = committedEpochs(db);
            for (const auto& e : epochsBefore)
                if (std::find(epochsAfter.begin(), epochsAfter.end(), e) == epochsAfter.end())
                    return "an epoch committed before the kill changed or vanished: " + e;
        }
        if (point == "mine") {
            for (const auto& e : fs::directory_iterator(t.out + "/shards"))
                if (e.path().filename().string().find(".tmp") != std::string::npos)
                    return "a half-written shard was left: " + e.path().string();
        }
        return {};
    }
};

} // namespace rmkill
