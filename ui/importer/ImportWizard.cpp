#include "importer/ImportWizard.h"

#include "importer/CatalogImportPage.h"
#include "importer/CrossMatchPage.h"
#include "importer/ImageSourcePage.h"
#include "importer/TargetSetPage.h"
#include "store/ProjectStore.h"
#include "tasks/BackgroundJob.h"
#include "util/Error.h"

#include <QFile>
#include <QFileInfo>

namespace rm::ui {

QStringList catalogNames(rm::ProjectStore& store)
{
    QStringList names;
    for (const rm::CatalogInfo& c : store.catalogs())
        names << QString::fromStdString(c.name);
    return names;
}

QStringList catalogColumns(rm::ProjectStore& store, const QString& catalog)
{
    QStringList columns;
    if (catalog.isEmpty() || !store.hasCatalog(catalog.toStdString())) return columns;
    for (const auto& [name, type] : store.catalog(catalog.toStdString()).columns)
        columns << QString::fromStdString(name);
    return columns;
}

ImportWizard::ImportWizard(const QString& projectPath, QWidget* parent)
    : QWizard(parent), m_projectPath(QFileInfo(projectPath).absoluteFilePath()),
      m_store(rm::ProjectStore::open(QFile::encodeName(projectPath).toStdString())),
      m_job(new BackgroundJob(this))
{
    setWindowTitle(tr("Import into %1").arg(QFileInfo(projectPath).fileName()));
    setWizardStyle(QWizard::ClassicStyle);
    setOption(QWizard::NoBackButtonOnStartPage);
    setOption(QWizard::HaveFinishButtonOnEarlyPages); // every step is optional
    m_catalog = new CatalogImportPage(this);
    m_images = new ImageSourcePage(this);
    m_match = new CrossMatchPage(this);
    m_targets = new TargetSetPage(this);
    setPage(CatalogPageId, m_catalog);
    setPage(ImageSourcePageId, m_images);
    setPage(CrossMatchPageId, m_match);
    setPage(TargetSetPageId, m_targets);
    setStartId(CatalogPageId);
    resize(980, 720);

    // No page can move on while its step runs.
    for (QWizardPage* p : {static_cast<QWizardPage*>(m_catalog), static_cast<QWizardPage*>(m_images),
                           static_cast<QWizardPage*>(m_match), static_cast<QWizardPage*>(m_targets)}) {
        connect(m_job, &BackgroundJob::started, p, &QWizardPage::completeChanged);
        connect(m_job, &BackgroundJob::finished, p, &QWizardPage::completeChanged);
    }
    connect(m_job, &BackgroundJob::finished, this, [this] {
        if (m_closeWhenIdle) QWizard::reject();
    });
}

ImportWizard::~ImportWizard() = default;

void ImportWizard::noteChange()
{
    m_changed = true;
    Q_EMIT projectChanged(m_projectPath);
}

void ImportWizard::reject()
{
    if (m_job->busy()) {
        m_closeWhenIdle = true;
        m_job->cancel();
        return;
    }
    QWizard::reject();
}

} // namespace rm::ui
