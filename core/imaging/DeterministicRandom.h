#pragma once
// Random numbers that are the same on every platform and thread count: the standard distributions and
// std::shuffle are implementation-defined, so augmentation and epoch order use this small generator instead.
// Every image's randomness is derived from (seed, epoch, index) alone, so which worker thread draws it and in
// which order never changes the result.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace rm {

inline std::uint64_t splitMix64(std::uint64_t& state)
{
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// A well-mixed seed for one (seed, epoch, index) triple.
inline std::uint64_t mixSeed(std::uint64_t seed, std::uint64_t epoch, std::uint64_t index)
{
    std::uint64_t s = seed;
    std::uint64_t a = splitMix64(s) ^ epoch;
    std::uint64_t b = splitMix64(a) ^ index;
    return splitMix64(b);
}

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

} // namespace rm
