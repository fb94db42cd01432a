#include "importer/CatalogImportPage.h"

#include "importer/ImportWizard.h"
#include "importer/JobStatusBar.h"
#include "store/ProjectStore.h"
#include "tasks/BackgroundJob.h"
#include "util/Error.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QRadioButton>
#include <QSplitter>
#include <QTableWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace rm::ui {

namespace {
constexpr int kPreviewRows = 50;

QString positionText(const rm::PositionColumns& p)
{
    switch (p.kind) {
    case rm::PositionKind::Degrees:
        return QObject::tr("%1 / %2 (degrees)")
            .arg(QString::fromStdString(p.raColumn), QString::fromStdString(p.decColumn));
    case rm::PositionKind::Sexagesimal:
        return QObject::tr("%1 / %2 (sexagesimal)")
            .arg(QString::fromStdString(p.raColumn), QString::fromStdString(p.decColumn));
    case rm::PositionKind::IauName:
        return QObject::tr("%1 (IAU names)").arg(QString::fromStdString(p.raColumn));
    }
    return {};
}

void fillColumns(QComboBox* box, const QStringList& columns, const QString& firstItem)
{
    // What the box says, chosen or typed; its first item means "nothing chosen".
    const QString keep = box->currentText() == box->itemText(0) ? QString() : box->currentText();
    box->blockSignals(true);
    box->clear();
    box->addItem(firstItem);
    box->addItems(columns);
    const int i = keep.isEmpty() ? 0 : box->findText(keep);
    if (i >= 0)
        box->setCurrentIndex(i);
    else
        box->setEditText(keep);
    box->blockSignals(false);
}

QComboBox* columnBox(QWidget* parent, const QString& firstItem)
{
    auto* box = new QComboBox(parent);
    box->setEditable(true); // a column can be typed before the file is read
    box->addItem(firstItem);
    box->setMinimumContentsLength(14);
    return box;
}
} // namespace

CatalogImportPage::CatalogImportPage(ImportWizard* wizard) : QWizardPage(wizard), m_wizard(wizard)
{
    setTitle(tr("Catalog"));
    setSubTitle(tr("Read a CSV, FITS or whitespace catalog into the project. Leave the file empty to skip "
                   "this step."));

    m_file = new QLineEdit(this);
    m_file->setPlaceholderText(tr("catalog file (.csv, .fits, .vot, .txt)"));
    auto* browse = new QPushButton(tr("Browse…"), this);
    m_name = new QLineEdit(this);
    m_role = new QComboBox(this);
    for (const char* role : {"other", "rings", "images", "parent", "labelled", "candidates"})
        m_role->addItem(QString::fromLatin1(role), QString::fromLatin1(role));
    m_role->setToolTip(tr("rings: every row is a known ring · images: rows with cutouts · parent: a pool of "
                          "negatives · labelled: a column says ring or not"));
    m_labelColumn = columnBox(this, tr("(label column)"));
    m_format = new QComboBox(this);
    m_format->addItem(tr("detect"), int(rm::CatalogFormat::Auto));
    m_format->addItem(QStringLiteral("CSV"), int(rm::CatalogFormat::Csv));
    m_format->addItem(QStringLiteral("FITS"), int(rm::CatalogFormat::Fits));
    m_format->addItem(tr("whitespace"), int(rm::CatalogFormat::Whitespace));
    m_format->addItem(QStringLiteral("VOTable"), int(rm::CatalogFormat::VoTable));
    m_ra = columnBox(this, tr("(detect)"));
    m_dec = columnBox(this, tr("(detect)"));
    m_iau = columnBox(this, tr("(none)"));
    m_iau->setToolTip(tr("Take positions from an IAU-name column (JHHMMSS.ss+DDMMSS.s) instead"));
    m_abort = new QRadioButton(tr("Abort at the first bad row (nothing is imported)"), this);
    m_skip = new QRadioButton(tr("Skip bad rows (each is listed below)"), this);
    m_abort->setChecked(true);
    auto* policy = new QButtonGroup(this);
    policy->addButton(m_abort);
    policy->addButton(m_skip);
    auto* previewButton = new QPushButton(tr("Preview"), this);
    m_detected = new QLabel(this);
    m_detected->setWordWrap(true);
    m_preview = new QTableWidget(this);
    m_preview->verticalHeader()->setDefaultSectionSize(m_preview->fontMetrics().height() + 6);
    m_preview->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_issues = new QTreeWidget(this);
    m_issues->setHeaderLabels({tr("File"), tr("Row"), tr("Column"), tr("Problem")});
    m_issues->setRootIsDecorated(false);
    m_issues->setAlternatingRowColors(true);
    m_status = new JobStatusBar(wizard->job(), this);

    auto* fileRow = new QHBoxLayout;
    fileRow->addWidget(m_file, 1);
    fileRow->addWidget(browse);
    auto* positions = new QHBoxLayout;
    positions->addWidget(new QLabel(tr("RA"), this));
    positions->addWidget(m_ra, 1);
    positions->addWidget(new QLabel(tr("Dec"), this));
    positions->addWidget(m_dec, 1);
    positions->addWidget(new QLabel(tr("or IAU name"), this));
    positions->addWidget(m_iau, 1);
    auto* roleRow = new QHBoxLayout;
    roleRow->addWidget(m_role);
    roleRow->addWidget(m_labelColumn, 1);
    auto* badRows = new QVBoxLayout;
    badRows->addWidget(m_abort);
    badRows->addWidget(m_skip);
    auto* form = new QFormLayout;
    form->addRow(tr("File"), fileRow);
    form->addRow(tr("Name"), m_name);
    form->addRow(tr("Role"), roleRow);
    form->addRow(tr("Format"), m_format);
    form->addRow(tr("Positions"), positions);
    form->addRow(tr("Bad rows"), badRows);

    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_preview);
    split->addWidget(m_issues);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    auto* previewRow = new QHBoxLayout;
    previewRow->addWidget(previewButton);
    previewRow->addWidget(m_detected, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addLayout(previewRow);
    layout->addWidget(split, 1);
    layout->addWidget(m_status);

    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Catalog"), m_file->text(),
            tr("Catalogs (*.csv *.fits *.fit *.vot *.votable *.xml *.txt *.dat *.tsv);;All files (*)"));
        if (!path.isEmpty()) setFile(path);
    });
    connect(previewButton, &QPushButton::clicked, this, &CatalogImportPage::preview);
    connect(m_file, &QLineEdit::textChanged, this, &CatalogImportPage::changed);
    connect(m_file, &QLineEdit::editingFinished, this, [this] {
        if (m_name->text().isEmpty()) setFile(m_file->text());
    });
    connect(m_name, &QLineEdit::textChanged, this, [this] { m_imported.clear(); });
    connect(m_role, &QComboBox::currentIndexChanged, this, [this] {
        m_labelColumn->setEnabled(m_role->currentData().toString() == QLatin1String("labelled"));
        m_imported.clear();
    });
    m_labelColumn->setEnabled(false);
    for (QComboBox* box : {m_format, m_ra, m_dec, m_iau})
        connect(box, &QComboBox::currentTextChanged, this, &CatalogImportPage::changed);
    connect(m_skip, &QRadioButton::toggled, this, &CatalogImportPage::changed);
}

void CatalogImportPage::setFile(const QString& path)
{
    m_file->setText(path);
    const QString base = QFileInfo(path).completeBaseName();
    if (!base.isEmpty()) m_name->setText(base);
}

void CatalogImportPage::setCatalogName(const QString& name)
{
    m_name->setText(name);
}

void CatalogImportPage::setRole(const QString& role)
{
    m_role->setCurrentIndex(qMax(0, m_role->findData(role)));
}

void CatalogImportPage::setLabelColumn(const QString& column)
{
    m_labelColumn->setEditText(column);
}

void CatalogImportPage::setPositionColumns(const QString& ra, const QString& dec, const QString& iauName)
{
    auto set = [](QComboBox* box, const QString& text) {
        const int i = box->findText(text);
        if (text.isEmpty())
            box->setCurrentIndex(0);
        else if (i > 0)
            box->setCurrentIndex(i);
        else
            box->setEditText(text);
    };
    set(m_ra, ra);
    set(m_dec, dec);
    set(m_iau, iauName);
}

void CatalogImportPage::setSkipBadRows(bool skip)
{
    (skip ? m_skip : m_abort)->setChecked(true);
}

rm::ImportOptions CatalogImportPage::options() const
{
    rm::ImportOptions o;
    o.format = rm::CatalogFormat(m_format->currentData().toInt());
    auto column = [](QComboBox* box) {
        return box->currentIndex() == 0 && box->currentText() == box->itemText(0)
                   ? std::string()
                   : box->currentText().trimmed().toStdString();
    };
    o.raColumn = column(m_ra);
    o.decColumn = column(m_dec);
    o.iauNameColumn = column(m_iau);
    o.onBadRow = m_skip->isChecked() ? rm::BadRowPolicy::Skip : rm::BadRowPolicy::Abort;
    return o;
}

void CatalogImportPage::changed()
{
    m_previewCurrent = false;
    m_imported.clear();
}

QString CatalogImportPage::detectedPosition() const
{
    return m_read && m_previewCurrent ? positionText(m_read->position) : QString();
}

void CatalogImportPage::showError(const QString& message)
{
    m_status->showMessage(message, true);
}

void CatalogImportPage::preview()
{
    const QString file = m_file->text().trimmed();
    if (file.isEmpty()) {
        showError(tr("Choose a catalog file first"));
        return;
    }
    auto read = std::make_shared<rm::ImportedCatalog>();
    auto readError = std::make_shared<rm::InputError>("", 0, "", "");
    auto failedAt = std::make_shared<bool>(false);
    rm::ImportOptions o = options();
    const std::string path = QFile::encodeName(file).toStdString();
    m_wizard->job()->start(
        tr("Reading %1").arg(QFileInfo(file).fileName()),
        [read, readError, failedAt, o, path](TaskContext& job) mutable {
            o.progress = [&job](std::size_t d, std::size_t t) { return job.progress(d, t); };
            try {
                *read = rm::importCatalog(path, o);
            } catch (const rm::InputError& e) {
                *readError = e;
                *failedAt = true;
                throw;
            }
            return tr("Read %L1 rows and %L2 columns; %L3 bad rows skipped")
                .arg(read->table.rowCount())
                .arg(read->table.columnCount())
                .arg(read->skipped.size());
        },
        [this, read, readError, failedAt](bool ok, const QString& message) {
            m_issues->clear();
            if (!ok) {
                m_read.reset();
                m_previewCurrent = false;
                m_preview->clear();
                m_preview->setRowCount(0);
                m_preview->setColumnCount(0);
                m_detected->setText(tr("Positions: not found"));
                if (*failedAt)
                    new QTreeWidgetItem(m_issues,
                                        {QString::fromStdString(readError->file()),
                                         readError->row() ? QString::number(readError->row()) : QString(),
                                         QString::fromStdString(readError->column()),
                                         QString::fromStdString(readError->reason())});
                if (m_abort->isChecked() && *failedAt && readError->row() > 0)
                    showError(message +
                              tr("\nNothing was imported: fix the row, or choose to skip bad rows."));
                return;
            }
            m_read = read;
            m_previewCurrent = true;
            showPreview();
        });
}

void CatalogImportPage::showPreview()
{
    const rm::ImportedCatalog& c = *m_read;
    QStringList columns;
    for (const rm::Column& col : c.table.columns)
        columns << QString::fromStdString(col.name);
    // The detected (or chosen) columns become the boxes' choices, so the user can override them.
    fillColumns(m_ra, columns, tr("(detect)"));
    fillColumns(m_dec, columns, tr("(detect)"));
    fillColumns(m_iau, columns, tr("(none)"));
    fillColumns(m_labelColumn, columns, tr("(label column)"));
    m_detected->setText(
        tr("<b>Positions:</b> %1 · %L2 rows kept · %L3 skipped · format %4%5")
            .arg(positionText(c.position).toHtmlEscaped())
            .arg(c.table.rowCount())
            .arg(c.skipped.size())
            .arg(QString::fromLatin1(rm::catalogFormatName(c.format)))
            .arg(c.notes.empty() ? QString() : tr(" · %1 note(s) below").arg(c.notes.size())));

    const int rows = int(std::min<std::size_t>(c.table.rowCount(), kPreviewRows));
    m_preview->clear();
    m_preview->setRowCount(rows);
    m_preview->setColumnCount(int(columns.size()) + 2);
    m_preview->setHorizontalHeaderLabels(QStringList{tr("RA (°)"), tr("Dec (°)")} + columns);
    for (int r = 0; r < rows; ++r) {
        m_preview->setItem(r, 0, new QTableWidgetItem(QString::number(c.ra[std::size_t(r)], 'f', 6)));
        m_preview->setItem(r, 1, new QTableWidgetItem(QString::number(c.dec[std::size_t(r)], 'f', 6)));
        for (int col = 0; col < int(columns.size()); ++col) {
            const rm::Column& column = c.table.columns[std::size_t(col)];
            // Reals as the file wrote them (shortest round trip): 0.405, not 0.40500000000000003.
            const QString cell =
                column.type == rm::ColumnType::Real && !column.isNull(std::size_t(r))
                    ? QString::number(column.reals[std::size_t(r)], 'g', QLocale::FloatingPointShortest)
                    : QString::fromStdString(column.text(std::size_t(r)));
            m_preview->setItem(r, col + 2, new QTableWidgetItem(cell));
        }
    }
    m_preview->resizeColumnsToContents();

    for (const rm::ImportIssue& issue : c.skipped)
        new QTreeWidgetItem(m_issues,
                            {QString::fromStdString(issue.file), QString::number(issue.row),
                             QString::fromStdString(issue.column), QString::fromStdString(issue.reason)});
    for (const std::string& note : c.notes)
        new QTreeWidgetItem(m_issues, {QString::fromStdString(c.path), QString(), QString(),
                                       tr("note: %1").arg(QString::fromStdString(note))});
    for (int col = 0; col < 3; ++col)
        m_issues->resizeColumnToContents(col);
}

bool CatalogImportPage::isComplete() const
{
    return !m_wizard->job()->busy();
}

int CatalogImportPage::nextId() const
{
    return QWizardPage::nextId();
}

bool CatalogImportPage::validatePage()
{
    if (m_wizard->job()->busy()) return false;
    if (m_file->text().trimmed().isEmpty() || !m_imported.isEmpty()) return true;
    const QString name = m_name->text().trimmed();
    if (name.isEmpty()) {
        showError(tr("Give the catalog a name"));
        return false;
    }
    if (m_wizard->store().hasCatalog(name.toStdString())) {
        showError(tr("The project already has a catalog named '%1'").arg(name));
        return false;
    }
    if (m_role->currentData().toString() == QLatin1String("labelled") &&
        (m_labelColumn->currentIndex() == 0 && m_labelColumn->currentText() == m_labelColumn->itemText(0))) {
        showError(tr("A labelled catalog needs its label column (the column that says ring or not)"));
        return false;
    }
    startImport();
    return false; // the job moves on when the catalog is stored
}

void CatalogImportPage::startImport()
{
    const QString name = m_name->text().trimmed();
    const QString file = m_file->text().trimmed();
    std::shared_ptr<rm::ImportedCatalog> read = m_previewCurrent ? m_read : nullptr;
    rm::ImportOptions o = options();
    const rm::CatalogRole role = rm::parseCatalogRole(m_role->currentData().toString().toStdString());
    const std::string labelColumn = role == rm::CatalogRole::Labelled
                                        ? m_labelColumn->currentText().trimmed().toStdString()
                                        : std::string();
    const std::string project = QFile::encodeName(m_wizard->projectPath()).toStdString();
    const std::string path = QFile::encodeName(file).toStdString();
    m_wizard->job()->start(
        tr("Importing %1").arg(name),
        [=](TaskContext& job) mutable {
            rm::ImportedCatalog fresh;
            if (!read) {
                o.progress = [&job](std::size_t d, std::size_t t) { return job.progress(d, t); };
                try {
                    fresh = rm::importCatalog(path, o);
                } catch (const rm::InputError& e) {
                    throw rm::Error(std::string(e.what()) +
                                    (o.onBadRow == rm::BadRowPolicy::Abort && e.row() > 0
                                         ? "\nnothing was imported; fix the row, or choose to skip bad rows"
                                         : ""));
                }
            }
            const rm::ImportedCatalog& c = read ? *read : fresh;
            auto store = rm::ProjectStore::open(project);
            const std::int64_t id =
                store->addCatalog(name.toStdString(), c, role, labelColumn,
                                  [&job](std::size_t d, std::size_t t) { return job.progress(d, t); });
            const rm::CatalogInfo info = store->catalog(id);
            return tr("Imported %L1 rows into catalog '%2' (%L3 skipped); positions from %4")
                .arg(info.rowCount)
                .arg(name)
                .arg(c.skipped.size())
                .arg(positionText(info.position));
        },
        [this, name](bool ok, const QString&) {
            if (!ok) return;
            m_imported = name;
            m_wizard->noteChange();
            m_wizard->next();
        });
}

} // namespace rm::ui
