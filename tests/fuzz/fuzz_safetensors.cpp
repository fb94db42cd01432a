// The only weights reader (safetensors): lying header lengths, offsets past the end, shapes whose product
// overflows. Every size comes from the file, so every one must be checked before it is used.
#include "FuzzSupport.h"

#include "models/Safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string path = rm::fuzz::scratchFile("weights.safetensors", data, size);
    RM_FUZZ_EXPECT_ERRORS({
        rm::SafetensorsFile file(path);
        for (const auto& t : file.tensors()) {
            const auto values = file.toFloat(t);
            if (values.size() != static_cast<std::size_t>(t.numel())) __builtin_trap();
            if (t.end - t.begin != static_cast<std::uint64_t>(t.numel()) * rm::dtypeSize(t.dtype))
                __builtin_trap();
        }
    });
    return 0;
}
