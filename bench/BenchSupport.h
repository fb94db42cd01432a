#pragma once
// What the benchmarks share: walking their command lines, and the real cutouts several of them read.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace rmbench {

// while (args.next()) { if (args.is("--rows")) rows = args.integer(); else if ... else args.unknown(); }
// A missing or malformed value, or an unknown option, prints what was wrong and exits with status 2.
class BenchArgs
{
public:
    BenchArgs(int argc, char** argv) : m_argc(argc), m_argv(argv) {}

    bool next()
    {
        if (++m_i >= m_argc) return false;
        m_option = m_argv[m_i];
        return true;
    }
    bool is(const char* name) const { return m_option == name; }
    std::string value()
    {
        if (m_i + 1 >= m_argc) fail(m_option + " needs a value");
        return m_argv[++m_i];
    }
    long long integer()
    {
        const std::string v = value();
        try {
            std::size_t used = 0;
            const long long n = std::stoll(v, &used);
            if (used == v.size()) return n;
        } catch (const std::exception&) {
        }
        fail(m_option + " expects a whole number, got '" + v + "'");
    }
    double number()
    {
        const std::string v = value();
        try {
            std::size_t used = 0;
            const double d = std::stod(v, &used);
            if (used == v.size()) return d;
        } catch (const std::exception&) {
        }
        fail(m_option + " expects a number, got '" + v + "'");
    }
    [[noreturn]] void unknown() const { fail("unknown option " + m_option); }

private:
    [[noreturn]] static void fail(const std::string& why)
    {
        std::fprintf(stderr, "%s\n", why.c_str());
        std::exit(2);
    }

    int m_argc;
    char** m_argv;
    int m_i = 0;
    std::string m_option;
};

// Runs a shell command and returns what it printed on stdout; `status` is pclose's. Throws
// std::runtime_error when the command cannot be started.
inline std::string runCommand(const std::string& cmd, int& status)
{
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) throw std::runtime_error("cannot run: " + cmd);
    std::string out;
    char buf[4096];
    while (std::size_t got = std::fread(buf, 1, sizeof buf, p))
        out.append(buf, got);
    status = pclose(p);
    return out;
}

// The same, for a command that must succeed: a failure throws, naming `what`, the command and its output.
inline std::string runChecked(const std::string& cmd, const std::string& what)
{
    int status = 0;
    std::string out = runCommand(cmd, status);
    if (status != 0) throw std::runtime_error(what + " failed: " + cmd + "\n" + out);
    return out;
}

// Full paths of the real Galaxy Zoo DECaLS cutouts that labels.csv lists (empty when the data is absent).
inline std::vector<std::string> realJpegs()
{
    const std::filesystem::path dir =
        std::filesystem::path(RINGMINER_SHARED_DATA) / "images" / "gzdecals_ring470";
    std::ifstream in(dir / "labels.csv");
    std::vector<std::string> files;
    if (!in) return files;
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
        std::stringstream ls(line);
        std::string iauname, file;
        std::getline(ls, iauname, ',');
        std::getline(ls, file, ',');
        if (!file.empty()) files.push_back((dir / file).string());
    }
    return files;
}

} // namespace rmbench
