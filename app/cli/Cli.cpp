#include "Cli.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

namespace rm::cli {

Args::Args(std::vector<std::string> positionals, std::map<std::string, std::vector<std::string>> options,
           std::set<std::string> flags)
    : m_positionals(std::move(positionals)), m_options(std::move(options)), m_flags(std::move(flags))
{
}

const std::string& Args::positional(std::size_t n, const char* what) const
{
    if (n >= m_positionals.size()) throw UsageError(std::string("missing ") + what);
    return m_positionals[n];
}

bool Args::flag(const std::string& name) const
{
    return m_flags.count(name) > 0;
}

std::optional<std::string> Args::option(const std::string& name) const
{
    auto it = m_options.find(name);
    if (it == m_options.end() || it->second.empty()) return std::nullopt;
    return it->second.back();
}

std::string Args::option(const std::string& name, const std::string& fallback) const
{
    return option(name).value_or(fallback);
}

std::vector<std::string> Args::options(const std::string& name) const
{
    auto it = m_options.find(name);
    return it == m_options.end() ? std::vector<std::string>{} : it->second;
}

double Args::number(const std::string& name, double fallback) const
{
    auto v = option(name);
    if (!v) return fallback;
    try {
        std::size_t used = 0;
        double d = std::stod(*v, &used);
        if (used != v->size()) throw std::invalid_argument("trailing");
        return d;
    } catch (const std::exception&) {
        throw UsageError("--" + name + " expects a number, got '" + *v + "'");
    }
}

long long Args::integer(const std::string& name, long long fallback) const
{
    auto v = option(name);
    if (!v) return fallback;
    try {
        std::size_t used = 0;
        long long d = std::stoll(*v, &used);
        if (used != v->size()) throw std::invalid_argument("trailing");
        return d;
    } catch (const std::exception&) {
        throw UsageError("--" + name + " expects an integer, got '" + *v + "'");
    }
}

void Args::allowOnly(const std::set<std::string>& optionNames, const std::set<std::string>& flagNames) const
{
    for (const auto& [k, v] : m_options)
        if (!optionNames.count(k)) throw UsageError("unknown option --" + k);
    for (const auto& f : m_flags)
        if (!flagNames.count(f) && f != "json") throw UsageError("unknown flag --" + f);
}

static std::map<std::string, Verb>& registry()
{
    static std::map<std::string, Verb> r;
    return r;
}

VerbRegistrar::VerbRegistrar(Verb verb)
{
    auto name = verb.name;
    registry().emplace(std::move(name), std::move(verb));
}

const std::map<std::string, Verb>& verbs()
{
    return registry();
}

Progress::Progress(std::string label) : m_label(std::move(label)) {}

static double nowSeconds()
{
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

bool Progress::operator()(std::size_t done, std::size_t total)
{
    double t = nowSeconds();
    if (m_lastReport >= 0 && t - m_lastReport < 0.2 && done != total) return true;
    m_lastReport = t;
    if (total > 0)
        std::fprintf(stderr, "%s: %zu/%zu (%.0f%%)\n", m_label.c_str(), done, total, 100.0 * done / total);
    else
        std::fprintf(stderr, "%s: %zu\n", m_label.c_str(), done);
    return true;
}

void Progress::finish(const std::string& message)
{
    std::fprintf(stderr, "%s: done%s%s\n", m_label.c_str(), message.empty() ? "" : ", ", message.c_str());
}

std::string formatDuration(double seconds)
{
    if (!(seconds >= 0)) return "-";
    char buf[64];
    if (seconds < 10)
        std::snprintf(buf, sizeof buf, "%.2f s", seconds);
    else if (seconds < 60)
        std::snprintf(buf, sizeof buf, "%.1f s", seconds);
    else if (seconds < 3600) {
        const long s = std::lround(seconds);
        std::snprintf(buf, sizeof buf, "%ld min %02ld s", s / 60, s % 60);
    } else {
        const long m = std::lround(seconds / 60);
        std::snprintf(buf, sizeof buf, "%ld h %02ld min", m / 60, m % 60);
    }
    return buf;
}

void printSummary(const Args& args, const nlohmann::json& summary, const std::string& humanText)
{
    if (!humanText.empty())
        (args.json() ? std::cerr : std::cout) << humanText << (humanText.back() == '\n' ? "" : "\n");
    // Text from a file (a Latin-1 column name, a garbled cell) may not be UTF-8: it is printed with U+FFFD
    // in place of the bad bytes rather than throwing from dump().
    if (args.json())
        std::cout << summary.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
}

} // namespace rm::cli
