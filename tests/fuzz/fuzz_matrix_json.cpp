// Experiment matrices as users write them (matrix.json, `train --matrix`): any JSON must load into a valid
// matrix or be refused with rm::Error naming the key, and a loaded matrix must survive its own round trip.
#include "FuzzSupport.h"

#include "training/ExperimentMatrix.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string path = rm::fuzz::scratchFile("matrix.json", data, size);
    RM_FUZZ_EXPECT_ERRORS({
        const auto matrix = rm::ExperimentMatrix::fromFile(path);
        const auto cells = matrix.cells();
        const auto json = matrix.toJson();
        if (rm::ExperimentMatrix::fromJson(json).toJson() != json) __builtin_trap();
        (void)cells;
    });
    return 0;
}
