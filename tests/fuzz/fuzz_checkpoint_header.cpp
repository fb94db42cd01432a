// The trainer checkpoint's header: what resume reads first to decide whether a checkpoint belongs to the
// run (safetensors layer plus the JSON progress and fingerprint in its metadata).
#include "FuzzSupport.h"

#include "training/CheckpointHeader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string path = rm::fuzz::scratchFile("checkpoint.safetensors", data, size);
    RM_FUZZ_EXPECT_ERRORS((void)rm::readCheckpointHeader(path));
    return 0;
}
