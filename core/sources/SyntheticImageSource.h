#pragma once
// Synthetic galaxy cutouts rendered on demand from a catalog column, with no files: each galaxy's image is a
// pure function of the spec and its id, so a catalog of any length (a million generated rows for a scale
// test) can be mined without a million files on disk. Whether a galaxy has a ring is drawn from the same
// hash, with `ring_fraction`; ringTruth() tells it, so a test can check what a model finds.
// Spec: {"kind":"synthetic","id_column":"id","size":64,"seed":42,"ring_fraction":0.5}
#include "sources/ImageSource.h"

#include <cstdint>

namespace rm {

class SyntheticImageSource : public ImageSource
{
public:
    SyntheticImageSource(std::string idColumn, int size, std::uint64_t seed, double ringFraction);
    // Throws rm::Error for a bad value (size outside 8..1024, ring_fraction outside 0..1, a non-string
    // id_column).
    static std::unique_ptr<SyntheticImageSource> fromSpec(const nlohmann::json& spec);

    std::string kind() const override { return "synthetic"; }
    nlohmann::json spec() const override;
    // Throws ImageMissingError when the galaxy has no id column or a blank id.
    Image load(const GalaxyRef& galaxy) const override;
    std::string locate(const GalaxyRef&) const override { return {}; }
    ImagePresence probe(const GalaxyRef& galaxy) const override;

    bool ringTruth(const std::string& id) const;

private:
    std::uint64_t galaxySeed(const std::string& id) const;

    std::string m_idColumn;
    int m_size;
    std::uint64_t m_seed;
    double m_ringFraction;
};

} // namespace rm
