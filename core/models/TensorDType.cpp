#include "models/TensorDType.h"

#include "util/Error.h"

#include <torch/types.h>

namespace rm {

c10::ScalarType scalarTypeOf(TensorDType t)
{
    switch (t) {
    case TensorDType::F64:
        return torch::kDouble;
    case TensorDType::F32:
        return torch::kFloat;
    case TensorDType::F16:
        return torch::kHalf;
    case TensorDType::BF16:
        return torch::kBFloat16;
    case TensorDType::I64:
        return torch::kLong;
    case TensorDType::I32:
        return torch::kInt;
    case TensorDType::I16:
        return torch::kShort;
    case TensorDType::I8:
        return torch::kChar;
    case TensorDType::U8:
        return torch::kByte;
    case TensorDType::Bool:
        return torch::kBool;
    }
    throw Error("unknown safetensors dtype");
}

TensorDType tensorDTypeOf(c10::ScalarType t, const std::string& key)
{
    switch (t) {
    case torch::kDouble:
        return TensorDType::F64;
    case torch::kFloat:
        return TensorDType::F32;
    case torch::kHalf:
        return TensorDType::F16;
    case torch::kBFloat16:
        return TensorDType::BF16;
    case torch::kLong:
        return TensorDType::I64;
    case torch::kInt:
        return TensorDType::I32;
    case torch::kShort:
        return TensorDType::I16;
    case torch::kChar:
        return TensorDType::I8;
    case torch::kByte:
        return TensorDType::U8;
    case torch::kBool:
        return TensorDType::Bool;
    default:
        break;
    }
    throw Error("cannot save '" + key + "': dtype " + std::string(c10::toString(t)) +
                " has no safetensors type");
}

} // namespace rm
