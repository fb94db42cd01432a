#pragma once
// File > Import…: brings data into the open project in four optional steps, driving the same core calls as
// ringminer-cli: (a) a catalog file (catalog import), (b) where a catalog's images come from with a live
// check (cutouts source), (c) a cross-match of two catalogs with its label conflicts (xmatch), (d) a target
// set with its step counts (targets build). Every long step runs on a worker thread (BackgroundJob) with
// progress and Cancel; a core error is shown on the page as the core words it.
//
// A page whose step was not filled in is skipped by Next. Import and image source advance by themselves once
// stored; cross-match and target set stay to show their result (Next / Finish again goes on).
#include <QWizard>

#include <memory>

namespace rm {
class ProjectStore;
}

namespace rm::ui {

class BackgroundJob;
class CatalogImportPage;
class CrossMatchPage;
class ImageSourcePage;
class TargetSetPage;

class ImportWizard : public QWizard
{
    Q_OBJECT
public:
    enum PageId
    {
        CatalogPageId,
        ImageSourcePageId,
        CrossMatchPageId,
        TargetSetPageId
    };

    // Throws rm::Error when the project cannot be opened.
    explicit ImportWizard(const QString& projectPath, QWidget* parent = nullptr);
    ~ImportWizard() override;

    QString projectPath() const { return m_projectPath; }
    // A connection for quick reads on the GUI thread (catalog names, columns); jobs open their own.
    rm::ProjectStore& store() { return *m_store; }
    BackgroundJob* job() const { return m_job; }
    bool changedProject() const { return m_changed; }
    void noteChange(); // a step wrote to the project

    CatalogImportPage* catalogPage() const { return m_catalog; }
    ImageSourcePage* imageSourcePage() const { return m_images; }
    CrossMatchPage* crossMatchPage() const { return m_match; }
    TargetSetPage* targetSetPage() const { return m_targets; }

    void reject() override; // cancels a running step first

Q_SIGNALS:
    void projectChanged(QString path); // after a step stored something

private:
    QString m_projectPath;
    std::unique_ptr<rm::ProjectStore> m_store;
    BackgroundJob* m_job;
    CatalogImportPage* m_catalog;
    ImageSourcePage* m_images;
    CrossMatchPage* m_match;
    TargetSetPage* m_targets;
    bool m_changed = false;
    bool m_closeWhenIdle = false;
};

// Names of the project's catalogs (for the pages' combo boxes), in import order.
QStringList catalogNames(rm::ProjectStore& store);
QStringList catalogColumns(rm::ProjectStore& store, const QString& catalog);

} // namespace rm::ui
