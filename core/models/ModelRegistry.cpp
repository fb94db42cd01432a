#include "models/ModelRegistry.h"

#include "util/Error.h"

#include <map>
#include <mutex>

namespace rm {

namespace {

struct Entry
{
    EncoderBuilder builder;
    ModelKind kind;
};

struct Registry
{
    std::mutex mutex;
    std::map<std::string, Entry> entries;
};

Registry& rawRegistry()
{
    static Registry r;
    return r;
}

// The registry with the built-in models in it. The builtins register through registerModel(), which takes
// the mutex, so this must not hold it while they do.
Registry& registry()
{
    registerBuiltinModels();
    return rawRegistry();
}

} // namespace

void registerModel(const std::string& name, EncoderBuilder builder, ModelKind kind)
{
    if (name.empty() || !builder) throw Error("registerModel: empty name or builder");
    Registry& r = rawRegistry();
    std::lock_guard<std::mutex> lock(r.mutex);
    if (!r.entries.emplace(name, Entry{std::move(builder), kind}).second)
        throw Error("registerModel: a model named '" + name + "' is already registered");
}

bool isRegisteredModel(const std::string& name)
{
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    return r.entries.count(name) > 0;
}

std::vector<std::string> registeredModels(bool includeTiny)
{
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    std::vector<std::string> names;
    for (const auto& [name, entry] : r.entries)
        if (includeTiny || entry.kind == ModelKind::Standard) names.push_back(name);
    return names;
}

std::shared_ptr<Encoder> createEncoder(const std::string& name, const EncoderOptions& options)
{
    Registry& r = registry();
    EncoderBuilder builder;
    {
        std::lock_guard<std::mutex> lock(r.mutex);
        auto it = r.entries.find(name);
        if (it == r.entries.end()) {
            std::string known;
            for (const auto& [n, e] : r.entries)
                known += (known.empty() ? "" : ", ") + n;
            throw Error("unknown model architecture '" + name + "' (known: " + known + ")");
        }
        builder = it->second.builder;
    }
    return builder(options);
}

} // namespace rm
