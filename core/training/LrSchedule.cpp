#include "training/LrSchedule.h"

#include "util/Error.h"

#include <algorithm>
#include <cmath>

namespace rm {

LrSchedule::LrSchedule(double baseLr, double minLr, long warmupSteps, long totalSteps)
    : m_baseLr(baseLr), m_minFactor(baseLr > 0 ? minLr / baseLr : 0), m_warmup(std::max(0L, warmupSteps)),
      m_total(std::max(1L, totalSteps))
{
    if (!(baseLr > 0) || !(minLr >= 0) || minLr > baseLr)
        throw Error("learning-rate schedule: need 0 <= min <= base and base > 0");
}

double LrSchedule::factor(long step) const
{
    step = std::max(0L, step);
    // Warm-up counts the step being taken, so the first step already moves (lr = base / warmup, not 0).
    if (step < m_warmup) return double(step + 1) / double(m_warmup);
    const long decaySteps = std::max(1L, m_total - m_warmup);
    const double progress = std::min(1.0, double(step - m_warmup) / double(decaySteps));
    const double pi = std::acos(-1.0);
    return m_minFactor + (1.0 - m_minFactor) * 0.5 * (1.0 + std::cos(pi * progress));
}

} // namespace rm
