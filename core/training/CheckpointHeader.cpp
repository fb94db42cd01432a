#include "training/CheckpointHeader.h"

#include "models/Safetensors.h"
#include "util/Error.h"

namespace rm {

CheckpointHeader readCheckpointHeader(const std::string& path)
{
    SafetensorsFile file(path);
    auto it = file.metadata().find(kCheckpointMetaKey);
    if (it == file.metadata().end()) throw InputError(path, 0, "", "is not a RingMiner training checkpoint");
    try {
        const auto meta = nlohmann::json::parse(it->second);
        if (meta.at("version").get<int>() != kCheckpointFormatVersion)
            throw InputError(path, 0, "",
                             "checkpoint format " + meta.at("version").dump() + " is not supported");
        return {progressFromJson(meta.at("progress")), meta.at("fingerprint")};
    } catch (const nlohmann::json::exception& e) {
        throw InputError(path, 0, "", std::string("checkpoint metadata is unreadable: ") + e.what());
    } catch (const InputError&) {
        throw;
    } catch (const Error& e) {
        throw InputError(path, 0, "", e.what());
    }
}

} // namespace rm
