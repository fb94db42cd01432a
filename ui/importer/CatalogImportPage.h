#pragma once
// Import step (a): a catalog file with its name, role, position columns (detected by core's
// PositionDetector, shown, and overridable) and bad-row policy. Preview reads the file on the worker and
// shows the first rows, the detected positions and every problem row with its file, row and column; Next
// stores it (reusing the preview's read when nothing changed since).
#include "catalog/CatalogReader.h"

#include <QWizardPage>

#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QRadioButton;
class QTableWidget;
class QTreeWidget;

namespace rm::ui {

class ImportWizard;
class JobStatusBar;

class CatalogImportPage : public QWizardPage
{
    Q_OBJECT
public:
    explicit CatalogImportPage(ImportWizard* wizard);

    void setFile(const QString& path); // also proposes a name
    void setCatalogName(const QString& name);
    void setRole(const QString& role); // other, rings, images, parent, labelled
    void setLabelColumn(const QString& column);
    // Empty columns: detect. iauName: take positions from that name column instead.
    void setPositionColumns(const QString& ra, const QString& dec, const QString& iauName = {});
    void setSkipBadRows(bool skip);
    void preview(); // starts reading on the worker

    QString importedCatalog() const { return m_imported; } // the name stored by the last import
    QString detectedPosition() const;                      // "_RAJ2000 / _DEJ2000 (degrees)"
    QTreeWidget* issuesTree() const { return m_issues; }
    QTableWidget* previewTable() const { return m_preview; }
    JobStatusBar* status() const { return m_status; }

    bool isComplete() const override;
    bool validatePage() override;
    int nextId() const override;

private:
    rm::ImportOptions options() const;
    void changed(); // an input changed: the preview and the import are stale
    void showPreview();
    void showError(const QString& message);
    void startImport();

    ImportWizard* m_wizard;
    QLineEdit* m_file;
    QLineEdit* m_name;
    QComboBox* m_role;
    QComboBox* m_labelColumn;
    QComboBox* m_format;
    QComboBox* m_ra;
    QComboBox* m_dec;
    QComboBox* m_iau;
    QRadioButton* m_abort;
    QRadioButton* m_skip;
    QLabel* m_detected;
    QTableWidget* m_preview;
    QTreeWidget* m_issues;
    JobStatusBar* m_status;

    // Filled on the worker, read on the GUI thread only after the job finished.
    std::shared_ptr<rm::ImportedCatalog> m_read;
    bool m_previewCurrent = false;
    bool m_importAfterRead = false;
    QString m_imported;
};

} // namespace rm::ui
