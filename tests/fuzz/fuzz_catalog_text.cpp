// The text catalog readers (CSV and whitespace tables, the format sniffer, number and position parsing)
// through importCatalog, exactly as `catalog import` calls it. The first byte picks the format and the
// bad-row policy, so one corpus reaches every path.
#include "FuzzSupport.h"

#include "catalog/CatalogReader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 1) return 0;
    rm::ImportOptions options;
    const std::uint8_t choice = data[0];
    static const rm::CatalogFormat formats[] = {rm::CatalogFormat::Auto, rm::CatalogFormat::Csv,
                                                rm::CatalogFormat::Whitespace};
    options.format = formats[choice % 3];
    options.onBadRow = (choice & 0x4) ? rm::BadRowPolicy::Skip : rm::BadRowPolicy::Abort;
    const std::string path =
        rm::fuzz::scratchFile((choice & 0x8) ? "catalog.dat" : "catalog.csv", data + 1, size - 1);
    RM_FUZZ_EXPECT_ERRORS({
        const auto catalog = rm::importCatalog(path, options);
        // What the reader promises its callers: one position per kept row, every one finite and in range.
        if (catalog.ra.size() != catalog.table.rowCount() || catalog.dec.size() != catalog.ra.size() ||
            catalog.sourceRow.size() != catalog.ra.size())
            __builtin_trap();
        for (std::size_t i = 0; i < catalog.ra.size(); ++i)
            if (!(catalog.ra[i] >= 0 && catalog.ra[i] <= 360 && catalog.dec[i] >= -90 &&
                  catalog.dec[i] <= 90))
                __builtin_trap();
    });
    return 0;
}
