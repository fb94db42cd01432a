// The FITS table reader (binary and ASCII tables through cfitsio) as `catalog import` calls it: lying
// NAXIS2/TFORM, truncated data, odd column types.
#include "FuzzSupport.h"

#include "catalog/CatalogReader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    rm::ImportOptions options;
    options.format = rm::CatalogFormat::Fits;
    options.onBadRow = rm::BadRowPolicy::Skip;
    const std::string path = rm::fuzz::scratchFile("catalog.fits", data, size);
    RM_FUZZ_EXPECT_ERRORS({
        const auto catalog = rm::importCatalog(path, options);
        if (catalog.ra.size() != catalog.table.rowCount()) __builtin_trap();
    });
    return 0;
}
