#pragma once
// The inspector's saliency overlay: Grad-CAM (core/training/Saliency.h) of a finished run on the galaxy
// shown, computed on a worker thread (BackgroundJob) and turned into a translucent heat image to lay over
// the cutout. One request at a time; a newer request replaces a pending one.
#include "selection/GalaxyId.h"

#include <QImage>
#include <QObject>
#include <QString>

#include <optional>

namespace rm::ui {

class BackgroundJob;
struct RunRow;

class SaliencyOverlay : public QObject
{
    Q_OBJECT
public:
    explicit SaliencyOverlay(QObject* parent = nullptr);

    // Grad-CAM of `run` for the galaxy: on the run's own decoded image when the galaxy is in the run's target
    // set and its cache is there (so the map and score are the ones the run's predictions come from), else on
    // `image` (the cutout as shown). Results arrive through ready / failed.
    void request(const QString& projectPath, const GalaxyId& galaxy, const QImage& image, const RunRow& run);
    bool busy() const;

    // Heat in [0, 1] (row-major, width x height) as a translucent colour map (transparent where cold).
    static QImage heatImage(const std::vector<float>& heat, int width, int height);

Q_SIGNALS:
    // overlay covers the centre `fraction` of each side of the image (the run's evaluation crop).
    void ready(const rm::ui::GalaxyId& galaxy, const QImage& overlay, double fraction, const QString& note);
    void failed(const rm::ui::GalaxyId& galaxy, const QString& message);

private:
    struct Pending
    {
        QString projectPath;
        GalaxyId galaxy;
        QImage image;
        std::string targetSet;
        qint64 runId = 0;
        QString runTitle, weightsPath;
        std::string configJson;
    };
    void start(Pending p);

    BackgroundJob* m_job;
    std::optional<Pending> m_next;
};

} // namespace rm::ui
