#pragma once
// Measures how responsive the GUI thread's event loop is: a precise timer ticks every interval and each
// tick records how late it came (the time since the previous tick minus the interval). A late tick means
// the event loop was busy (or starved of CPU) for that long, which is what a user feels as a stutter.
#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <vector>

namespace rm::ui {

class EventLoopProbe : public QObject
{
    Q_OBJECT
public:
    explicit EventLoopProbe(int intervalMs = 5, QObject* parent = nullptr);

    void start(); // forgets earlier samples
    void stop();
    bool isRunning() const { return m_timer.isActive(); }

    int sampleCount() const { return int(m_lateMs.size()); }
    double worstMs() const;
    double percentileMs(double p) const; // p in [0, 100]
    double meanMs() const;
    const std::vector<double>& samples() const { return m_lateMs; }

private:
    void tick();

    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastNs = 0;
    int m_intervalMs;
    std::vector<double> m_lateMs;
};

} // namespace rm::ui
