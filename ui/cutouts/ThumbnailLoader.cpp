#include "cutouts/ThumbnailLoader.h"

#include "shell/BackgroundPriority.h"

#include "cutouts/ImageConvert.h"
#include "cutouts/ImageSources.h"
#include "imaging/ImageDecode.h"
#include "project/ProjectSession.h"
#include "sources/GalaxyRef.h"
#include "sources/ImageSource.h"
#include "util/Error.h"

#include <QImageReader>

#include <algorithm>
#include <exception>
#include <memory>

namespace rm::ui {

namespace {

// Runs on a pool thread: everything it touches is its own or thread-safe (ImageSource::load).
QImage decode(const rm::ImageSource& source, const rm::GalaxyRef& galaxy, int edge)
{
    QImage image;
    if (rm::imageDecodingAvailable()) {
        image = toQImage(source.load(galaxy));
    } else {
        // A build without OpenCV: Qt's own readers for the same file.
        const QString path = QString::fromStdString(source.locate(galaxy));
        if (path.isEmpty())
            throw rm::Error("this build cannot decode images from a " + source.kind() + " source");
        QImageReader reader(path);
        image = reader.read();
        if (image.isNull()) throw rm::Error(path.toStdString() + ": " + reader.errorString().toStdString());
    }
    if (image.isNull()) throw rm::Error("empty image for " + galaxy.describe());
    if (edge > 0 && (image.width() > edge || image.height() > edge))
        image = image.scaled(edge, edge, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    return image;
}

} // namespace

ThumbnailLoader::ThumbnailLoader(ProjectSession& session, QObject* parent)
    : QObject(parent), m_session(session), m_cache(256LL * 1024 * 1024)
{
    m_pool.setMaxThreadCount(qMax(2, QThread::idealThreadCount()));
}

ThumbnailLoader::~ThumbnailLoader()
{
    m_pending.clear();
    m_pool.clear();
    m_pool.waitForDone();
}

void ThumbnailLoader::setBudgetBytes(qint64 bytes)
{
    m_cache.setMaxCost(qMax<qint64>(bytes, 1024 * 1024));
}

QImage ThumbnailLoader::image(const GalaxyId& id, int edge) const
{
    const QImage* cached = m_cache.object({id, edge});
    return cached ? *cached : QImage();
}

QString ThumbnailLoader::failure(const GalaxyId& id) const
{
    return m_failures.value(id);
}

void ThumbnailLoader::forgetFailures()
{
    m_failures.clear();
}

void ThumbnailLoader::request(const GalaxyId& id, int edge)
{
    const ImageRequest r{id, edge};
    if (m_cache.contains(r) || m_failures.contains(id)) return;
    if (m_inFlight.contains(r)) {
        // Asked again (it is in view again): move it to the front of the queue.
        auto it = std::find(m_pending.begin(), m_pending.end(), r);
        if (it != m_pending.end()) {
            m_pending.erase(it);
            m_pending.push_front(r);
        }
        return;
    }
    ++m_requested;
    m_inFlight.insert(r);
    m_pending.push_front(r);
    while (int(m_pending.size()) > kMaxQueued) {
        m_inFlight.remove(m_pending.back());
        m_pending.pop_back();
    }
    pump();
}

void ThumbnailLoader::pump()
{
    while (m_running < m_pool.maxThreadCount() && !m_pending.empty()) {
        const ImageRequest r = m_pending.front();
        m_pending.pop_front();
        std::shared_ptr<const rm::ImageSource> source;
        rm::GalaxyRef galaxy;
        try {
            // The row is read here on the GUI thread's connection (one primary-key lookup), so the pool
            // threads need no database of their own.
            source = m_session.imageSources().forCatalog(r.id.catalogId);
            galaxy = m_session.record(r.id).galaxyRef();
        } catch (const rm::Error& e) {
            // Reported from the event loop, not from here: request() is called by views while they paint.
            QMetaObject::invokeMethod(
                this, [this, r, message = QString::fromStdString(e.what())] { finish(r, {}, message); },
                Qt::QueuedConnection);
            continue;
        }
        ++m_running;
        ++m_started;
        m_pool.start([this, r, source, galaxy] {
            // Decoding must not take the core the GUI thread needs to paint the next frame.
            lowerCurrentThreadPriority(kThumbnailNiceness);
            QImage image;
            QString error;
            try {
                image = decode(*source, galaxy, r.edge);
            } catch (const std::exception& e) {
                error = QString::fromStdString(e.what());
            }
            // Safe: the destructor waits for every task before this object goes away.
            QMetaObject::invokeMethod(
                this,
                [this, r, image, error] {
                    --m_running;
                    finish(r, image, error);
                    pump();
                },
                Qt::QueuedConnection);
        });
    }
}

void ThumbnailLoader::finish(const ImageRequest& request, const QImage& image, const QString& error)
{
    m_inFlight.remove(request);
    if (!error.isEmpty() || image.isNull()) {
        const QString message = error.isEmpty() ? tr("no image") : error;
        m_failures.insert(request.id, message);
        Q_EMIT imageFailed(request.id, message);
        return;
    }
    m_cache.insert(request, new QImage(image), qMax<qint64>(image.sizeInBytes(), 1));
    Q_EMIT imageReady(request.id, request.edge);
}

} // namespace rm::ui
