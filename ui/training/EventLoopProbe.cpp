#include "training/EventLoopProbe.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace rm::ui {

EventLoopProbe::EventLoopProbe(int intervalMs, QObject* parent) : QObject(parent), m_intervalMs(intervalMs)
{
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &EventLoopProbe::tick);
}

void EventLoopProbe::start()
{
    m_lateMs.clear();
    m_lateMs.reserve(1 << 16);
    m_clock.start();
    m_lastNs = m_clock.nsecsElapsed();
    m_timer.start();
}

void EventLoopProbe::stop()
{
    m_timer.stop();
}

void EventLoopProbe::tick()
{
    const qint64 now = m_clock.nsecsElapsed();
    const double late = double(now - m_lastNs) / 1e6 - m_intervalMs;
    m_lastNs = now;
    m_lateMs.push_back(std::max(0.0, late));
}

double EventLoopProbe::worstMs() const
{
    return m_lateMs.empty() ? 0 : *std::max_element(m_lateMs.begin(), m_lateMs.end());
}

double EventLoopProbe::percentileMs(double p) const
{
    if (m_lateMs.empty()) return 0;
    std::vector<double> sorted = m_lateMs;
    std::sort(sorted.begin(), sorted.end());
    const double rank = std::clamp(p, 0.0, 100.0) / 100.0 * double(sorted.size() - 1);
    return sorted[std::size_t(std::lround(rank))];
}

double EventLoopProbe::meanMs() const
{
    return m_lateMs.empty()
               ? 0
               : std::accumulate(m_lateMs.begin(), m_lateMs.end(), 0.0) / double(m_lateMs.size());
}

} // namespace rm::ui
