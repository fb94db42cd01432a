#pragma once
// What the window shows when no project is open: what RingMiner is, and the ways in (new, open, recent, demo)
// instead of an empty window.
#include <QWidget>

class QListWidget;
class QPushButton;
class QLabel;

namespace rm::ui {

class WelcomePanel : public QWidget
{
    Q_OBJECT
public:
    explicit WelcomePanel(QWidget* parent = nullptr);

    void setRecentProjects(const QStringList& paths);
    // The demo button is shown only when there is a way to make it (ringminer-cli next to the app).
    void setDemoAvailable(bool available, const QString& demoPath);
    void setMessage(const QString& text); // e.g. why the last project did not open

    QPushButton* newButton() const { return m_new; }
    QPushButton* openButton() const { return m_open; }
    QPushButton* demoButton() const { return m_demo; }

Q_SIGNALS:
    void newProjectRequested();
    void openProjectRequested();
    void openPathRequested(QString path);
    void demoRequested();

private:
    QPushButton* m_new;
    QPushButton* m_open;
    QPushButton* m_demo;
    QLabel* m_message;
    QLabel* m_recentTitle;
    QListWidget* m_recent;
};

} // namespace rm::ui
