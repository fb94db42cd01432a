// ringminer-cli: dispatches "VERB [SUBVERB] args..." to the registered verbs.
#include "Cli.h"

#include "util/Error.h"

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

int main(int argc, char** argv)
{
    std::vector<std::string> words(argv + 1, argv + argc);
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
        std::fprintf(stderr, "ringminer-cli: unknown command '%s' (see ringminer-cli --help)\n",
                     words[0].c_str());
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
        if (args.json()) std::cout << nlohmann::json{{"ok", false}, {"error", e.what()}}.dump() << std::endl;
        return 1;
    }
}
