#pragma once
// Import step (d), optional: build a target set (core's buildTargetSet, as `ringminer-cli targets build`):
// positives from a labelled catalog or a rings catalog (optionally matched to an images catalog), negatives
// from a parent catalog (optionally following the positives' distribution of a column), seeded stratified
// splits; shows the count at every step, the split table and the warnings.
#include "targets/TargetSetBuilder.h"

#include <QWizardPage>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;
class QTreeWidget;

namespace rm::ui {

class ImportWizard;
class JobStatusBar;

class TargetSetPage : public QWizardPage
{
    Q_OBJECT
public:
    explicit TargetSetPage(ImportWizard* wizard);

    // Fills the form from a spec (name, catalogs, radii, negatives, match column, splits, seed).
    void setSpec(const rm::TargetSetSpec& spec);
    rm::TargetSetSpec spec() const;
    void build(); // starts building

    bool built() const { return !m_built.isEmpty(); }
    QTreeWidget* stepsTree() const { return m_steps; }
    QTreeWidget* splitsTree() const { return m_splits; }
    JobStatusBar* status() const { return m_status; }

    void initializePage() override;
    bool isComplete() const override;
    bool validatePage() override;

private:
    void showReport(const rm::TargetSetReport& report);
    void updateEnabled();

    ImportWizard* m_wizard;
    QLineEdit* m_name;
    QComboBox* m_positives;
    QComboBox* m_labelled;
    QComboBox* m_rings;
    QComboBox* m_images;
    QDoubleSpinBox* m_radius;
    QComboBox* m_negatives;
    QDoubleSpinBox* m_ratio;
    QDoubleSpinBox* m_exclusion;
    QComboBox* m_matchColumn;
    QSpinBox* m_bins;
    QSpinBox* m_seed;
    QDoubleSpinBox* m_train;
    QDoubleSpinBox* m_val;
    QCheckBox* m_handLabels;
    QTreeWidget* m_steps;
    QTreeWidget* m_splits;
    JobStatusBar* m_status;
    QString m_built; // the spec (as JSON) of the set shown
};

} // namespace rm::ui
