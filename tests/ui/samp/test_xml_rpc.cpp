// The SAMP Standard Profile's pieces without a hub: XML-RPC values (strings, lists, maps) both ways and
// against Python's xmlrpc.client, malformed XML-RPC refused with where and what, lockfiles found and parsed,
// and the callback server answering (and refusing) HTTP on 127.0.0.1.
#include "samp/SampLockfile.h"
#include "samp/XmlRpc.h"
#include "samp/XmlRpcServer.h"

#include <QProcess>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

using namespace rm::ui;

class TestXmlRpc : public QObject
{
    Q_OBJECT

    static QVariantMap sampMessage()
    {
        return {{QStringLiteral("samp.mtype"), QStringLiteral("table.select.rowList")},
                {QStringLiteral("samp.params"),
                 QVariantMap{
                     {QStringLiteral("table-id"), QStringLiteral("ringminer-gzd-1")},
                     {QStringLiteral("row-list"), QVariantList{QStringLiteral("0"), QStringLiteral("41")}},
                     {QStringLiteral("note"), QStringLiteral("<&> \"quoted\" ünïcode ★")}}}};
    }

    static QByteArray pythonDecode(const QByteArray& xml)
    {
        // The reference: Python's own XML-RPC parser reads what we write.
        QProcess p;
        p.start(QStringLiteral("/usr/bin/python3"),
                {QStringLiteral("-c"),
                 QStringLiteral("import sys, json, xmlrpc.client\n"
                                "params, method = xmlrpc.client.loads(sys.stdin.buffer.read())\n"
                                "print(json.dumps([method, params], sort_keys=True))\n")});
        p.write(xml);
        p.closeWriteChannel();
        if (!p.waitForFinished(30000)) return "timeout";
        return p.readAllStandardOutput().trimmed() + p.readAllStandardError();
    }

private Q_SLOTS:
    void roundTripsSampValues()
    {
        const QVariantList params{QStringLiteral("private-key"),
                                  QStringLiteral("cli#2"),
                                  sampMessage(),
                                  QVariantList{},
                                  QVariantMap{},
                                  QString()};
        const XmlRpcCall call =
            decodeXmlRpcCall(encodeXmlRpcCall(QStringLiteral("samp.client.receiveNotification"), params));
        QCOMPARE(call.method, QStringLiteral("samp.client.receiveNotification"));
        QCOMPARE(call.params, params);
        QCOMPARE(decodeXmlRpcResponse(encodeXmlRpcResponse(sampMessage())), QVariant(sampMessage()));
        // SAMP has no numbers: they travel as strings.
        QCOMPARE(decodeXmlRpcResponse(encodeXmlRpcResponse(QVariantList{42, 0.5, true})),
                 QVariant(QVariantList{QStringLiteral("42"), QStringLiteral("0.5"), QStringLiteral("1")}));
    }

    void pythonReadsWhatWeWrite()
    {
        const QByteArray json = pythonDecode(
            encodeXmlRpcCall(QStringLiteral("samp.hub.notifyAll"), {QStringLiteral("pk"), sampMessage()}));
        QCOMPARE(json,
                 QByteArray("[\"samp.hub.notifyAll\", [\"pk\", {\"samp.mtype\": \"table.select.rowList\", "
                            "\"samp.params\": {\"note\": \"<&> \\\"quoted\\\" \\u00fcn\\u00efcode \\u2605\", "
                            "\"row-list\": [\"0\", \"41\"], \"table-id\": \"ringminer-gzd-1\"}}]]"));
    }

    void readsOtherImplementationsValues()
    {
        // Untyped values are strings; the other XML-RPC scalars are read too; comments are skipped.
        const QByteArray xml = "<?xml version='1.0'?>\n<methodResponse><params><param><value><struct>"
                               "<member><name>a</name><value>  plain text  </value></member>"
                               "<member><name>b</name><value><i4>-7</i4></value></member>"
                               "<member><name>c</name><value><double>2.5</double></value></member>"
                               "<member><name>d</name><value><boolean>1</boolean></value></member>"
                               "<member><name>e</name><value><base64>aGk=</base64></value></member>"
                               "<member><name>f</name><!-- note --><value><nil/></value></member>"
                               "<member><name>g</name><value><array><data/></array></value></member>"
                               "</struct></value></param></params></methodResponse>";
        const QVariantMap m = decodeXmlRpcResponse(xml).toMap();
        QCOMPARE(m.value("a").toString(), QStringLiteral("  plain text  "));
        QCOMPARE(m.value("b").toLongLong(), -7);
        QCOMPARE(m.value("c").toDouble(), 2.5);
        QCOMPARE(m.value("d").toBool(), true);
        QCOMPARE(m.value("e").toByteArray(), QByteArray("hi"));
        QVERIFY(m.contains("f") && !m.value("f").isValid());
        QCOMPARE(m.value("g").toList().size(), 0);
    }

    void reportsFaults()
    {
        try {
            decodeXmlRpcResponse(encodeXmlRpcFault(7, QStringLiteral("Private-key not found")));
            QFAIL("a fault was read as a result");
        } catch (const XmlRpcFault& f) {
            QCOMPARE(f.code(), 7);
            QCOMPARE(f.faultString(), QStringLiteral("Private-key not found"));
        }
    }

    void refusesMalformedInput_data()
    {
        QTest::addColumn<QByteArray>("xml");
        QTest::addColumn<bool>("isCall");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not xml") << QByteArray("HTTP/1.1 500 oops") << false
                                 << "line 1, column 1: malformed XML";
        QTest::newRow("empty") << QByteArray() << true << "malformed XML";
        QTest::newRow("unclosed") << QByteArray("<methodResponse><params><param><value><string>x</value>")
                                  << false << "line 1, column ";
        QTest::newRow("wrong root") << QByteArray("<methodCall><methodName>m</methodName></methodCall>")
                                    << false << "expected <methodResponse>, found <methodCall>";
        QTest::newRow("unknown type")
            << QByteArray("<methodResponse><params><param><value><float>1</float></value></param></params>"
                          "</methodResponse>")
            << false << "unknown XML-RPC type <float>";
        QTest::newRow("bad int") << QByteArray("<methodResponse><params><param><value><int>12x</int></value>"
                                               "</param></params></methodResponse>")
                                 << false << "<int> holds '12x', not an integer";
        QTest::newRow("no param") << QByteArray("<methodResponse><params></params></methodResponse>") << false
                                  << "needs one <param>";
        QTest::newRow("two params")
            << QByteArray("<methodResponse><params><param><value>a</value></param><param><value>b</value>"
                          "</param></params></methodResponse>")
            << false << "has more";
        QTest::newRow("member without value")
            << QByteArray("<methodResponse><params><param><value><struct><member><name>a</name></member>"
                          "</struct></value></param></params></methodResponse>")
            << false << "expected <value>, found </member>";
        QTest::newRow("text beside type")
            << QByteArray("<methodResponse><params><param><value>x<string>y</string></value></param></params>"
                          "</methodResponse>")
            << false << "text 'x' before <string>";
        QTest::newRow("trailing element")
            << QByteArray("<methodCall><methodName>m</methodName><params/></methodCall><extra/>") << true
            << "malformed XML";
        QTest::newRow("empty method") << QByteArray("<methodCall><methodName> </methodName></methodCall>")
                                      << true << "empty <methodName>";
        QTest::newRow("dtd entity bomb")
            << QByteArray("<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'><!ENTITY b '&a;&a;&a;'>]>"
                          "<methodCall><methodName>&b;</methodName></methodCall>")
            << true << "a DTD is not allowed";
        QByteArray deep = "<methodResponse><params><param>";
        for (int i = 0; i < 100; ++i)
            deep += "<value><array><data>";
        QTest::newRow("too deep") << deep << false << "nested deeper than 64";
    }

    void refusesMalformedInput()
    {
        QFETCH(QByteArray, xml);
        QFETCH(bool, isCall);
        QFETCH(QString, expected);
        try {
            if (isCall)
                decodeXmlRpcCall(xml);
            else
                decodeXmlRpcResponse(xml);
            QFAIL("malformed input was accepted");
        } catch (const XmlRpcFault&) {
            QFAIL("malformed input was read as a fault");
        } catch (const XmlRpcError& e) {
            const QString what = QString::fromStdString(e.what());
            QVERIFY2(what.contains(expected), qPrintable(what));
            QVERIFY2(what.startsWith(isCall ? QStringLiteral("XML-RPC call, line ")
                                            : QStringLiteral("XML-RPC response, line ")),
                     qPrintable(what));
        }
    }

    void refusesWhatXmlCannotCarry()
    {
        QVERIFY_THROWS_EXCEPTION(XmlRpcError, encodeXmlRpcResponse(QString(QChar(0x1))));
        QVERIFY_THROWS_EXCEPTION(XmlRpcError, encodeXmlRpcResponse(QVariant()));
        QVERIFY_THROWS_EXCEPTION(XmlRpcError, encodeXmlRpcResponse(QVariant(QPointF(1, 2))));
    }

    void parsesLockfiles()
    {
        const QByteArray text = "# SAMP Standard Profile lockfile\n"
                                "samp.secret=5e1d0a1b\r\n"
                                "samp.hub.xmlrpc.url=http://127.0.0.1:40123/xmlrpc\n"
                                "samp.profile.version=1.3\n"
                                "\n"
                                "hub.label=Hub=with=equals\n";
        const SampHubInfo hub = parseSampLockfile(text, QStringLiteral("/x/.samp"));
        QCOMPARE(hub.secret, QStringLiteral("5e1d0a1b"));
        QCOMPARE(hub.xmlrpcUrl, QUrl(QStringLiteral("http://127.0.0.1:40123/xmlrpc")));
        QCOMPARE(hub.profileVersion, QStringLiteral("1.3"));
        QCOMPARE(hub.entries.value(QStringLiteral("hub.label")), QStringLiteral("Hub=with=equals"));

        const auto error = [](const QByteArray& t) {
            try {
                parseSampLockfile(t, QStringLiteral("/x/.samp"));
            } catch (const rm::Error& e) {
                return QString::fromStdString(e.what());
            }
            return QString();
        };
        QCOMPARE(error("samp.secret=a\nnot a line\n"),
                 QStringLiteral("SAMP lockfile /x/.samp, line 2: expected name=value, found 'not a line'"));
        QCOMPARE(error("samp.hub.xmlrpc.url=http://127.0.0.1:1/\n"),
                 QStringLiteral("SAMP lockfile /x/.samp has no samp.secret"));
        QCOMPARE(error("samp.secret=a\n"),
                 QStringLiteral("SAMP lockfile /x/.samp has no samp.hub.xmlrpc.url"));
        QVERIFY(error("samp.secret=a\nsamp.hub.xmlrpc.url=ftp://h/\n")
                    .contains(QStringLiteral("is not an http URL")));
    }

    void findsTheLockfile()
    {
        QTemporaryDir dir;
        const QByteArray saved = qgetenv("SAMP_HUB");
        const QString path = dir.filePath(QStringLiteral("lock"));
        qputenv("SAMP_HUB", "std-lockurl:" + QUrl::fromLocalFile(path).toEncoded());
        QCOMPARE(sampLockfilePath(), path);
        try {
            readSampLockfile(path);
            QFAIL("a missing lockfile was read");
        } catch (const rm::Error& e) {
            QVERIFY2(QString::fromStdString(e.what()).contains(QStringLiteral("no SAMP hub is running")),
                     e.what());
        }
        qputenv("SAMP_HUB", "std-lockurl:http://example.org/lock");
        QVERIFY_THROWS_EXCEPTION(rm::Error, sampLockfilePath());
        qputenv("SAMP_HUB", "something else");
        QVERIFY_THROWS_EXCEPTION(rm::Error, sampLockfilePath());
        qunsetenv("SAMP_HUB");
        QCOMPARE(sampLockfilePath(), QDir::home().filePath(QStringLiteral(".samp")));
        if (!saved.isEmpty()) qputenv("SAMP_HUB", saved);
    }

    void serverAnswersAndRefusesHttp()
    {
        XmlRpcServer server([](const QByteArray& body) {
            const XmlRpcCall call = decodeXmlRpcCall(body);
            return encodeXmlRpcResponse(call.params.value(0).toString() + QStringLiteral("!"));
        });
        QVERIFY(server.listen());
        QCOMPARE(server.url().host(), QStringLiteral("127.0.0.1"));
        const auto exchange = [&](const QByteArray& request, bool trickle = false) {
            QTcpSocket s;
            s.connectToHost(QHostAddress::LocalHost, quint16(server.url().port()));
            QByteArray answer;
            bool connected = false;
            connect(&s, &QTcpSocket::connected, [&] {
                connected = true;
                if (!trickle) {
                    s.write(request);
                    return;
                }
                for (char c : request) // one byte at a time: the server must reassemble
                    s.write(&c, 1), s.flush();
            });
            connect(&s, &QTcpSocket::readyRead, [&] { answer += s.readAll(); });
            QSignalSpy closed(&s, &QTcpSocket::disconnected);
            if (!closed.wait(10000)) return QByteArray("no answer");
            return connected ? answer : QByteArray("not connected");
        };
        const QByteArray body = encodeXmlRpcCall(QStringLiteral("echo"), {QStringLiteral("hi")});
        const QByteArray post =
            "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\nContent-Length: " +
            QByteArray::number(body.size()) + "\r\n\r\n" + body;
        for (bool trickle : {false, true}) {
            const QByteArray answer = exchange(post, trickle);
            QVERIFY2(answer.startsWith("HTTP/1.1 200 OK\r\n"), answer.constData());
            QCOMPARE(decodeXmlRpcResponse(answer.mid(answer.indexOf("\r\n\r\n") + 4)).toString(),
                     QStringLiteral("hi!"));
        }
        QVERIFY(exchange("GET / HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 405 "));
        QVERIFY(exchange("POST / HTTP/1.1\r\nHost: x\r\n\r\n").startsWith("HTTP/1.1 411 "));
        QVERIFY(
            exchange("POST / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n").startsWith("HTTP/1.1 413 "));
        QVERIFY(exchange("garbage\r\n\r\n").startsWith("HTTP/1.1 400 "));
    }
};

QTEST_GUILESS_MAIN(TestXmlRpc)
#include "test_xml_rpc.moc"
