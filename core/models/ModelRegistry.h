#pragma once
// Architectures by name, the way timm registers them (@register_model): one builder per name, plus tiny
// variants of the same code paths for fast CPU tests.
//
// Adding an architecture (say ConvNeXt-nano): write core/models/ConvNeXt.cpp with the encoder and a
// `void registerConvNeXtModels()` that calls registerModel(...), then add that function to the list in
// BuiltinModels.cpp. Registration is an explicit call list rather than static registrar objects on purpose:
// ringminer_core is a static library, and the linker drops an object file nothing references, taking a
// static registrar (and the model) with it.
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace rm {

class Encoder;
struct EncoderOptions;

using EncoderBuilder = std::function<std::shared_ptr<Encoder>(const EncoderOptions&)>;

enum class ModelKind
{
    Standard, // a real architecture (timm names, so pretrained weights load)
    Tiny      // reduced width/depth for tests; no pretrained weights exist
};

// Throws rm::Error if the name is already taken.
void registerModel(const std::string& name, EncoderBuilder builder, ModelKind kind = ModelKind::Standard);

bool isRegisteredModel(const std::string& name);
// Sorted names; tiny variants only when asked for.
std::vector<std::string> registeredModels(bool includeTiny = false);
// Throws rm::Error listing the known names if `name` is not registered.
std::shared_ptr<Encoder> createEncoder(const std::string& name, const EncoderOptions& options);

// Registers every architecture compiled into ringminer_core (BuiltinModels.cpp). Called once, lazily, by the
// functions above; calling it again does nothing.
void registerBuiltinModels();

} // namespace rm
