#pragma once
// Import step (c), optional: cross-match two catalogs of the project within a radius (core's matchCatalogs,
// as `ringminer-cli xmatch`), stored in the project, showing how many rows matched and where the two
// catalogs' labels disagree.
#include <QWizardPage>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QTreeWidget;

namespace rm::ui {

class ImportWizard;
class JobStatusBar;

class CrossMatchPage : public QWizardPage
{
    Q_OBJECT
public:
    explicit CrossMatchPage(ImportWizard* wizard);

    void setCatalogs(const QString& a, const QString& b); // b empty: skip the step
    void setRadius(double arcsec);
    void match(); // starts the cross-match

    QString resultText() const;
    int conflictCount() const;
    QTreeWidget* conflictsTree() const { return m_conflicts; }

    void initializePage() override;
    bool isComplete() const override;
    bool validatePage() override;

private:
    ImportWizard* m_wizard;
    QComboBox* m_a;
    QComboBox* m_b;
    QDoubleSpinBox* m_radius;
    QLabel* m_result;
    QTreeWidget* m_conflicts;
    JobStatusBar* m_status;
    QString m_done; // "a|b|radius" of the match shown
};

} // namespace rm::ui
