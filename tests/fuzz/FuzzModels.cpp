// The fuzz build has no LibTorch, so the networks are registered by name only: the matrix harness needs to
// know which architecture names exist, never to build one. (The real list is core/models/BuiltinModels.cpp.)
#include "models/ModelRegistry.h"
#include "util/Error.h"

#include <mutex>

namespace rm {

void registerBuiltinModels()
{
    static std::once_flag once;
    std::call_once(once, [] {
        auto none = [](const EncoderOptions&) -> std::shared_ptr<Encoder> {
            throw Error("the fuzz build cannot build networks");
        };
        for (const char* name : {"efficientnet_b0", "resnet18", "resnet50", "simple_cnn"})
            registerModel(name, none);
        for (const char* name : {"tiny_efficientnet", "tiny_resnet_basic", "tiny_resnet_bottleneck"})
            registerModel(name, none, ModelKind::Tiny);
    });
}

} // namespace rm
