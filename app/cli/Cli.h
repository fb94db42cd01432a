#pragma once
// The command-line front end: verbs register themselves with a handler; arguments are parsed into
// positionals and --options. Every verb prints progress on stderr and, with --json, one summary line as the
// very last line of stdout.
#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace rm::cli {

class Args
{
public:
    Args(std::vector<std::string> positionals, std::map<std::string, std::vector<std::string>> options,
         std::set<std::string> flags);

    const std::vector<std::string>& positionals() const { return m_positionals; }
    // The n-th positional (0-based) or throws a usage error naming what.
    const std::string& positional(std::size_t n, const char* what) const;
    bool flag(const std::string& name) const;
    std::optional<std::string> option(const std::string& name) const;
    std::string option(const std::string& name, const std::string& fallback) const;
    std::vector<std::string> options(const std::string& name) const; // every value of a repeatable option
    double number(const std::string& name, double fallback) const;
    long long integer(const std::string& name, long long fallback) const;
    bool json() const { return flag("json"); }
    // Throws a usage error if an option or flag was given that the verb does not know.
    void allowOnly(const std::set<std::string>& optionNames, const std::set<std::string>& flagNames) const;

private:
    std::vector<std::string> m_positionals;
    std::map<std::string, std::vector<std::string>> m_options;
    std::set<std::string> m_flags;
};

class UsageError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

struct Verb
{
    std::string name;            // "catalog import"
    std::string usage;           // "PROJECT FILE --name NAME [--ra COL --dec COL] [--skip-bad] [--json]"
    std::string help;            // one line
    std::set<std::string> flags; // names of valueless options, e.g. {"skip-bad"}; "json" is always allowed
    std::function<int(const Args&)> run;
};

// Registers a verb at static-initialisation time: `static VerbRegistrar r{{...}};` in a cmd_*.cpp file.
struct VerbRegistrar
{
    explicit VerbRegistrar(Verb verb);
};

const std::map<std::string, Verb>& verbs();

// Progress on stderr, throttled to about 5 lines a second plus the final one.
class Progress
{
public:
    explicit Progress(std::string label);
    // Returns true (keep going) so it can be passed straight to core progress callbacks.
    bool operator()(std::size_t done, std::size_t total);
    void finish(const std::string& message = {});

private:
    std::string m_label;
    double m_lastReport = -1;
};

// A duration for people: "0.42 s", "12.3 s", "4 min 05 s", "2 h 03 min" (JSON summaries keep raw seconds).
std::string formatDuration(double seconds);

// Prints the JSON summary as the last line of stdout when --json was given, else the human text.
void printSummary(const Args& args, const nlohmann::json& summary, const std::string& humanText);

} // namespace rm::cli
