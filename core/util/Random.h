#pragma once
// Deterministic randomness that gives the same numbers with every compiler and standard library: the standard
// distributions (and std::shuffle) are implementation-defined, so target sets, splits, augmentation, epoch
// order and synthetic galaxies all draw from SplitMix64, whose one definition is here.
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace rm {

// SplitMix64's output function: a bijective scramble of 64 bits.
inline std::uint64_t splitMix64Finalize(std::uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// One SplitMix64 step: advances state by the golden-ratio increment and returns the scrambled value.
inline std::uint64_t splitMix64(std::uint64_t& state)
{
    return splitMix64Finalize(state += 0x9E3779B97F4A7C15ull);
}

// A well-mixed seed for one (seed, epoch, index) triple: every image's randomness is derived from these
// alone, so which worker thread draws it and in which order never changes the result.
inline std::uint64_t mixSeed(std::uint64_t seed, std::uint64_t epoch, std::uint64_t index)
{
    std::uint64_t s = seed;
    std::uint64_t a = splitMix64(s) ^ epoch;
    std::uint64_t b = splitMix64(a) ^ index;
    return splitMix64(b);
}

// Target sets, splits and folds. Its below() is Lemire's method; DeterministicRandom's (augmentation and
// epoch order) is rejection by modulo. Both are kept as they are because stored seeds must keep giving
// the same target sets and the same training runs.
class SplitMix64
{
public:
    explicit SplitMix64(std::uint64_t seed) : m_state(seed) {}
    std::uint64_t next() { return splitMix64(m_state); }
    // Uniform in [0, n) without modulo bias (Lemire's method).
    std::uint64_t below(std::uint64_t n)
    {
        if (n == 0) return 0;
        unsigned __int128 m = static_cast<unsigned __int128>(next()) * n;
        std::uint64_t low = static_cast<std::uint64_t>(m);
        if (low < n) {
            const std::uint64_t threshold = -n % n;
            while (low < threshold) {
                m = static_cast<unsigned __int128>(next()) * n;
                low = static_cast<std::uint64_t>(m);
            }
        }
        return static_cast<std::uint64_t>(m >> 64);
    }
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; } // [0, 1)

private:
    std::uint64_t m_state;
};

// Augmentation and epoch order.
class DeterministicRandom
{
public:
    explicit DeterministicRandom(std::uint64_t seed) : m_state(seed) {}

    std::uint64_t next() { return splitMix64(m_state); }
    // Uniform in [0, 1) with 53 random bits.
    double uniform() { return (next() >> 11) * (1.0 / 9007199254740992.0); }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    bool coin() { return (next() >> 63) != 0; }
    // Uniform integer in [0, n) (n > 0), without modulo bias.
    std::uint64_t below(std::uint64_t n)
    {
        const std::uint64_t limit = ~std::uint64_t(0) - (~std::uint64_t(0) % n);
        std::uint64_t r;
        do
            r = next();
        while (r >= limit);
        return r % n;
    }

    // Fisher-Yates, reproducible everywhere.
    template <typename T> void shuffle(std::vector<T>& v)
    {
        for (std::size_t i = v.size(); i > 1; --i)
            std::swap(v[i - 1], v[below(i)]);
    }

private:
    std::uint64_t m_state;
};

template <typename T> void deterministicShuffle(std::vector<T>& v, SplitMix64& rng)
{
    for (std::size_t i = v.size(); i > 1; --i)
        std::swap(v[i - 1], v[rng.below(i)]);
}

} // namespace rm
