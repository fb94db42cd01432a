#pragma once
// A wizard page's view of the background job: what runs, a progress bar, Cancel, and the outcome (an error
// in red, with the core's message as it is).
#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;

namespace rm::ui {

class BackgroundJob;

class JobStatusBar : public QWidget
{
    Q_OBJECT
public:
    JobStatusBar(BackgroundJob* job, QWidget* parent = nullptr);

    void showMessage(const QString& text, bool error = false);
    QString message() const;
    bool showsError() const { return m_error; }
    QPushButton* cancelButton() const { return m_cancel; }

private:
    BackgroundJob* m_job;
    QProgressBar* m_bar;
    QPushButton* m_cancel;
    QLabel* m_text;
    bool m_error = false;
    bool m_mine = false; // the running job was started while this page showed
};

} // namespace rm::ui
