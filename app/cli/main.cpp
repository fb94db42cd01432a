// ringminer-cli: dispatches "VERB [SUBVERB] args..." to the registered verbs.
#include "Cli.h"

#include "util/Error.h"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>

using namespace rm::cli;

static void printHelp()
{
    std::printf("ringminer-cli %s: find ring galaxies from the command line\n\nusage:\n", RINGMINER_VERSION);
    for (const auto& [name, verb] : verbs())
        std::printf("  ringminer-cli %s %s\n      %s\n", name.c_str(), verb.usage.c_str(), verb.help.c_str());
    std::printf(
        "\nEvery verb takes --json to print one machine-readable summary as its last line of output.\n");
}

// docs/cli-reference.md is this output (app_test_cli_reference fails when they differ), so the guide's
// command reference cannot drift from the program. No version in it: it would change with every release.
static void printMarkdownReference()
{
    std::printf("# ringminer-cli command reference\n\n"
                "Generated from the program: `ringminer-cli help --markdown > docs/cli-reference.md` (a test "
                "fails when this file and the program disagree). Every verb takes `--json` to print one "
                "machine-readable summary as its last line of output, and `--help` for its own usage.\n");
    std::string group;
    for (const auto& [name, verb] : verbs()) {
        const std::string first = name.substr(0, name.find(' '));
        if (first != group) {
            group = first;
            std::printf("\n## %s\n", group.c_str());
        }
        std::printf("\n### `ringminer-cli %s`\n\n```\nringminer-cli %s %s\n```\n\n%s\n", name.c_str(),
                    name.c_str(), verb.usage.c_str(), verb.help.c_str());
    }
}

// Edit distance between two words, for "did you mean" suggestions.
static std::size_t editDistance(const std::string& a, const std::string& b)
{
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = up;
        }
    }
    return row[b.size()];
}

// Names the word that is wrong: a typo in a sub-verb ("catalog improt") blames the sub-verb, not "catalog",
// and the nearest known name is suggested when it is close.
static std::string unknownCommandMessage(const std::vector<std::string>& words)
{
    std::vector<std::string> group; // sub-verbs of words[0] when words[0] is a verb group ("catalog")
    std::vector<std::string> tops;  // first words of every verb
    for (const auto& [name, v] : verbs()) {
        const auto sp = name.find(' ');
        const std::string first = name.substr(0, sp);
        if (tops.empty() || tops.back() != first) tops.push_back(first);
        if (sp != std::string::npos && first == words[0]) group.push_back(name.substr(sp + 1));
    }
    auto nearest = [](const std::string& word, const std::vector<std::string>& names) -> std::string {
        std::string best;
        std::size_t bestDistance = std::max<std::size_t>(2, word.size() / 3) + 1;
        for (const auto& n : names) {
            const std::size_t d = editDistance(word, n);
            if (d < bestDistance) {
                bestDistance = d;
                best = n;
            }
        }
        return best;
    };
    if (!group.empty()) {
        std::string list;
        for (const auto& g : group)
            list += (list.empty() ? "" : ", ") + g;
        if (words.size() < 2)
            return "'" + words[0] + "' needs a sub-command: one of " + list + " (see ringminer-cli --help)";
        std::string message = "unknown '" + words[0] + "' sub-command '" + words[1] + "'";
        const std::string guess = nearest(words[1], group);
        if (!guess.empty()) message += "; did you mean '" + words[0] + " " + guess + "'?";
        return message + " ('" + words[0] + "' sub-commands: " + list + ")";
    }
    std::string message = "unknown command '" + words[0] + "'";
    const std::string guess = nearest(words[0], tops);
    if (!guess.empty()) message += "; did you mean '" + guess + "'?";
    return message + " (see ringminer-cli --help)";
}

int main(int argc, char** argv)
{
    // Past a file-size limit (ulimit -f) a write fails with EFBIG, which the store reports as "disk full or
    // file too large" with the file, instead of the process dying silently by SIGXFSZ.
    std::signal(SIGXFSZ, SIG_IGN);
    std::vector<std::string> words(argv + 1, argv + argc);
    if (words.size() == 2 && words[0] == "help" && words[1] == "--markdown") {
        printMarkdownReference();
        return 0;
    }
    if (words.empty() || words[0] == "--help" || words[0] == "-h" || words[0] == "help") {
        printHelp();
        return words.empty() ? 2 : 0;
    }
    if (words[0] == "--version") {
        std::printf("ringminer-cli %s\n", RINGMINER_VERSION);
        return 0;
    }
    // The longest registered verb name that prefixes the words ("catalog import" before "catalog").
    const Verb* verb = nullptr;
    std::size_t used = 0;
    for (const auto& [name, v] : verbs()) {
        std::vector<std::string> parts;
        std::size_t start = 0, sp;
        while ((sp = name.find(' ', start)) != std::string::npos) {
            parts.push_back(name.substr(start, sp - start));
            start = sp + 1;
        }
        parts.push_back(name.substr(start));
        if (parts.size() > words.size() || parts.size() <= used) continue;
        if (std::equal(parts.begin(), parts.end(), words.begin())) {
            verb = &v;
            used = parts.size();
        }
    }
    if (!verb) {
        std::fprintf(stderr, "ringminer-cli: %s\n", unknownCommandMessage(words).c_str());
        return 2;
    }

    std::vector<std::string> positionals;
    std::map<std::string, std::vector<std::string>> options;
    std::set<std::string> flags;
    for (std::size_t i = used; i < words.size(); ++i) {
        const std::string& w = words[i];
        if (w.size() > 2 && w.compare(0, 2, "--") == 0) {
            std::string key = w.substr(2), value;
            auto eq = key.find('=');
            if (eq != std::string::npos) {
                value = key.substr(eq + 1);
                key = key.substr(0, eq);
                options[key].push_back(value);
            } else if (key == "json" || key == "help" || verb->flags.count(key)) {
                flags.insert(key);
            } else if (i + 1 < words.size()) {
                options[key].push_back(words[++i]);
            } else {
                std::fprintf(stderr, "ringminer-cli %s: --%s needs a value\n", verb->name.c_str(),
                             key.c_str());
                return 2;
            }
        } else {
            positionals.push_back(w);
        }
    }
    Args args(std::move(positionals), std::move(options), std::move(flags));
    if (args.flag("help")) {
        std::printf("ringminer-cli %s %s\n  %s\n", verb->name.c_str(), verb->usage.c_str(),
                    verb->help.c_str());
        return 0;
    }
    try {
        return verb->run(args);
    } catch (const UsageError& e) {
        std::fprintf(stderr, "ringminer-cli %s: %s\nusage: ringminer-cli %s %s\n", verb->name.c_str(),
                     e.what(), verb->name.c_str(), verb->usage.c_str());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ringminer-cli %s: error: %s\n", verb->name.c_str(), e.what());
        if (args.json()) {
            nlohmann::json error{{"ok", false}, {"error", e.what()}};
            // A problem in an input file also says where, field by field, for scripts.
            if (const auto* input = dynamic_cast<const rm::InputError*>(&e)) {
                error["file"] = input->file();
                if (input->row() > 0) error["row"] = input->row();
                if (!input->column().empty()) error["column"] = input->column();
                error["reason"] = input->reason();
            }
            // The message may quote bytes of a file that are not UTF-8: replaced, never a throw here.
            std::cout << error.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
        }
        return 1;
    }
}
