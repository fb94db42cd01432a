#pragma once
// Import step (b): where a catalog's images come from: a folder of JPEG/PNG or FITS files found by a
// file-name template over the catalog's columns, or a cutout service (Legacy Surveys, SDSS) with its
// parameters. A live check on the worker says how many of the catalog's rows have an image ("found 377 of 377
// images"); Next stores the spec (ProjectStore::setImageSourceSpec), as `ringminer-cli cutouts source` does.
#include <QWizardPage>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QStackedWidget;
class QTimer;

namespace rm::ui {

class ImportWizard;
class JobStatusBar;

class ImageSourcePage : public QWizardPage
{
    Q_OBJECT
public:
    static constexpr int kCheckRows = 5000; // rows probed by the live check (the first ones)

    explicit ImageSourcePage(ImportWizard* wizard);

    void setCatalog(const QString& name);
    // kind: "none", "folder", "fits", "legacysurvey", "sdss"
    void setKind(const QString& kind);
    void setFolder(const QString& dir, const QString& fileTemplate);
    void setService(const QString& layer, double pixscale, int size);
    void check(); // starts the live check now

    QString checkText() const;
    int foundImages() const { return m_found; }
    int checkedRows() const { return m_checked; }
    QString storedSpec() const { return m_stored; }

    void initializePage() override;
    bool isComplete() const override;
    bool validatePage() override;

private:
    QString kind() const;
    QString specJson() const; // empty when the inputs do not make a spec yet
    void inputsChanged();
    void showColumns();

    ImportWizard* m_wizard;
    QComboBox* m_catalog;
    QComboBox* m_kind;
    QStackedWidget* m_stack;
    QLineEdit* m_dir;
    QLineEdit* m_template;
    QLabel* m_columns;
    QLineEdit* m_layer;
    QDoubleSpinBox* m_pixscale;
    QSpinBox* m_size;
    QLabel* m_check;
    JobStatusBar* m_status;
    QTimer* m_debounce;
    bool m_recheck = false;
    int m_found = -1, m_checked = 0;
    QString m_checkedSpec;
    QString m_stored;
};

} // namespace rm::ui
