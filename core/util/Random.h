#pragma once
// Deterministic randomness that gives the same numbers with every compiler and standard library: the standard
// distributions (and std::shuffle) are implementation-defined, so target sets, splits and augmentation draw
// from SplitMix64 through these helpers instead.
#include <cstdint>
#include <utility>
#include <vector>

namespace rm {

class SplitMix64
{
public:
    explicit SplitMix64(std::uint64_t seed) : m_state(seed) {}
    std::uint64_t next()
    {
        std::uint64_t z = (m_state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
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

template <typename T> void deterministicShuffle(std::vector<T>& v, SplitMix64& rng)
{
    for (std::size_t i = v.size(); i > 1; --i)
        std::swap(v[i - 1], v[rng.below(i)]);
}

} // namespace rm
