#pragma once
// Cutouts decoded off the GUI thread into a byte-budgeted cache. Views ask only for what they paint, so a
// grid of 100,000 galaxies decodes just the screenful in view. Requests are served newest first and the queue
// is short: when the user scrolls past a page, its stale requests are dropped rather than decoded. Images
// cross threads as QImage; views make their QPixmaps on the GUI thread.
#include "selection/GalaxyId.h"

#include <QCache>
#include <QHash>
#include <QImage>
#include <QObject>
#include <QSet>
#include <QThreadPool>

#include <deque>

namespace rm::ui {

class ProjectSession;

struct ImageRequest
{
    GalaxyId id;
    int edge = 0; // longest side in pixels; 0 = as stored

    friend bool operator==(const ImageRequest& a, const ImageRequest& b)
    {
        return a.id == b.id && a.edge == b.edge;
    }
};
inline size_t qHash(const ImageRequest& r, size_t seed = 0)
{
    return qHashMulti(seed, r.id, r.edge);
}

class ThumbnailLoader : public QObject
{
    Q_OBJECT
public:
    // Thumbnails are decoded once at this size; the zoom slider only scales them down.
    static constexpr int kThumbnailEdge = 256;
    static constexpr int kMaxQueued = 300;

    explicit ThumbnailLoader(ProjectSession& session, QObject* parent = nullptr);
    ~ThumbnailLoader() override; // drops queued work and waits for running decodes

    QImage image(const GalaxyId& id, int edge = kThumbnailEdge) const; // null until loaded
    QString failure(const GalaxyId& id) const;                         // why it has no image; empty if none
    // Queues a load unless it is cached, failed or already queued; imageReady / imageFailed follow.
    void request(const GalaxyId& id, int edge = kThumbnailEdge);
    void forgetFailures(); // e.g. after the image source changed

    void setBudgetBytes(qint64 bytes);
    qint64 budgetBytes() const { return m_cache.maxCost(); }
    qint64 cachedBytes() const { return m_cache.totalCost(); }
    int requestsMade() const { return m_requested; } // for tests: proves only visible items were asked for
    int loadsStarted() const { return m_started; }
    int pendingCount() const { return int(m_pending.size()) + m_running; }

Q_SIGNALS:
    void imageReady(rm::ui::GalaxyId id, int edge);
    void imageFailed(rm::ui::GalaxyId id, QString message);

private:
    void pump();
    void finish(const ImageRequest& request, const QImage& image, const QString& error);

    ProjectSession& m_session;
    QThreadPool m_pool;
    mutable QCache<ImageRequest, QImage> m_cache;
    QHash<GalaxyId, QString> m_failures;
    std::deque<ImageRequest> m_pending; // newest first
    QSet<ImageRequest> m_inFlight;      // queued or running
    int m_running = 0;
    int m_requested = 0;
    int m_started = 0;
};

} // namespace rm::ui
