// The one list of architectures compiled into ringminer_core (see ModelRegistry.h for why it is a list).
#include "models/ModelRegistry.h"

#include <mutex>

namespace rm {

// Each defined in its architecture's .cpp.
void registerEfficientNetModels();
void registerResNetModels();
void registerSimpleCnnModels();

void registerBuiltinModels()
{
    static std::once_flag once;
    std::call_once(once, [] {
        registerEfficientNetModels();
        registerResNetModels();
        registerSimpleCnnModels();
    });
}

} // namespace rm
