#include "samp/SampClient.h"

#include "samp/SampLockfile.h"
#include "samp/XmlRpc.h"
#include "samp/XmlRpcServer.h"

#include <QCoreApplication>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QPointer>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>

namespace rm::ui {

namespace {

QString mtypeOf(const QVariantMap& message)
{
    return message.value(QStringLiteral("samp.mtype")).toString();
}

bool matches(const QString& pattern, const QString& mtype)
{
    // SAMP wildcards: "*" alone, or "prefix.*" matching prefix and everything under it.
    if (pattern == u"*") return true;
    if (pattern.endsWith(QStringLiteral(".*"))) {
        const QString prefix = pattern.left(pattern.size() - 2);
        return mtype == prefix || mtype.startsWith(prefix + u'.');
    }
    return pattern == mtype;
}

const QString kOk = QStringLiteral("samp.ok");

} // namespace

bool SampPeer::subscribedTo(const QString& mtype) const
{
    for (auto it = subscriptions.begin(); it != subscriptions.end(); ++it)
        if (matches(it.key(), mtype)) return true;
    return false;
}

const QStringList& SampClient::receivedMtypes()
{
    static const QStringList mtypes{QStringLiteral("table.select.rowList"),
                                    QStringLiteral("table.highlight.row")};
    return mtypes;
}

SampClient::SampClient(QObject* parent)
    : QObject(parent), m_net(new QNetworkAccessManager(this)),
      m_server(new XmlRpcServer([this](const QByteArray& body) { return onCallback(body); }, this)),
      m_heartbeat(new QTimer(this))
{
    m_net->setProxy(QNetworkProxy::NoProxy); // the hub is on this machine, whatever http_proxy says
    m_heartbeat->setInterval(3000);
    connect(m_heartbeat, &QTimer::timeout, this, &SampClient::heartbeat);
}

SampClient::~SampClient()
{
    if (!m_privateKey.isEmpty()) unregisterNow(1000);
}

void SampClient::setTimeouts(int callMs, int heartbeatMs)
{
    m_callMs = callMs;
    m_heartbeat->setInterval(heartbeatMs);
}

QUrl SampClient::callbackUrl() const
{
    return m_server->url();
}

void SampClient::setState(State state)
{
    if (state == m_state) return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void SampClient::dropConnection(const QString& reason)
{
    ++m_generation;
    m_heartbeat->stop();
    m_pingInFlight = false;
    m_server->close();
    m_privateKey.clear();
    m_selfId.clear();
    m_hubId.clear();
    const bool hadPeers = !m_peers.isEmpty();
    m_peers.clear();
    m_lastError = reason;
    if (hadPeers) Q_EMIT clientsChanged();
    setState(State::Disconnected);
}

void SampClient::connectToHub()
{
    if (!m_privateKey.isEmpty()) unregisterNow(1000);
    dropConnection({});
    SampHubInfo hub;
    try {
        hub = readSampLockfile(sampLockfilePath());
    } catch (const rm::Error& e) {
        dropConnection(QString::fromStdString(e.what()));
        return;
    }
    if (!m_server->listen()) {
        dropConnection(tr("cannot listen for SAMP messages on 127.0.0.1: %1").arg(m_server->errorString()));
        return;
    }
    m_hubUrl = hub.xmlrpcUrl;
    setState(State::Connecting);
    const auto fail = [this](const QString& message) { dropConnection(message); };
    call(
        QStringLiteral("samp.hub.register"), {hub.secret},
        [this, fail](const QVariant& result) {
            const QVariantMap r = result.toMap();
            m_privateKey = r.value(QStringLiteral("samp.private-key")).toString();
            m_selfId = r.value(QStringLiteral("samp.self-id")).toString();
            m_hubId = r.value(QStringLiteral("samp.hub-id")).toString();
            if (m_privateKey.isEmpty())
                return fail(tr("the SAMP hub at %1 did not give a private key").arg(m_hubUrl.toString()));
            const QVariantMap metadata{
                {QStringLiteral("samp.name"), QStringLiteral("RingMiner")},
                {QStringLiteral("samp.description.text"),
                 QStringLiteral(
                     "Ring galaxy workbench: catalogs, cutouts, classifiers and mined candidates")},
                {QStringLiteral("ringminer.version"), QCoreApplication::applicationVersion()},
            };
            QVariantMap subscriptions;
            for (const QString& mtype : receivedMtypes() + QStringList{QStringLiteral("samp.hub.event.*"),
                                                                       QStringLiteral("samp.hub.disconnect"),
                                                                       QStringLiteral("samp.app.ping")})
                subscriptions.insert(mtype, QVariantMap());
            hubCall(
                QStringLiteral("samp.hub.setXmlrpcCallback"), {m_server->url().toString()},
                [this, metadata, subscriptions, fail](const QVariant&) {
                    hubCall(
                        QStringLiteral("samp.hub.declareMetadata"), {metadata},
                        [this, subscriptions, fail](const QVariant&) {
                            hubCall(
                                QStringLiteral("samp.hub.declareSubscriptions"), {subscriptions},
                                [this, fail](const QVariant&) {
                                    setState(State::Connected);
                                    m_heartbeat->start();
                                    hubCall(QStringLiteral("samp.hub.getRegisteredClients"), {},
                                            [this](const QVariant& ids) {
                                                for (const QVariant& id : ids.toList())
                                                    fetchClient(id.toString());
                                            });
                                },
                                fail);
                        },
                        fail);
                },
                fail);
        },
        [this, hub](const QString& message) {
            dropConnection(tr("the SAMP hub named by %1 does not answer: %2").arg(hub.lockfile, message));
        });
}

void SampClient::disconnectFromHub()
{
    if (!m_privateKey.isEmpty()) unregisterNow(1000);
    dropConnection(tr("disconnected"));
}

void SampClient::call(const QString& method, const QVariantList& params, Ok ok, Fail fail)
{
    QByteArray body;
    try {
        body = encodeXmlRpcCall(method, params);
    } catch (const XmlRpcError& e) {
        if (fail) fail(QStringLiteral("%1: %2").arg(method, QString::fromStdString(e.what())));
        return;
    }
    QNetworkRequest request(m_hubUrl);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("text/xml"));
    request.setTransferTimeout(m_callMs);
    QNetworkReply* reply = m_net->post(request, body);
    const quint64 generation = m_generation;
    connect(reply, &QNetworkReply::finished, this, [this, reply, method, generation, ok, fail] {
        reply->deleteLater();
        if (generation != m_generation) return; // a call of a connection since dropped
        QString error;
        if (reply->error() != QNetworkReply::NoError) {
            error = QStringLiteral("%1: %2").arg(method, reply->errorString());
        } else {
            try {
                const QVariant result = decodeXmlRpcResponse(reply->readAll());
                if (ok) ok(result);
                return;
            } catch (const std::exception& e) { // no exception crosses the event loop
                error = QStringLiteral("%1: %2").arg(method, QString::fromStdString(e.what()));
            }
        }
        if (fail) fail(error);
    });
}

void SampClient::hubCall(const QString& method, QVariantList params, Ok ok, Fail fail)
{
    params.prepend(m_privateKey);
    if (!fail) fail = [this](const QString& message) { dropConnection(message); };
    call(method, params, std::move(ok), std::move(fail));
}

void SampClient::fetchClient(const QString& id)
{
    if (id.isEmpty() || id == m_selfId) return;
    SampPeer& peer = m_peers[id];
    peer.id = id;
    if (peer.name.isEmpty()) peer.name = id;
    const auto keep = [](const QString&) {}; // a client that left meanwhile: its event removes it
    hubCall(
        QStringLiteral("samp.hub.getMetadata"), {id},
        [this, id](const QVariant& metadata) {
            auto it = m_peers.find(id);
            if (it == m_peers.end()) return;
            it->metadata = metadata.toMap();
            const QString name = it->metadata.value(QStringLiteral("samp.name")).toString();
            it->name = name.isEmpty() ? id : name;
            Q_EMIT clientsChanged();
        },
        keep);
    hubCall(
        QStringLiteral("samp.hub.getSubscriptions"), {id},
        [this, id](const QVariant& subscriptions) {
            auto it = m_peers.find(id);
            if (it == m_peers.end()) return;
            it->subscriptions = subscriptions.toMap();
            Q_EMIT clientsChanged();
        },
        keep);
    Q_EMIT clientsChanged();
}

QList<SampPeer> SampClient::clients() const
{
    QList<SampPeer> out;
    for (const SampPeer& p : m_peers)
        if (p.id != m_hubId && p.id != m_selfId) out << p;
    std::sort(out.begin(), out.end(), [](const SampPeer& a, const SampPeer& b) {
        return a.name.compare(b.name, Qt::CaseInsensitive) < 0 || (a.name == b.name && a.id < b.id);
    });
    return out;
}

QList<SampPeer> SampClient::subscribers(const QString& mtype) const
{
    QList<SampPeer> out;
    for (const SampPeer& p : clients())
        if (p.subscribedTo(mtype)) out << p;
    return out;
}

QString SampClient::clientName(const QString& id) const
{
    auto it = m_peers.find(id);
    return it == m_peers.end() ? id : it->name;
}

void SampClient::notify(const QString& recipient, const QString& mtype, const QVariantMap& params, Done done)
{
    if (!done) done = [](bool, const QString&) {};
    if (m_state != State::Connected) {
        done(false, m_lastError.isEmpty() ? tr("not connected to a SAMP hub")
                                          : tr("not connected to a SAMP hub (%1)").arg(m_lastError));
        return;
    }
    const QVariantMap message{{QStringLiteral("samp.mtype"), mtype}, {QStringLiteral("samp.params"), params}};
    const auto fail = [done, mtype](const QString& error) {
        done(false, tr("%1 not sent: %2").arg(mtype, error));
    };
    if (!recipient.isEmpty()) {
        const QString name = clientName(recipient);
        hubCall(
            QStringLiteral("samp.hub.notify"), {recipient, message},
            [done, name](const QVariant&) { done(true, tr("sent to %1").arg(name)); }, fail);
        return;
    }
    if (subscribers(mtype).isEmpty()) {
        done(false, tr("no SAMP client is subscribed to %1").arg(mtype));
        return;
    }
    hubCall(
        QStringLiteral("samp.hub.notifyAll"), {message},
        [this, done, mtype](const QVariant& result) {
            QStringList names;
            for (const QVariant& id : result.toList())
                names << clientName(id.toString());
            if (names.isEmpty())
                done(false, tr("no SAMP client is subscribed to %1").arg(mtype));
            else
                done(true, tr("sent to %1").arg(names.join(QStringLiteral(", "))));
        },
        fail);
}

void SampClient::heartbeat()
{
    if (m_state != State::Connected || m_pingInFlight) return;
    m_pingInFlight = true;
    call(
        QStringLiteral("samp.hub.ping"), {}, [this](const QVariant&) { m_pingInFlight = false; },
        [this](const QString& message) {
            m_pingInFlight = false;
            dropConnection(tr("the SAMP hub stopped answering (%1)").arg(message));
        });
}

QByteArray SampClient::onCallback(const QByteArray& body)
{
    XmlRpcCall call;
    try {
        call = decodeXmlRpcCall(body);
    } catch (const XmlRpcError& e) {
        return encodeXmlRpcFault(1, QString::fromStdString(e.what()));
    }
    const QVariantList& p = call.params;
    if (p.isEmpty() || m_privateKey.isEmpty() || p.value(0).toString() != m_privateKey)
        return encodeXmlRpcFault(2, QStringLiteral("wrong private key"));
    try {
        if (call.method == u"samp.client.receiveNotification" && p.size() == 3) {
            handleMessage(p[1].toString(), p[2].toMap());
        } else if (call.method == u"samp.client.receiveCall" && p.size() == 4) {
            const QString mtype = mtypeOf(p[3].toMap());
            const bool known = receivedMtypes().contains(mtype) || mtype == u"samp.app.ping";
            handleMessage(p[1].toString(), p[3].toMap());
            QVariantMap response;
            if (known) {
                response = {{QStringLiteral("samp.status"), kOk},
                            {QStringLiteral("samp.result"), QVariantMap()}};
            } else {
                response = {{QStringLiteral("samp.status"), QStringLiteral("samp.error")},
                            {QStringLiteral("samp.error"),
                             QVariantMap{{QStringLiteral("samp.errortxt"),
                                          QStringLiteral("RingMiner does not handle %1").arg(mtype)}}}};
            }
            const QString msgId = p[2].toString();
            // After this answer has gone: the hub may be waiting for it before it reads the reply.
            QTimer::singleShot(0, this, [this, msgId, response] {
                if (m_state == State::Connected)
                    hubCall(QStringLiteral("samp.hub.reply"), {msgId, response}, {}, [](const QString&) {});
            });
        } else if (call.method == u"samp.client.receiveResponse" && p.size() == 4) {
            // RingMiner only notifies; a response to a call it never made has nothing to go to.
        } else {
            return encodeXmlRpcFault(
                3, QStringLiteral("unknown method %1 with %2 parameters").arg(call.method).arg(p.size()));
        }
        return encodeXmlRpcResponse(QString());
    } catch (const std::exception& e) {
        return encodeXmlRpcFault(4, QString::fromStdString(e.what()));
    }
}

void SampClient::handleMessage(const QString& sender, const QVariantMap& message)
{
    const QString mtype = mtypeOf(message);
    const QVariantMap params = message.value(QStringLiteral("samp.params")).toMap();
    const QString id = params.value(QStringLiteral("id")).toString();
    if (mtype == u"samp.hub.event.shutdown") {
        // Not from inside this answer: dropping closes the server that is answering.
        QTimer::singleShot(0, this, [this] { dropConnection(tr("the SAMP hub shut down")); });
    } else if (mtype == u"samp.hub.disconnect") {
        const QString reason = params.value(QStringLiteral("reason")).toString();
        QTimer::singleShot(0, this, [this, reason] {
            dropConnection(reason.isEmpty() ? tr("the SAMP hub disconnected RingMiner")
                                            : tr("the SAMP hub disconnected RingMiner: %1").arg(reason));
        });
    } else if (mtype == u"samp.hub.event.register") {
        fetchClient(id);
    } else if (mtype == u"samp.hub.event.unregister") {
        if (m_peers.remove(id)) Q_EMIT clientsChanged();
    } else if (mtype == u"samp.hub.event.metadata") {
        if (id == m_selfId || id.isEmpty()) return;
        SampPeer& peer = m_peers[id];
        peer.id = id;
        peer.metadata = params.value(QStringLiteral("metadata")).toMap();
        const QString name = peer.metadata.value(QStringLiteral("samp.name")).toString();
        peer.name = name.isEmpty() ? id : name;
        Q_EMIT clientsChanged();
    } else if (mtype == u"samp.hub.event.subscriptions") {
        if (id == m_selfId || id.isEmpty()) return;
        SampPeer& peer = m_peers[id];
        peer.id = id;
        if (peer.name.isEmpty()) peer.name = id;
        peer.subscriptions = params.value(QStringLiteral("subscriptions")).toMap();
        Q_EMIT clientsChanged();
    } else if (mtype.startsWith(QStringLiteral("samp."))) {
        // samp.app.ping and other administrative messages: nothing to do beyond answering.
    } else {
        Q_EMIT messageReceived(sender, mtype, params);
    }
}

bool SampClient::unregisterNow(int timeoutMs)
{
    // Blocking on purpose (and bounded): this runs when the window closes, when no event loop will deliver an
    // asynchronous answer. A plain HTTP/1.0 POST on a socket.
    QByteArray body;
    try {
        body = encodeXmlRpcCall(QStringLiteral("samp.hub.unregister"), {m_privateKey});
    } catch (const XmlRpcError&) {
        return false;
    }
    m_privateKey.clear();
    QTcpSocket socket;
    socket.setProxy(QNetworkProxy::NoProxy);
    socket.connectToHost(m_hubUrl.host(), quint16(m_hubUrl.port(80)));
    if (!socket.waitForConnected(timeoutMs)) return false;
    const QByteArray path = m_hubUrl.path(QUrl::FullyEncoded).isEmpty()
                                ? QByteArray("/")
                                : m_hubUrl.path(QUrl::FullyEncoded).toUtf8();
    socket.write("POST " + path + " HTTP/1.0\r\nHost: " + m_hubUrl.host().toUtf8() +
                 "\r\nContent-Type: text/xml\r\nContent-Length: " + QByteArray::number(body.size()) +
                 "\r\n\r\n" + body);
    if (!socket.waitForBytesWritten(timeoutMs)) return false;
    // The answer's status line is enough to know the hub took it.
    if (!socket.waitForReadyRead(timeoutMs)) return false;
    return socket.readLine().contains(" 200 ");
}

} // namespace rm::ui
