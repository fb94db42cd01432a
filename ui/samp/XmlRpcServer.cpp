#include "samp/XmlRpcServer.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

namespace rm::ui {

XmlRpcServer::XmlRpcServer(Handler handler, QObject* parent)
    : QObject(parent), m_handler(std::move(handler)), m_server(new QTcpServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, &XmlRpcServer::onConnection);
}

XmlRpcServer::~XmlRpcServer() = default;

bool XmlRpcServer::listen()
{
    if (m_server->isListening()) return true;
    return m_server->listen(QHostAddress::LocalHost, 0);
}

void XmlRpcServer::close()
{
    m_server->close();
}

bool XmlRpcServer::isListening() const
{
    return m_server->isListening();
}

QUrl XmlRpcServer::url() const
{
    if (!m_server->isListening()) return {};
    return QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(m_server->serverPort()));
}

QString XmlRpcServer::errorString() const
{
    return m_server->errorString();
}

void XmlRpcServer::onConnection()
{
    while (QTcpSocket* socket = m_server->nextPendingConnection()) {
        m_pending.insert(socket, {});
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QObject::destroyed, this, [this, socket] { m_pending.remove(socket); });
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadable(socket); });
        // A client that never finishes its request does not hold a socket for ever.
        auto* stall = new QTimer(socket);
        stall->setSingleShot(true);
        connect(stall, &QTimer::timeout, socket, [socket] { socket->abort(); });
        stall->start(kStallMs);
        if (socket->bytesAvailable() > 0) onReadable(socket);
    }
}

void XmlRpcServer::respond(QTcpSocket* socket, int status, const QByteArray& reason, const QByteArray& body,
                           const QByteArray& contentType)
{
    QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason + "\r\n";
    head += "Content-Type: " + contentType + "\r\n";
    head += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    head += "Connection: close\r\n\r\n";
    socket->write(head + body);
    socket->disconnectFromHost(); // after the bytes are written
    auto it = m_pending.find(socket);
    if (it != m_pending.end()) {
        it->answered = true; // anything more it sends is ignored
        it->data.clear();
    }
}

void XmlRpcServer::onReadable(QTcpSocket* socket)
{
    auto it = m_pending.find(socket);
    if (it == m_pending.end()) return;
    Pending& p = *it;
    if (p.answered) {
        socket->readAll();
        return;
    }
    const qsizetype before = p.data.size();
    p.data += socket->readAll();
    if (p.bodyStart < 0) {
        // Only the new bytes (and the three before them) can complete the blank line.
        const qsizetype headerEnd = p.data.indexOf("\r\n\r\n", qMax<qsizetype>(0, before - 3));
        if (headerEnd < 0) {
            if (p.data.size() > kMaxHeader)
                respond(socket, 431, "Request Header Fields Too Large", "request header too large\n");
            return;
        }
        const QList<QByteArray> lines = p.data.left(headerEnd).split('\n');
        const QList<QByteArray> request = lines.value(0).trimmed().split(' ');
        if (request.size() != 3 || !request[2].startsWith("HTTP/1."))
            return respond(socket, 400, "Bad Request", "malformed request line\n");
        if (request[0] != "POST")
            return respond(socket, 405, "Method Not Allowed", "XML-RPC takes POST requests\n");
        for (int i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines[i].trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0) return respond(socket, 400, "Bad Request", "malformed header line\n");
            const QByteArray name = line.left(colon).trimmed().toLower();
            const QByteArray value = line.mid(colon + 1).trimmed();
            if (name == "content-length") {
                bool ok = false;
                p.length = value.toLongLong(&ok);
                if (!ok || p.length < 0) return respond(socket, 400, "Bad Request", "bad Content-Length\n");
            } else if (name == "transfer-encoding" && value.toLower() != "identity") {
                return respond(socket, 411, "Length Required", "send the body with a Content-Length\n");
            }
        }
        if (p.length < 0)
            return respond(socket, 411, "Length Required", "a Content-Length header is required\n");
        if (p.length > kMaxBody) return respond(socket, 413, "Payload Too Large", "request body too large\n");
        p.bodyStart = headerEnd + 4;
    }
    if (p.data.size() - p.bodyStart < p.length) return;
    const QByteArray body = p.data.mid(p.bodyStart, p.length);
    respond(socket, 200, "OK", m_handler(body), "text/xml");
}

} // namespace rm::ui
