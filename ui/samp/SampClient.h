#pragma once
// RingMiner as a SAMP client (IVOA SAMP 1.3, Standard Profile): registers with the hub its lockfile names,
// declares its metadata and subscriptions, is callable through a small XML-RPC server on 127.0.0.1, keeps the
// list of the other clients (names, subscriptions) from the hub's events, sends notifications to one client
// or all subscribed ones, and hands the messages it receives on as messageReceived. Every hub call is
// asynchronous (the GUI never waits on the hub) with a timeout; a heartbeat ping notices a hub that died
// without saying so, and any failed call leaves the client disconnected with the reason in lastError().
#include <QHash>
#include <QObject>
#include <QUrl>
#include <QVariantMap>

#include <functional>

class QNetworkAccessManager;
class QTimer;

namespace rm::ui {

class XmlRpcServer;

struct SampPeer
{
    QString id;
    QString name; // samp.name, or the id while the hub has not told it
    QVariantMap metadata;
    QVariantMap subscriptions; // mtype (possibly a wildcard such as "table.*") -> annotations

    bool subscribedTo(const QString& mtype) const;
};

class SampClient : public QObject
{
    Q_OBJECT
public:
    enum class State
    {
        Disconnected,
        Connecting,
        Connected
    };
    Q_ENUM(State)

    // The mtypes RingMiner receives (beyond the hub's own events).
    static const QStringList& receivedMtypes();

    explicit SampClient(QObject* parent = nullptr);
    ~SampClient() override; // unregisters

    // Finds the hub ($SAMP_HUB or ~/.samp), registers and subscribes; stateChanged follows. Reconnects when
    // already connected.
    void connectToHub();
    // Unregisters (waiting at most a second for the hub) and stops listening.
    void disconnectFromHub();

    State state() const { return m_state; }
    bool isConnected() const { return m_state == State::Connected; }
    // Why the client is disconnected (no hub, the hub shut down, stopped answering...); empty when connected.
    QString lastError() const { return m_lastError; }
    QString selfId() const { return m_selfId; }
    QString hubId() const { return m_hubId; }
    QUrl hubUrl() const { return m_hubUrl; }
    QUrl callbackUrl() const;

    // The other clients (not RingMiner, not the hub), by name.
    QList<SampPeer> clients() const;
    QList<SampPeer> subscribers(const QString& mtype) const;
    QString clientName(const QString& id) const;

    // Call timeout and heartbeat period (tests shorten them).
    void setTimeouts(int callMs, int heartbeatMs);

    // Notifies recipient (empty: every client subscribed to mtype). done(ok, message) runs on the GUI thread:
    // the names of the clients that got it, or why it failed (not connected, nobody subscribed, a hub error).
    using Done = std::function<void(bool ok, const QString& message)>;
    void notify(const QString& recipient, const QString& mtype, const QVariantMap& params, Done done);

Q_SIGNALS:
    void stateChanged(rm::ui::SampClient::State state);
    void clientsChanged();
    // A message another client sent (notification or call), other than the hub's events.
    void messageReceived(const QString& senderId, const QString& mtype, const QVariantMap& params);

private:
    using Ok = std::function<void(const QVariant& result)>;
    using Fail = std::function<void(const QString& message)>;
    void call(const QString& method, const QVariantList& params, Ok ok, Fail fail);
    // With the private key first.
    void hubCall(const QString& method, QVariantList params, Ok ok, Fail fail = {});
    void setState(State state);
    void dropConnection(const QString& reason);
    void fetchClient(const QString& id);
    QByteArray onCallback(const QByteArray& body);
    void handleMessage(const QString& sender, const QVariantMap& message);
    void heartbeat();
    bool unregisterNow(int timeoutMs);

    QNetworkAccessManager* m_net;
    XmlRpcServer* m_server;
    QTimer* m_heartbeat;
    State m_state = State::Disconnected;
    QString m_lastError;
    QUrl m_hubUrl;
    QString m_privateKey, m_selfId, m_hubId;
    QHash<QString, SampPeer> m_peers;
    quint64 m_generation = 0; // answers to calls of an earlier connection are ignored
    int m_callMs = 5000;
    bool m_pingInFlight = false;
};

} // namespace rm::ui
