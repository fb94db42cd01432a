#include "sources/SyntheticImageSource.h"

#include "imaging/ImageErrors.h"
#include "synthetic/SyntheticGalaxy.h"
#include "util/Error.h"
#include "util/Random.h"

namespace rm {

SyntheticImageSource::SyntheticImageSource(std::string idColumn, int size, std::uint64_t seed,
                                           double ringFraction)
    : m_idColumn(std::move(idColumn)), m_size(size), m_seed(seed), m_ringFraction(ringFraction)
{
    if (m_idColumn.empty()) throw Error("synthetic image source: \"id_column\" must not be empty");
    if (m_size < 8 || m_size > 1024)
        throw Error("synthetic image source: \"size\" must be 8..1024 px, got " + std::to_string(m_size));
    if (!(m_ringFraction >= 0 && m_ringFraction <= 1))
        throw Error("synthetic image source: \"ring_fraction\" must be in [0, 1]");
}

std::unique_ptr<SyntheticImageSource> SyntheticImageSource::fromSpec(const nlohmann::json& spec)
{
    try {
        return std::make_unique<SyntheticImageSource>(
            spec.value("id_column", std::string("id")), spec.value("size", 64),
            spec.value("seed", std::uint64_t(42)), spec.value("ring_fraction", 0.5));
    } catch (const nlohmann::json::exception& e) {
        throw Error("synthetic image source: bad spec " + spec.dump() + " (" + e.what() + ")");
    }
}

nlohmann::json SyntheticImageSource::spec() const
{
    return {{"kind", "synthetic"},
            {"id_column", m_idColumn},
            {"size", m_size},
            {"seed", m_seed},
            {"ring_fraction", m_ringFraction}};
}

std::uint64_t SyntheticImageSource::galaxySeed(const std::string& id) const
{
    std::uint64_t h = 0xcbf29ce484222325ull; // FNV-1a over the id's bytes, then mixed with the seed
    for (unsigned char c : id)
        h = (h ^ c) * 0x100000001b3ull;
    return splitMix64Finalize(h ^ splitMix64Finalize(m_seed));
}

bool SyntheticImageSource::ringTruth(const std::string& id) const
{
    return static_cast<double>(galaxySeed(id) >> 11) * 0x1.0p-53 < m_ringFraction;
}

ImagePresence SyntheticImageSource::probe(const GalaxyRef& galaxy) const
{
    const auto id = galaxy.value(m_idColumn);
    return id && !id->empty() ? ImagePresence::Present : ImagePresence::Missing;
}

Image SyntheticImageSource::load(const GalaxyRef& galaxy) const
{
    const auto id = galaxy.value(m_idColumn);
    if (!id)
        throw ImageMissingError({}, galaxy.describe() + " has no column '" + m_idColumn +
                                        "' for the synthetic image source");
    if (id->empty())
        throw ImageMissingError({},
                                galaxy.describe() + " has a blank '" + m_idColumn + "': no synthetic image");
    const std::uint64_t seed = galaxySeed(*id);
    SynthRng rng(seed);
    static constexpr Morphology kDiscs[] = {Morphology::Spiral, Morphology::BarredSpiral,
                                            Morphology::Lenticular, Morphology::TightSpiral};
    const Morphology morphology = kDiscs[rng.integer(0, 3)];
    static constexpr RingType kRings[] = {RingType::Inner, RingType::Outer, RingType::InnerOuter,
                                          RingType::Pseudo};
    const RingType ring = ringTruth(*id) ? kRings[rng.integer(0, 3)] : RingType::None;
    GalaxyParams params = drawGalaxyParams(rng, morphology, ring, m_size);
    return toRgb8(renderGalaxy(params));
}

} // namespace rm
