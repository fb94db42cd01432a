#include "importer/ImageSourcePage.h"

#include "cutouts/CutoutService.h"
#include "importer/CatalogImportPage.h"
#include "importer/ImportWizard.h"
#include "importer/JobStatusBar.h"
#include "sources/GalaxyRef.h"
#include "sources/ImageSource.h"
#include "store/ProjectStore.h"
#include "tasks/BackgroundJob.h"
#include "util/Error.h"

#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

#include <memory>

namespace rm::ui {

namespace {
bool isService(const QString& kind)
{
    return kind == QLatin1String("legacysurvey") || kind == QLatin1String("sdss");
}

struct CheckResult
{
    int checked = 0, present = 0, unknown = 0;
    std::string firstMissing;
};
} // namespace

ImageSourcePage::ImageSourcePage(ImportWizard* wizard) : QWizardPage(wizard), m_wizard(wizard)
{
    setTitle(tr("Images"));
    setSubTitle(tr("Where a catalog's cutouts come from. Choose \"no change\" to skip this step."));

    m_catalog = new QComboBox(this);
    m_kind = new QComboBox(this);
    m_kind->addItem(tr("No change"), QStringLiteral("none"));
    m_kind->addItem(tr("Folder of JPEG / PNG files"), QStringLiteral("folder"));
    m_kind->addItem(tr("Folder of FITS cutouts"), QStringLiteral("fits"));
    m_kind->addItem(tr("Legacy Surveys cutout service"), QStringLiteral("legacysurvey"));
    m_kind->addItem(tr("SDSS SkyServer cutout service"), QStringLiteral("sdss"));

    m_dir = new QLineEdit(this);
    auto* browse = new QPushButton(tr("Browse…"), this);
    m_template = new QLineEdit(this);
    m_template->setPlaceholderText(QStringLiteral("{iauname}.jpg"));
    m_template->setToolTip(tr("A file name with {column} for a catalog column: {iauname}.jpg, "
                              "{iauname[:4]}/{iauname}.png, {file}"));
    m_columns = new QLabel(this);
    m_columns->setWordWrap(true);
    m_columns->setStyleSheet(QStringLiteral("QLabel { color: palette(mid); }"));
    auto* folderPage = new QWidget(this);
    auto* dirRow = new QHBoxLayout;
    dirRow->addWidget(m_dir, 1);
    dirRow->addWidget(browse);
    auto* folderForm = new QFormLayout(folderPage);
    folderForm->addRow(tr("Folder"), dirRow);
    folderForm->addRow(tr("File name"), m_template);
    folderForm->addRow(QString(), m_columns);

    m_layer = new QLineEdit(this);
    m_pixscale = new QDoubleSpinBox(this);
    m_pixscale->setRange(0.01, 10);
    m_pixscale->setDecimals(3);
    m_pixscale->setSuffix(tr(" ″/px"));
    m_size = new QSpinBox(this);
    m_size->setRange(16, 3000);
    m_size->setSuffix(tr(" px"));
    auto* servicePage = new QWidget(this);
    auto* serviceForm = new QFormLayout(servicePage);
    serviceForm->addRow(tr("Layer / release"), m_layer);
    serviceForm->addRow(tr("Pixel scale"), m_pixscale);
    serviceForm->addRow(tr("Size"), m_size);
    serviceForm->addRow(QString(), new QLabel(tr("Images are read from the download cache; fetch them with "
                                                 "ringminer-cli cutouts fetch."),
                                              this));

    m_stack = new QStackedWidget(this);
    m_stack->addWidget(new QWidget(this));
    m_stack->addWidget(folderPage);
    m_stack->addWidget(servicePage);

    m_check = new QLabel(this);
    QFont big = m_check->font();
    big.setPointSizeF(big.pointSizeF() * 1.15);
    big.setBold(true);
    m_check->setFont(big);
    m_check->setWordWrap(true);
    m_status = new JobStatusBar(wizard->job(), this);
    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(350);

    auto* form = new QFormLayout;
    form->addRow(tr("Catalog"), m_catalog);
    form->addRow(tr("Source"), m_kind);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_stack);
    layout->addWidget(m_check);
    layout->addStretch(1);
    layout->addWidget(m_status);

    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Image folder"), m_dir->text());
        if (!dir.isEmpty()) m_dir->setText(dir);
    });
    connect(m_kind, &QComboBox::currentIndexChanged, this, [this] {
        const QString k = kind();
        if (isService(k)) {
            const rm::CutoutServiceSpec d = rm::CutoutServiceSpec::defaults(k.toStdString());
            m_layer->setText(QString::fromStdString(d.layer));
            m_pixscale->setValue(d.pixscale);
            m_size->setValue(d.size);
        }
        m_stack->setCurrentIndex(k == QLatin1String("none") ? 0 : isService(k) ? 2 : 1);
        inputsChanged();
    });
    connect(m_catalog, &QComboBox::currentIndexChanged, this, [this] {
        showColumns();
        inputsChanged();
    });
    for (QLineEdit* e : {m_dir, m_template, m_layer})
        connect(e, &QLineEdit::textChanged, this, &ImageSourcePage::inputsChanged);
    connect(m_pixscale, &QDoubleSpinBox::valueChanged, this, &ImageSourcePage::inputsChanged);
    connect(m_size, &QSpinBox::valueChanged, this, &ImageSourcePage::inputsChanged);
    connect(m_debounce, &QTimer::timeout, this, &ImageSourcePage::check);
}

void ImageSourcePage::initializePage()
{
    const QString keep = m_catalog->currentText();
    const QStringList names = catalogNames(m_wizard->store());
    m_catalog->blockSignals(true);
    m_catalog->clear();
    m_catalog->addItems(names);
    // The catalog just imported is the one most likely to need images.
    const QString imported = m_wizard->catalogPage()->importedCatalog();
    m_catalog->setCurrentIndex(qMax(0, names.indexOf(imported.isEmpty() ? keep : imported)));
    m_catalog->blockSignals(false);
    showColumns();
}

void ImageSourcePage::setCatalog(const QString& name)
{
    const int i = m_catalog->findText(name);
    if (i >= 0) m_catalog->setCurrentIndex(i);
}

void ImageSourcePage::setKind(const QString& k)
{
    m_kind->setCurrentIndex(qMax(0, m_kind->findData(k)));
}

void ImageSourcePage::setFolder(const QString& dir, const QString& fileTemplate)
{
    m_dir->setText(dir);
    m_template->setText(fileTemplate);
}

void ImageSourcePage::setService(const QString& layer, double pixscale, int size)
{
    m_layer->setText(layer);
    m_pixscale->setValue(pixscale);
    m_size->setValue(size);
}

QString ImageSourcePage::kind() const
{
    return m_kind->currentData().toString();
}

QString ImageSourcePage::checkText() const
{
    return m_check->text();
}

void ImageSourcePage::showColumns()
{
    const QStringList columns = catalogColumns(m_wizard->store(), m_catalog->currentText());
    m_columns->setText(
        columns.isEmpty() ? QString() : tr("Columns: %1").arg(columns.mid(0, 40).join(QStringLiteral(", "))));
    // A column that already names the file is the likeliest template.
    if (m_template->text().isEmpty()) {
        for (const char* c : {"file", "filename", "file_loc", "iauname", "GalaxyID"})
            if (columns.contains(QLatin1String(c), Qt::CaseInsensitive)) {
                const QString col = QString::fromLatin1(c);
                m_template->setText(col.startsWith(QLatin1String("file"))
                                        ? QStringLiteral("{%1}").arg(col)
                                        : QStringLiteral("{%1}.jpg").arg(col));
                break;
            }
    }
}

QString ImageSourcePage::specJson() const
{
    const QString k = kind();
    nlohmann::json spec;
    if (k == QLatin1String("folder") || k == QLatin1String("fits")) {
        if (m_dir->text().trimmed().isEmpty() || m_template->text().trimmed().isEmpty()) return {};
        // Stored absolute, as the CLI does: a folder chosen here means nothing relative to the project.
        spec = {{"kind", k.toStdString()},
                {"dir", QDir::cleanPath(QFileInfo(m_dir->text().trimmed()).absoluteFilePath()).toStdString()},
                {"template", m_template->text().trimmed().toStdString()}};
    } else if (isService(k)) {
        spec = {{"kind", k.toStdString()},
                {"layer", m_layer->text().trimmed().toStdString()},
                {"pixscale", m_pixscale->value()},
                {"size", m_size->value()}};
    } else {
        return {};
    }
    return QString::fromStdString(spec.dump());
}

void ImageSourcePage::inputsChanged()
{
    m_stored.clear();
    m_found = -1;
    m_checked = 0;
    if (kind() == QLatin1String("none")) {
        m_check->clear();
        return;
    }
    m_check->setText(tr("checking…"));
    m_debounce->start();
}

void ImageSourcePage::check()
{
    const QString spec = specJson();
    const QString catalog = m_catalog->currentText();
    if (spec.isEmpty() || catalog.isEmpty()) {
        m_check->setText(catalog.isEmpty() ? tr("The project has no catalog yet") : tr("Fill in the source"));
        return;
    }
    if (m_wizard->job()->busy()) {
        m_recheck = true; // after the running step
        m_wizard->job()->cancel();
        return;
    }
    const std::string project = QFile::encodeName(m_wizard->projectPath()).toStdString();
    auto result = std::make_shared<CheckResult>();
    m_wizard->job()->start(
        tr("Looking for images"),
        [=](TaskContext& job) {
            auto store = rm::ProjectStore::open(project);
            const rm::CatalogInfo cat = store->catalog(catalog.toStdString());
            rm::ImageSourceContext ctx;
            ctx.baseDir = QFileInfo(QString::fromStdString(project)).absolutePath().toStdString();
            ctx.cacheDir = project + ".files/cutouts";
            const auto source = rm::makeImageSource(spec.toStdString(), ctx);
            const rm::Table table = store->loadTable(cat.id);
            const rm::CatalogPositions pos = store->positions(cat.id);
            const std::size_t n = std::min<std::size_t>(table.rowCount(), kCheckRows);
            for (std::size_t row = 0; row < n; ++row) {
                if (row % 64 == 0 && !job.progress(row, n)) throw rm::Error("cancelled");
                rm::GalaxyRef g = rm::GalaxyRef::fromTable(table, row, cat.id);
                g.ra = pos.ra[row];
                g.dec = pos.dec[row];
                ++result->checked;
                switch (source->probe(g)) {
                case rm::ImagePresence::Present:
                    ++result->present;
                    break;
                case rm::ImagePresence::Unknown:
                    ++result->unknown;
                    break;
                case rm::ImagePresence::Missing:
                    if (result->firstMissing.empty()) {
                        try {
                            result->firstMissing = source->locate(g);
                        } catch (const rm::Error& e) {
                            result->firstMissing = e.what();
                        }
                    }
                    break;
                }
            }
            return QString();
        },
        [this, result, spec, catalog](bool ok, const QString& message) {
            if (m_recheck) {
                m_recheck = false;
                check();
                return;
            }
            if (spec != specJson() || catalog != m_catalog->currentText()) {
                check(); // the inputs changed while it ran
                return;
            }
            if (!ok) {
                m_found = -1;
                m_check->setText(tr("✗ %1").arg(message));
                m_check->setStyleSheet(QStringLiteral("QLabel { color: rgb(214, 69, 65); }"));
                return;
            }
            m_found = result->present;
            m_checked = result->checked;
            m_checkedSpec = spec;
            const bool all = result->present == result->checked && result->checked > 0;
            QString text = tr("found %L1 of %L2 images").arg(result->present).arg(result->checked);
            if (result->checked >= kCheckRows) text += tr(" (the first %L1 rows)").arg(kCheckRows);
            if (result->unknown > 0) text += tr("; %L1 not downloaded yet or unknown").arg(result->unknown);
            if (!result->firstMissing.empty())
                text += tr("\nfirst missing: %1").arg(QString::fromStdString(result->firstMissing));
            m_check->setText((all ? QStringLiteral("✓ ") : QStringLiteral("⚠ ")) + text);
            m_check->setStyleSheet(all ? QStringLiteral("QLabel { color: rgb(46, 160, 80); }")
                                       : QStringLiteral("QLabel { color: rgb(220, 150, 30); }"));
            m_status->showMessage(QString());
        });
}

bool ImageSourcePage::isComplete() const
{
    return !m_wizard->job()->busy();
}

bool ImageSourcePage::validatePage()
{
    if (m_wizard->job()->busy()) return false;
    if (kind() == QLatin1String("none") || !m_stored.isEmpty()) return true;
    const QString spec = specJson();
    const QString catalog = m_catalog->currentText();
    if (spec.isEmpty() || catalog.isEmpty()) {
        m_status->showMessage(catalog.isEmpty() ? tr("The project has no catalog to give images to")
                                                : tr("Fill in the folder and the file name template"),
                              true);
        return false;
    }
    m_debounce->stop();
    const std::string project = QFile::encodeName(m_wizard->projectPath()).toStdString();
    m_wizard->job()->start(
        tr("Storing the image source"),
        [=](TaskContext&) {
            auto store = rm::ProjectStore::open(project);
            const rm::CatalogInfo cat = store->catalog(catalog.toStdString());
            rm::ImageSourceContext ctx;
            ctx.baseDir = QFileInfo(QString::fromStdString(project)).absolutePath().toStdString();
            ctx.cacheDir = project + ".files/cutouts";
            const auto source = rm::makeImageSource(spec.toStdString(), ctx); // rejects a bad spec
            store->setImageSourceSpec(cat.id, source->spec().dump());
            return tr("Catalog '%1' takes its images from %2")
                .arg(catalog, QString::fromStdString(source->spec().dump()));
        },
        [this, spec](bool ok, const QString&) {
            if (!ok) return;
            m_stored = spec;
            m_wizard->noteChange();
            m_wizard->next();
        });
    return false;
}

} // namespace rm::ui
