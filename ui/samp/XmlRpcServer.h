#pragma once
// The HTTP end of a callable SAMP client: a server on 127.0.0.1 (a free port) that answers XML-RPC POSTs.
// Each request's body goes to the handler, whose returned methodResponse (or fault) is sent back; one request
// per connection (Connection: close). Requests that are not a POST with a Content-Length body of at most
// kMaxBody bytes are refused with the matching HTTP status; a client that stalls is dropped after a timeout.
#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QUrl>

#include <functional>

class QTcpServer;
class QTcpSocket;

namespace rm::ui {

class XmlRpcServer : public QObject
{
    Q_OBJECT
public:
    static constexpr qint64 kMaxHeader = 64 * 1024;
    static constexpr qint64 kMaxBody = 64 * 1024 * 1024; // a row list of a million rows is about 30 MB
    static constexpr int kStallMs = 30000;

    // Gets the request body, returns the XML-RPC response body. It must not throw.
    using Handler = std::function<QByteArray(const QByteArray& body)>;

    explicit XmlRpcServer(Handler handler, QObject* parent = nullptr);
    ~XmlRpcServer() override;

    // Listens on 127.0.0.1 at a free port; false (and errorString) when it cannot.
    bool listen();
    void close();
    bool isListening() const;
    QUrl url() const; // http://127.0.0.1:PORT/
    QString errorString() const;

private:
    void onConnection();
    void onReadable(QTcpSocket* socket);
    void respond(QTcpSocket* socket, int status, const QByteArray& reason, const QByteArray& body,
                 const QByteArray& contentType = "text/plain");

    struct Pending
    {
        QByteArray data;
        qint64 bodyStart = -1; // known once the header is complete
        qint64 length = -1;
        bool answered = false;
    };

    Handler m_handler;
    QTcpServer* m_server;
    QHash<QTcpSocket*, Pending> m_pending;
};

} // namespace rm::ui
