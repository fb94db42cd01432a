#pragma once
// Bounds on wall time in tests. A bound catches a gross regression (work moved onto the GUI thread, an
// O(n^2) scan), not a few percent: the strict figures are the benchmarks' (bench/, docs/benchmarks.md). Every
// bound is multiplied by timeScale(), so the same test passes under a sanitizer build or a loaded machine:
//   - RINGMINER_SANITIZED (tests/CMakeLists.txt defines it when RINGMINER_SANITIZE is ON: AddressSanitizer
//     and UBSan make this code 3-10x slower): 10;
//   - RINGMINER_TIME_SCALE=F in the environment (F >= 1; valgrind, a machine shared with builds): F.
#include <cstdlib>

namespace rmtest {

inline double timeScale()
{
    if (const char* env = std::getenv("RINGMINER_TIME_SCALE")) {
        const double f = std::atof(env);
        if (f >= 1) return f;
    }
#ifdef RINGMINER_SANITIZED
    return 10.0;
#else
    return 1.0;
#endif
}

// A plain-build bound (seconds, milliseconds, any unit) scaled for this build and machine.
inline double timeBound(double plain)
{
    return plain * timeScale();
}

} // namespace rmtest
