#pragma once
// The SAMP controls of the window: the status-bar indicator (hub connected or not, how many clients, a menu
// to connect, reconnect or disconnect and the clients by name) and the "Send to" menus, which list every
// client subscribed to the message's mtype when they open.
#include <QToolButton>

#include <functional>

class QMenu;

namespace rm::ui {

class SampClient;

class SampStatusWidget : public QToolButton
{
    Q_OBJECT
public:
    explicit SampStatusWidget(SampClient* client, QWidget* parent = nullptr);

private:
    void update();
    void fillMenu();

    SampClient* m_client;
    QMenu* m_menu;
};

// A "Send to" submenu for mtype: "All subscribed clients" and each subscriber by name; when disconnected, one
// entry that says so and one that connects. send(recipient) gets "" for all clients.
QMenu* makeSampSendMenu(const QString& title, SampClient* client, const QString& mtype,
                        std::function<void(const QString& recipient)> send, QWidget* parent);

} // namespace rm::ui
