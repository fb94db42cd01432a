#include "importer/CrossMatchPage.h"

#include "importer/ImportWizard.h"
#include "importer/JobStatusBar.h"
#include "store/ProjectStore.h"
#include "targets/CatalogMatch.h"
#include "tasks/BackgroundJob.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <memory>

namespace rm::ui {

CrossMatchPage::CrossMatchPage(ImportWizard* wizard) : QWizardPage(wizard), m_wizard(wizard)
{
    setTitle(tr("Cross-match (optional)"));
    setSubTitle(tr("Match two catalogs by position: the pairs are stored, and rows whose labels disagree "
                   "are listed. Leave the second catalog empty to skip."));
    m_a = new QComboBox(this);
    m_b = new QComboBox(this);
    m_radius = new QDoubleSpinBox(this);
    m_radius->setRange(0.01, 600);
    m_radius->setValue(5.0);
    m_radius->setSuffix(tr(" arcsec"));
    auto* run = new QPushButton(tr("Match"), this);
    m_result = new QLabel(this);
    m_result->setWordWrap(true);
    m_conflicts = new QTreeWidget(this);
    m_conflicts->setHeaderLabels({tr("Row A"), tr("Row B"), tr("Separation ″"), tr("Conflict")});
    m_conflicts->setRootIsDecorated(false);
    m_conflicts->setAlternatingRowColors(true);
    m_status = new JobStatusBar(wizard->job(), this);

    auto* form = new QFormLayout;
    form->addRow(tr("Catalog A"), m_a);
    form->addRow(tr("Catalog B"), m_b);
    form->addRow(tr("Radius"), m_radius);
    form->addRow(QString(), run);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_result);
    layout->addWidget(m_conflicts, 1);
    layout->addWidget(m_status);

    connect(run, &QPushButton::clicked, this, &CrossMatchPage::match);
}

void CrossMatchPage::initializePage()
{
    const QStringList names = catalogNames(m_wizard->store());
    const QString a = m_a->currentText(), b = m_b->currentText();
    m_a->clear();
    m_a->addItems(names);
    m_b->clear();
    m_b->addItem(QString()); // skip
    m_b->addItems(names);
    m_a->setCurrentIndex(qMax(0, names.indexOf(a)));
    m_b->setCurrentIndex(qMax(0, m_b->findText(b)));
}

void CrossMatchPage::setCatalogs(const QString& a, const QString& b)
{
    m_a->setCurrentIndex(qMax(0, m_a->findText(a)));
    m_b->setCurrentIndex(b.isEmpty() ? 0 : qMax(0, m_b->findText(b)));
}

void CrossMatchPage::setRadius(double arcsec)
{
    m_radius->setValue(arcsec);
}

QString CrossMatchPage::resultText() const
{
    return m_result->text();
}

int CrossMatchPage::conflictCount() const
{
    return m_conflicts->topLevelItemCount();
}

void CrossMatchPage::match()
{
    const QString a = m_a->currentText(), b = m_b->currentText();
    if (a.isEmpty() || b.isEmpty()) {
        m_status->showMessage(tr("Choose two catalogs"), true);
        return;
    }
    const double radius = m_radius->value();
    const std::string project = QFile::encodeName(m_wizard->projectPath()).toStdString();
    auto summary = std::make_shared<rm::CatalogMatchSummary>();
    const QString key = QStringLiteral("%1|%2|%3").arg(a, b).arg(radius);
    m_wizard->job()->start(
        tr("Cross-matching %1 with %2").arg(a, b),
        [=](TaskContext& job) {
            auto store = rm::ProjectStore::open(project);
            *summary = rm::matchCatalogs(*store, a.toStdString(), b.toStdString(), radius,
                                         [&job](std::size_t d, std::size_t t) { return job.progress(d, t); });
            return tr("Cross-match stored (%1 s)").arg(summary->seconds, 0, 'f', 2);
        },
        [this, summary, key](bool ok, const QString&) {
            m_conflicts->clear();
            if (!ok) {
                m_result->clear();
                return;
            }
            m_done = key;
            m_wizard->noteChange();
            const rm::CatalogMatchSummary& s = *summary;
            m_result->setText(tr("<b>%L1 of %L2</b> rows of %3 have a match in %4 within %5″ (%L6 pairs). "
                                 "%L7 matched pairs carry a label on both sides; <b>%L8 disagree</b>.")
                                  .arg(s.matchedRows)
                                  .arg(s.rowsA)
                                  .arg(QString::fromStdString(s.catalogA).toHtmlEscaped(),
                                       QString::fromStdString(s.catalogB).toHtmlEscaped())
                                  .arg(s.radiusArcsec)
                                  .arg(s.pairs)
                                  .arg(s.labelComparisons)
                                  .arg(s.conflicts.size()));
            for (const rm::LabelConflict& c : s.conflicts)
                new QTreeWidgetItem(m_conflicts, {QString::number(c.rowA), QString::number(c.rowB),
                                                  QString::number(c.separationArcsec, 'f', 2),
                                                  QString::fromStdString(c.description)});
            for (int col = 0; col < 3; ++col)
                m_conflicts->resizeColumnToContents(col);
        });
}

bool CrossMatchPage::isComplete() const
{
    return !m_wizard->job()->busy();
}

bool CrossMatchPage::validatePage()
{
    if (m_wizard->job()->busy()) return false;
    if (m_b->currentText().isEmpty()) return true;
    const QString key =
        QStringLiteral("%1|%2|%3").arg(m_a->currentText(), m_b->currentText()).arg(m_radius->value());
    if (key == m_done) return true;
    match(); // the result stays on the page; Next again goes on
    return false;
}

} // namespace rm::ui
