#pragma once
// Rows of the project's other catalogs within a few arcsec of a galaxy, found by core's NeighbourSearch on a
// worker thread with its own connection: each catalog's sky index is built the first time it is needed and
// then kept, so a million-row catalog costs its build once, off the GUI thread, and a lookup after that is
// instant.
#include <QObject>
#include <QPair>
#include <QString>
#include <QThread>
#include <QVector>

#include <atomic>
#include <memory>

namespace rm {
class NeighbourSearch;
} // namespace rm

namespace rm::ui {

struct NeighbourRow
{
    qint64 catalogId = 0;
    QString catalogName;
    qint64 row = 0;
    double separationArcsec = 0;
    QVector<QPair<QString, QString>> values; // column -> value
};
using NeighbourRows = QVector<NeighbourRow>;

class NeighbourWorker : public QObject
{
    Q_OBJECT
public:
    explicit NeighbourWorker(std::shared_ptr<std::atomic<quint64>> latest);
    ~NeighbourWorker() override;

public Q_SLOTS:
    void find(quint64 generation, QString projectPath, double ra, double dec, double radiusArcsec,
              qint64 excludeCatalogId);
    void release(); // closes the project and forgets its indexes

Q_SIGNALS:
    void found(quint64 generation, rm::ui::NeighbourRows rows);
    void failed(quint64 generation, QString message);

private:
    std::shared_ptr<std::atomic<quint64>> m_latest;
    QString m_path;
    std::unique_ptr<rm::NeighbourSearch> m_search;
};

class NeighbourFinder : public QObject
{
    Q_OBJECT
public:
    static constexpr double kRadiusArcsec = 3.0;

    explicit NeighbourFinder(QObject* parent = nullptr);
    ~NeighbourFinder() override;

    // Replaces any search still running; found() answers only the latest.
    void find(const QString& projectPath, double ra, double dec, qint64 excludeCatalogId,
              double radiusArcsec = kRadiusArcsec);
    void cancel();
    void release(); // the project was closed: drop its connection and sky indexes

Q_SIGNALS:
    void found(rm::ui::NeighbourRows rows);
    void failed(QString message);

private:
    std::shared_ptr<std::atomic<quint64>> m_latest = std::make_shared<std::atomic<quint64>>(0);
    QThread m_thread;
    NeighbourWorker* m_worker;
};

} // namespace rm::ui

Q_DECLARE_METATYPE(rm::ui::NeighbourRows)
