#pragma once
// Mapping between safetensors dtypes and LibTorch scalar types, shared by model weights and training
// checkpoints. Includes torch headers: for .cpp files that already use torch, not for widely included
// headers.
#include "models/Safetensors.h"

#include <c10/core/ScalarType.h>

#include <string>

namespace rm {

c10::ScalarType scalarTypeOf(TensorDType t);
// Throws rm::Error naming `key` for a scalar type safetensors cannot hold.
TensorDType tensorDTypeOf(c10::ScalarType t, const std::string& key);

} // namespace rm
