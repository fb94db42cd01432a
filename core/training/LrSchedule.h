#pragma once
// The learning rate per optimiser step: a linear warm-up to the base rate over the first warmupSteps steps,
// then a half cosine down to the minimum at the end of training (timm's CosineLRScheduler with warm-up, per
// step rather than per epoch so short runs get a smooth ramp). Plain C++, so it can be tested directly.
namespace rm {

class LrSchedule
{
public:
    // baseLr: the rate after warm-up; minLr: where the cosine ends. Steps count from 0 over the whole run.
    LrSchedule(double baseLr, double minLr, long warmupSteps, long totalSteps);

    // The rate at a step (0-based over the whole run).
    double at(long step) const { return m_baseLr * factor(step); }
    // at(step) / baseLr: parameter groups with their own base rate (layer-wise decay) scale by this, so each
    // group's minimum is minLr scaled the same way.
    double factor(long step) const;

    long warmupSteps() const { return m_warmup; }
    long totalSteps() const { return m_total; }

private:
    double m_baseLr;
    double m_minFactor;
    long m_warmup;
    long m_total;
};

} // namespace rm
