#pragma once
// One open project as the workbench sees it: the store and the services every panel shares (catalog rows by
// galaxy, image sources, the thumbnail loader, hand labels). It lives on the GUI thread; background workers
// open their own connections to the same file, which SQLite's WAL mode lets them read while labels are
// written.
#include "mining/MinedCandidates.h"
#include "selection/GalaxyId.h"
#include "store/ProjectStore.h"

#include <QCache>
#include <QObject>
#include <QPointer>
#include <QString>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace rm {
class CatalogRecordReader;
struct GalaxyRef;
} // namespace rm

namespace rm::ui {

class ImageSources;
class LabelController;
class RunResults;
class Task;
class ThumbnailLoader;

// One catalog row: its position and every column as text.
struct GalaxyRecord
{
    GalaxyId id;
    double ra = 0, dec = 0;
    std::vector<std::pair<std::string, std::string>> values;

    rm::GalaxyRef galaxyRef() const;
};

class ProjectSession : public QObject
{
    Q_OBJECT
public:
    // Both throw rm::Error with the reason (missing file, not a project, newer schema...).
    static std::unique_ptr<ProjectSession> open(const QString& path);
    static std::unique_ptr<ProjectSession> create(const QString& path);
    ~ProjectSession() override;

    rm::ProjectStore& store() { return *m_store; }
    QString path() const { return m_path; }
    QString fileName() const;

    std::vector<rm::CatalogInfo> catalogs() { return m_store->catalogs(); }
    const rm::CatalogInfo& catalog(qint64 id); // cached; throws rm::Error for an unknown id
    GalaxyRecord record(const GalaxyId& id);   // throws rm::Error when the row does not exist
    // A short name for thumbnails: the catalog's name-like column (iauname, Names, id...), else "row N".
    QString caption(const GalaxyId& id);

    // The candidates of a mined catalog (role candidates) by row, read once per import of that catalog (only
    // the columns the badges and the review queue use); empty for any other catalog or one that cannot be
    // read. Never reads on the GUI thread: the first call for a catalog (or after it was mined again) starts
    // the read as a task (ui/tasks, with progress in the status bar) and returns an empty map until
    // minedCandidatesChanged(catalogId) says the rows are there.
    const std::map<qint64, rm::MinedCandidate>& minedCandidates(qint64 catalogId);
    // True while the read started by minedCandidates(catalogId) runs.
    bool minedCandidatesPending(qint64 catalogId) const;
    // Why minedCandidates(catalogId) is empty for a candidates catalog that could not be read ("" otherwise).
    QString minedCandidatesError(qint64 catalogId) const;

    ImageSources& imageSources() { return *m_images; }
    ThumbnailLoader& thumbnails() { return *m_thumbnails; }
    LabelController& labels() { return *m_labels; }
    RunResults& results() { return *m_results; } // the training runs' metrics and predictions

Q_SIGNALS:
    // A candidates catalog's rows were read (or failed to be: see minedCandidatesError).
    void minedCandidatesChanged(qint64 catalogId);

private:
    ProjectSession(std::unique_ptr<rm::ProjectStore> store, QString path);
    int captionColumn(qint64 catalogId);

    std::unique_ptr<rm::ProjectStore> m_store;
    QString m_path;
    std::unique_ptr<rm::CatalogRecordReader> m_records; // catalogs by id and rows by galaxy, cached
    std::map<qint64, int> m_captionColumns;
    struct MinedRows
    {
        std::string importedAt; // a catalog mined again under the same id is read afresh
        std::map<qint64, rm::MinedCandidate> rows;
        std::string error;
        QPointer<Task> reading; // the read in flight, else null
    };
    std::map<qint64, MinedRows> m_mined;
    QCache<GalaxyId, QString> m_captions{20000};
    std::unique_ptr<ImageSources> m_images;
    std::unique_ptr<LabelController> m_labels;
    std::unique_ptr<RunResults> m_results;
    std::unique_ptr<ThumbnailLoader> m_thumbnails; // last: its workers use the rest until it is gone
};

} // namespace rm::ui
