#include "samp/SampWidgets.h"

#include "samp/SampClient.h"

#include <QMenu>

namespace rm::ui {

SampStatusWidget::SampStatusWidget(SampClient* client, QWidget* parent)
    : QToolButton(parent), m_client(client), m_menu(new QMenu(this))
{
    setObjectName(QStringLiteral("sampStatus"));
    setAutoRaise(true);
    setPopupMode(QToolButton::InstantPopup);
    setToolButtonStyle(Qt::ToolButtonTextOnly);
    setMenu(m_menu);
    connect(m_menu, &QMenu::aboutToShow, this, &SampStatusWidget::fillMenu);
    connect(client, &SampClient::stateChanged, this, &SampStatusWidget::update);
    connect(client, &SampClient::clientsChanged, this, &SampStatusWidget::update);
    update();
}

void SampStatusWidget::update()
{
    const QList<SampPeer> peers = m_client->clients();
    QString text, tip;
    switch (m_client->state()) {
    case SampClient::State::Connected:
        text = peers.size() == 1 ? tr("SAMP: 1 client") : tr("SAMP: %L1 clients").arg(peers.size());
        tip = tr("Connected to the SAMP hub at %1").arg(m_client->hubUrl().toString());
        for (const SampPeer& p : peers)
            tip += QStringLiteral("\n  ") + p.name;
        break;
    case SampClient::State::Connecting:
        text = tr("SAMP: connecting…");
        tip = tr("Registering with the SAMP hub");
        break;
    case SampClient::State::Disconnected:
        text = tr("SAMP: no hub");
        tip = m_client->lastError().isEmpty() ? tr("Not connected to a SAMP hub")
                                              : tr("Not connected: %1").arg(m_client->lastError());
        tip += tr("\nStart TOPCAT, Aladin or another hub, then SAMP > Connect to Hub");
        break;
    }
    setText(QStringLiteral("● ") + text);
    setToolTip(tip);
    const bool on = m_client->isConnected();
    setStyleSheet(on ? QStringLiteral("QToolButton { color: #3fb950; }")
                     : QStringLiteral("QToolButton { color: palette(mid); }"));
}

void SampStatusWidget::fillMenu()
{
    m_menu->clear();
    if (m_client->isConnected()) {
        m_menu->addAction(tr("Reconnect"), m_client, &SampClient::connectToHub);
        m_menu->addAction(tr("Disconnect"), m_client, &SampClient::disconnectFromHub);
        m_menu->addSeparator();
        const QList<SampPeer> peers = m_client->clients();
        if (peers.isEmpty()) m_menu->addAction(tr("No other clients"))->setEnabled(false);
        for (const SampPeer& p : peers)
            m_menu->addAction(p.name)->setEnabled(false);
    } else {
        if (!m_client->lastError().isEmpty()) m_menu->addAction(m_client->lastError())->setEnabled(false);
        m_menu->addAction(tr("Connect to Hub"), m_client, &SampClient::connectToHub);
    }
}

QMenu* makeSampSendMenu(const QString& title, SampClient* client, const QString& mtype,
                        std::function<void(const QString& recipient)> send, QWidget* parent)
{
    auto* menu = new QMenu(title, parent);
    QObject::connect(menu, &QMenu::aboutToShow, menu, [menu, client, mtype, send] {
        menu->clear();
        if (!client->isConnected()) {
            menu->addAction(QObject::tr("Not connected to a SAMP hub"))->setEnabled(false);
            menu->addAction(QObject::tr("Connect to Hub"), client, &SampClient::connectToHub);
            return;
        }
        const QList<SampPeer> peers = client->subscribers(mtype);
        if (peers.isEmpty()) {
            menu->addAction(QObject::tr("No client accepts %1").arg(mtype))->setEnabled(false);
            return;
        }
        menu->addAction(QObject::tr("All Subscribed Clients"), menu, [send] { send(QString()); });
        menu->addSeparator();
        for (const SampPeer& p : peers) {
            const QString id = p.id;
            menu->addAction(p.name, menu, [send, id] { send(id); });
        }
    });
    return menu;
}

} // namespace rm::ui
