#include "importer/TargetSetPage.h"
#include "cache/TargetSetCache.h"

#include "importer/ImportWizard.h"
#include "importer/JobStatusBar.h"
#include "store/ProjectStore.h"
#include "tasks/BackgroundJob.h"
#include "util/Error.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <limits>
#include <memory>

namespace rm::ui {

namespace {
QDoubleSpinBox* number(QWidget* parent, double lo, double hi, double value, int decimals,
                       const QString& suffix = {})
{
    auto* box = new QDoubleSpinBox(parent);
    box->setRange(lo, hi);
    box->setDecimals(decimals);
    box->setValue(value);
    box->setSuffix(suffix);
    return box;
}

void setText(QComboBox* box, const std::string& text)
{
    const int i = box->findText(QString::fromStdString(text));
    if (i >= 0)
        box->setCurrentIndex(i);
    else if (box->isEditable())
        box->setEditText(QString::fromStdString(text));
    else
        box->setCurrentIndex(0);
}
} // namespace

TargetSetPage::TargetSetPage(ImportWizard* wizard) : QWizardPage(wizard), m_wizard(wizard)
{
    setTitle(tr("Target set (optional)"));
    setSubTitle(tr("The labelled galaxies a classifier trains and is tested on, with train / val / test "
                   "splits. Leave the name empty to skip."));
    const rm::TargetSetSpec d;
    m_name = new QLineEdit(this);
    m_positives = new QComboBox(this);
    m_positives->addItem(tr("a labelled catalog (its label column gives both classes)"),
                         QStringLiteral("labelled"));
    m_positives->addItem(tr("a rings catalog (every row a ring)"), QStringLiteral("rings"));
    m_labelled = new QComboBox(this);
    m_rings = new QComboBox(this);
    m_images = new QComboBox(this);
    m_images->setToolTip(
        tr("Match the rings to the rows of a catalog with images; the targets are its rows"));
    m_radius = number(this, 0.01, 600, d.radiusArcsec, 2, tr(" arcsec"));
    m_negatives = new QComboBox(this);
    m_ratio = number(this, 0, 100, d.negativesPerPositive, 2, tr(" per positive"));
    m_exclusion = number(this, 0, 600, d.exclusionRadiusArcsec, 2, tr(" arcsec"));
    m_matchColumn = new QComboBox(this);
    m_matchColumn->setEditable(true);
    m_matchColumn->setToolTip(tr("Draw negatives so that this column (e.g. z, mag) follows the positives' "
                                 "distribution"));
    m_bins = new QSpinBox(this);
    m_bins->setRange(1, 1000);
    m_bins->setValue(d.matchBins);
    m_seed = new QSpinBox(this);
    m_seed->setRange(0, std::numeric_limits<int>::max());
    m_seed->setValue(int(d.seed));
    m_train = number(this, 0.01, 0.98, d.trainFraction, 2);
    m_val = number(this, 0.01, 0.98, d.valFraction, 2);
    m_handLabels = new QCheckBox(tr("Hand labels override catalog labels (unsure removes the galaxy)"), this);
    m_handLabels->setChecked(d.useHandLabels);
    auto* buildButton = new QPushButton(tr("Build"), this);

    m_steps = new QTreeWidget(this);
    m_steps->setHeaderLabels({tr("Step"), tr("Count")});
    m_steps->setRootIsDecorated(false);
    m_steps->setAlternatingRowColors(true);
    m_splits = new QTreeWidget(this);
    m_splits->setHeaderLabels({tr("Split"), tr("Ring"), tr("Not ring"), tr("Total")});
    m_splits->setRootIsDecorated(false);
    m_status = new JobStatusBar(wizard->job(), this);

    auto* form = new QFormLayout;
    form->addRow(tr("Name"), m_name);
    form->addRow(tr("Positives from"), m_positives);
    form->addRow(tr("Labelled catalog"), m_labelled);
    auto* ringsRow = new QHBoxLayout;
    ringsRow->addWidget(m_rings, 1);
    ringsRow->addWidget(new QLabel(tr("images from"), this));
    ringsRow->addWidget(m_images, 1);
    ringsRow->addWidget(new QLabel(tr("within"), this));
    ringsRow->addWidget(m_radius);
    form->addRow(tr("Rings catalog"), ringsRow);
    auto* negRow = new QHBoxLayout;
    negRow->addWidget(m_negatives, 1);
    negRow->addWidget(m_ratio);
    negRow->addWidget(new QLabel(tr("not within"), this));
    negRow->addWidget(m_exclusion);
    negRow->addWidget(new QLabel(tr("of a ring"), this));
    form->addRow(tr("Negatives from"), negRow);
    auto* matchRow = new QHBoxLayout;
    matchRow->addWidget(m_matchColumn, 1);
    matchRow->addWidget(new QLabel(tr("bins"), this));
    matchRow->addWidget(m_bins);
    form->addRow(tr("Match distribution of"), matchRow);
    auto* splitRow = new QHBoxLayout;
    splitRow->addWidget(new QLabel(tr("train"), this));
    splitRow->addWidget(m_train);
    splitRow->addWidget(new QLabel(tr("val"), this));
    splitRow->addWidget(m_val);
    splitRow->addWidget(new QLabel(tr("test: the rest · seed"), this));
    splitRow->addWidget(m_seed);
    splitRow->addStretch(1);
    form->addRow(tr("Splits"), splitRow);
    form->addRow(QString(), m_handLabels);
    form->addRow(QString(), buildButton);

    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_steps);
    split->addWidget(m_splits);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(split, 1);
    layout->addWidget(m_status);

    connect(buildButton, &QPushButton::clicked, this, &TargetSetPage::build);
    connect(m_positives, &QComboBox::currentIndexChanged, this, &TargetSetPage::updateEnabled);
    connect(m_negatives, &QComboBox::currentTextChanged, this, [this] {
        const QString keep = m_matchColumn->currentText();
        m_matchColumn->clear();
        m_matchColumn->addItem(QString());
        m_matchColumn->addItems(catalogColumns(m_wizard->store(), m_negatives->currentText()));
        m_matchColumn->setEditText(keep);
        updateEnabled();
    });
    updateEnabled();
}

void TargetSetPage::updateEnabled()
{
    const bool labelled = m_positives->currentData().toString() == QLatin1String("labelled");
    m_labelled->setEnabled(labelled);
    m_rings->setEnabled(!labelled);
    m_images->setEnabled(!labelled);
    m_radius->setEnabled(!labelled);
    const bool negatives = !m_negatives->currentText().isEmpty();
    m_ratio->setEnabled(negatives);
    m_exclusion->setEnabled(negatives);
    m_matchColumn->setEnabled(negatives);
    m_bins->setEnabled(negatives);
}

void TargetSetPage::initializePage()
{
    const QStringList names = catalogNames(m_wizard->store());
    for (QComboBox* box : {m_labelled, m_rings, m_images, m_negatives}) {
        const QString keep = box->currentText();
        box->clear();
        if (box == m_images || box == m_negatives) box->addItem(QString()); // optional
        box->addItems(names);
        box->setCurrentIndex(qMax(0, box->findText(keep)));
    }
    // Sensible first choices from the catalogs' roles.
    for (const rm::CatalogInfo& c : m_wizard->store().catalogs()) {
        if (c.role == rm::CatalogRole::Labelled && m_labelled->currentIndex() <= 0)
            setText(m_labelled, c.name);
        if (c.role == rm::CatalogRole::Rings && m_rings->currentIndex() <= 0) setText(m_rings, c.name);
    }
    updateEnabled();
}

void TargetSetPage::setSpec(const rm::TargetSetSpec& s)
{
    m_name->setText(QString::fromStdString(s.name));
    m_positives->setCurrentIndex(s.labelled.empty() ? 1 : 0);
    if (!s.labelled.empty()) setText(m_labelled, s.labelled);
    if (!s.rings.empty()) setText(m_rings, s.rings);
    setText(m_images, s.images);
    m_radius->setValue(s.radiusArcsec);
    setText(m_negatives, s.negatives);
    m_ratio->setValue(s.negativesPerPositive);
    m_exclusion->setValue(s.exclusionRadiusArcsec);
    m_matchColumn->setEditText(QString::fromStdString(s.matchColumn));
    m_bins->setValue(s.matchBins);
    m_seed->setValue(int(s.seed));
    m_train->setValue(s.trainFraction);
    m_val->setValue(s.valFraction);
    m_handLabels->setChecked(s.useHandLabels);
    updateEnabled();
}

rm::TargetSetSpec TargetSetPage::spec() const
{
    rm::TargetSetSpec s;
    s.name = m_name->text().trimmed().toStdString();
    if (m_positives->currentData().toString() == QLatin1String("labelled")) {
        s.labelled = m_labelled->currentText().toStdString();
    } else {
        s.rings = m_rings->currentText().toStdString();
        s.images = m_images->currentText().toStdString();
        s.radiusArcsec = m_radius->value();
    }
    s.negatives = m_negatives->currentText().toStdString();
    if (!s.negatives.empty()) {
        s.negativesPerPositive = m_ratio->value();
        s.exclusionRadiusArcsec = m_exclusion->value();
        s.matchColumn = m_matchColumn->currentText().trimmed().toStdString();
        s.matchBins = m_bins->value();
    }
    s.seed = std::uint64_t(m_seed->value());
    s.trainFraction = m_train->value();
    s.valFraction = m_val->value();
    s.useHandLabels = m_handLabels->isChecked();
    return s;
}

void TargetSetPage::build()
{
    const rm::TargetSetSpec s = spec();
    if (s.name.empty()) {
        m_status->showMessage(tr("Give the target set a name"), true);
        return;
    }
    if (rm::hasTargetSet(m_wizard->store(), s.name)) {
        m_status->showMessage(
            tr("The project already has a target set named '%1'").arg(QString::fromStdString(s.name)), true);
        return;
    }
    const std::string project = QFile::encodeName(m_wizard->projectPath()).toStdString();
    auto report = std::make_shared<rm::TargetSetReport>();
    const QString key = QString::fromStdString(s.toJson().dump());
    m_wizard->job()->start(
        tr("Building target set %1").arg(QString::fromStdString(s.name)),
        [=](TaskContext& job) {
            auto store = rm::ProjectStore::open(project);
            std::size_t lines = 0;
            // The builder reports each step as it goes; a cancel between steps rolls the whole set back.
            *report = rm::buildTargetSet(*store, s, [&](const std::string& line) {
                job.log(QString::fromStdString(line));
                job.progress(++lines, 0);
                job.throwIfCancelled();
            });
            // Which of its catalogs have no images yet is said now, not at training time.
            rm::addImageWarnings(*store, *report);
            return tr("Target set '%1': %L2 galaxies")
                .arg(QString::fromStdString(s.name))
                .arg(report->total());
        },
        [this, report, key](bool ok, const QString&) {
            if (!ok) return;
            m_built = key;
            m_wizard->noteChange();
            showReport(*report);
        });
}

void TargetSetPage::showReport(const rm::TargetSetReport& r)
{
    m_steps->clear();
    for (const rm::TargetSetStep& step : r.steps) {
        auto* item = new QTreeWidgetItem(
            m_steps, {QString::fromStdString(step.what), QStringLiteral("%L1").arg(step.count)});
        item->setTextAlignment(1, Qt::AlignRight | Qt::AlignVCenter);
    }
    // The steps set the first column's width; a warning (often a long sentence) spans both columns, so it
    // never pushes the counts out of sight.
    m_steps->resizeColumnToContents(0);
    for (const std::string& w : r.warnings) {
        const QString text = tr("warning: %1").arg(QString::fromStdString(w));
        auto* item = new QTreeWidgetItem(m_steps, {text});
        item->setForeground(0, QColor(220, 150, 30));
        item->setToolTip(0, text);
        item->setFirstColumnSpanned(true);
    }
    m_splits->clear();
    std::size_t ring = 0, notRing = 0;
    for (int sp = 0; sp < 3; ++sp) {
        const auto& c = r.counts[std::size_t(sp)];
        ring += c[1];
        notRing += c[0];
        new QTreeWidgetItem(m_splits, {QString::fromLatin1(rm::splitName(sp)), QString::number(c[1]),
                                       QString::number(c[0]), QString::number(c[0] + c[1])});
    }
    auto* all = new QTreeWidgetItem(m_splits, {tr("all"), QString::number(ring), QString::number(notRing),
                                               QString::number(ring + notRing)});
    QFont bold = all->font(0);
    bold.setBold(true);
    for (int c = 0; c < 4; ++c)
        all->setFont(c, bold);
}

bool TargetSetPage::isComplete() const
{
    return !m_wizard->job()->busy();
}

bool TargetSetPage::validatePage()
{
    if (m_wizard->job()->busy()) return false;
    if (m_name->text().trimmed().isEmpty()) return true;
    if (m_built == QString::fromStdString(spec().toJson().dump())) return true;
    build(); // the report stays on the page; Finish again closes
    return false;
}

} // namespace rm::ui
