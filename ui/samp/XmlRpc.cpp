#include "samp/XmlRpc.h"

#include <QXmlStreamReader>
#include <QXmlStreamWriter>

namespace rm::ui {

namespace {

constexpr int kMaxDepth = 64; // lists and maps nested deeper than any SAMP message needs

bool xmlChar(char32_t c)
{
    return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
           (c >= 0x10000 && c <= 0x10FFFF);
}

void writeValue(QXmlStreamWriter& w, const QVariant& v, int depth)
{
    if (depth > kMaxDepth) throw XmlRpcError("XML-RPC value nested deeper than " + std::to_string(kMaxDepth));
    w.writeStartElement(QStringLiteral("value"));
    switch (v.typeId()) {
    case QMetaType::QVariantList:
    case QMetaType::QStringList: {
        w.writeStartElement(QStringLiteral("array"));
        w.writeStartElement(QStringLiteral("data"));
        for (const QVariant& item : v.toList())
            writeValue(w, item, depth + 1);
        w.writeEndElement();
        w.writeEndElement();
        break;
    }
    case QMetaType::QVariantMap: {
        w.writeStartElement(QStringLiteral("struct"));
        const QVariantMap map = v.toMap();
        for (auto it = map.begin(); it != map.end(); ++it) {
            w.writeStartElement(QStringLiteral("member"));
            w.writeTextElement(QStringLiteral("name"), it.key());
            writeValue(w, it.value(), depth + 1);
            w.writeEndElement();
        }
        w.writeEndElement();
        break;
    }
    case QMetaType::QString:
    case QMetaType::QByteArray:
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
    case QMetaType::Double:
    case QMetaType::Bool: {
        QString text;
        if (v.typeId() == QMetaType::Bool)
            text = v.toBool() ? QStringLiteral("1") : QStringLiteral("0"); // SAMP's boolean
        else if (v.typeId() == QMetaType::Double)
            text = QString::number(v.toDouble(), 'g', 17);
        else
            text = v.toString();
        for (char32_t c : text.toUcs4())
            if (!xmlChar(c))
                throw XmlRpcError(
                    "XML-RPC string holds character U+" +
                    QString::number(uint(c), 16).rightJustified(4, u'0').toUpper().toStdString() +
                    ", which XML cannot carry");
        w.writeTextElement(QStringLiteral("string"), text);
        break;
    }
    default:
        throw XmlRpcError(std::string("XML-RPC cannot carry a value of type ") +
                          (v.isValid() ? v.typeName() : "invalid (no value)"));
    }
    w.writeEndElement();
}

template <typename Body> QByteArray document(Body body)
{
    QByteArray out;
    QXmlStreamWriter w(&out);
    w.writeStartDocument();
    body(w);
    w.writeEndDocument();
    return out;
}

// A recursive-descent reader over QXmlStreamReader's tokens: every step says what it expected where.
class Reader
{
public:
    Reader(const QByteArray& xml, const char* what) : m_xml(xml), m_what(what) {}

    [[noreturn]] void fail(const QString& message) const
    {
        throw XmlRpcError(std::string(m_what) + ", line " + std::to_string(m_xml.lineNumber()) + ", column " +
                          std::to_string(m_xml.columnNumber()) + ": " + message.toStdString());
    }

    // The next token that matters: skips comments, processing instructions and whitespace between elements.
    QXmlStreamReader::TokenType next()
    {
        for (;;) {
            const auto t = m_xml.readNext();
            switch (t) {
            case QXmlStreamReader::Invalid:
                fail(QStringLiteral("malformed XML: %1").arg(m_xml.errorString()));
            case QXmlStreamReader::DTD:
                fail(QStringLiteral("a DTD is not allowed in XML-RPC"));
            case QXmlStreamReader::EntityReference:
                fail(QStringLiteral("undeclared entity &%1;").arg(m_xml.name()));
            case QXmlStreamReader::Comment:
            case QXmlStreamReader::ProcessingInstruction:
            case QXmlStreamReader::StartDocument:
                continue;
            case QXmlStreamReader::Characters:
                if (m_xml.isWhitespace()) continue;
                return t;
            default:
                return t;
            }
        }
    }

    static QString describe(const QXmlStreamReader& x)
    {
        switch (x.tokenType()) {
        case QXmlStreamReader::StartElement:
            return QStringLiteral("<%1>").arg(x.name());
        case QXmlStreamReader::EndElement:
            return QStringLiteral("</%1>").arg(x.name());
        case QXmlStreamReader::Characters:
            return QStringLiteral("text '%1'").arg(x.text().left(40));
        case QXmlStreamReader::EndDocument:
            return QStringLiteral("the end of the document");
        default:
            return x.tokenString();
        }
    }

    void expectStart(QStringView name)
    {
        if (next() != QXmlStreamReader::StartElement || m_xml.name() != name)
            fail(QStringLiteral("expected <%1>, found %2").arg(name, describe(m_xml)));
    }
    void expectEnd(QStringView name)
    {
        if (next() != QXmlStreamReader::EndElement || m_xml.name() != name)
            fail(QStringLiteral("expected </%1>, found %2").arg(name, describe(m_xml)));
    }
    void expectDocumentEnd()
    {
        if (next() != QXmlStreamReader::EndDocument)
            fail(QStringLiteral("expected the end of the document, found %1").arg(describe(m_xml)));
    }
    // The text of a simple element whose start tag was just read, up to its end tag.
    QString text()
    {
        QString out;
        for (;;) {
            const auto t = m_xml.readNext();
            if (t == QXmlStreamReader::Characters)
                out += m_xml.text();
            else if (t == QXmlStreamReader::EndElement)
                return out;
            else if (t == QXmlStreamReader::Comment || t == QXmlStreamReader::ProcessingInstruction)
                continue;
            else if (t == QXmlStreamReader::Invalid)
                fail(QStringLiteral("malformed XML: %1").arg(m_xml.errorString()));
            else
                fail(QStringLiteral("expected text, found %1").arg(describe(m_xml)));
        }
    }

    // <value> has just started.
    QVariant value(int depth)
    {
        if (depth > kMaxDepth) fail(QStringLiteral("values nested deeper than %1").arg(kMaxDepth));
        QString untyped;
        for (;;) {
            const auto t = m_xml.readNext();
            if (t == QXmlStreamReader::Characters) {
                untyped += m_xml.text();
            } else if (t == QXmlStreamReader::EndElement) {
                return untyped; // <value>text</value>: a string
            } else if (t == QXmlStreamReader::StartElement) {
                if (!untyped.trimmed().isEmpty())
                    fail(QStringLiteral("text '%1' before <%2>")
                             .arg(untyped.trimmed().left(40), m_xml.name()));
                QVariant v = typed(depth);
                expectEnd(u"value");
                return v;
            } else if (t == QXmlStreamReader::Comment || t == QXmlStreamReader::ProcessingInstruction) {
                continue;
            } else if (t == QXmlStreamReader::Invalid) {
                fail(QStringLiteral("malformed XML: %1").arg(m_xml.errorString()));
            } else {
                fail(QStringLiteral("expected a value, found %1").arg(describe(m_xml)));
            }
        }
    }

    QXmlStreamReader& xml() { return m_xml; }

private:
    // The type element (<string>, <array>...) has just started; reads to its end.
    QVariant typed(int depth)
    {
        const QString type = m_xml.name().toString();
        if (type == u"string") return text();
        if (type == u"i4" || type == u"int" || type == u"i8") {
            const QString s = text().trimmed();
            bool ok = false;
            const qlonglong n = s.toLongLong(&ok);
            if (!ok) fail(QStringLiteral("<%1> holds '%2', not an integer").arg(type, s.left(40)));
            return n;
        }
        if (type == u"double") {
            const QString s = text().trimmed();
            bool ok = false;
            const double d = s.toDouble(&ok);
            if (!ok) fail(QStringLiteral("<double> holds '%1', not a number").arg(s.left(40)));
            return d;
        }
        if (type == u"boolean") {
            const QString s = text().trimmed();
            if (s != u"0" && s != u"1")
                fail(QStringLiteral("<boolean> holds '%1', not 0 or 1").arg(s.left(40)));
            return s == u"1";
        }
        if (type == u"base64") return QByteArray::fromBase64(text().toLatin1());
        if (type == u"dateTime.iso8601") return text();
        if (type == u"nil") {
            expectEndOf(u"nil");
            return {};
        }
        if (type == u"array") {
            expectStart(u"data");
            QVariantList items;
            for (;;) {
                const auto t = next();
                if (t == QXmlStreamReader::EndElement && m_xml.name() == u"data") break;
                if (t != QXmlStreamReader::StartElement || m_xml.name() != u"value")
                    fail(QStringLiteral("expected <value> or </data>, found %1").arg(describe(m_xml)));
                items << value(depth + 1);
            }
            expectEnd(u"array");
            return items;
        }
        if (type == u"struct") {
            QVariantMap map;
            for (;;) {
                const auto t = next();
                if (t == QXmlStreamReader::EndElement && m_xml.name() == u"struct") break;
                if (t != QXmlStreamReader::StartElement || m_xml.name() != u"member")
                    fail(QStringLiteral("expected <member> or </struct>, found %1").arg(describe(m_xml)));
                expectStart(u"name");
                const QString name = text();
                expectStart(u"value");
                map.insert(name, value(depth + 1));
                expectEnd(u"member");
            }
            return map;
        }
        fail(QStringLiteral("unknown XML-RPC type <%1>").arg(type));
    }

    void expectEndOf(QStringView name)
    {
        if (next() != QXmlStreamReader::EndElement || m_xml.name() != name)
            fail(QStringLiteral("expected </%1>, found %2").arg(name, describe(m_xml)));
    }

    QXmlStreamReader m_xml;
    const char* m_what;
};

QVariantList readParams(Reader& r, bool optional)
{
    QVariantList params;
    const auto t = r.next();
    if (optional && t == QXmlStreamReader::EndElement) return params; // no <params> at all
    if (t != QXmlStreamReader::StartElement || r.xml().name() != u"params")
        r.fail(QStringLiteral("expected <params>, found %1").arg(Reader::describe(r.xml())));
    for (;;) {
        const auto p = r.next();
        if (p == QXmlStreamReader::EndElement && r.xml().name() == u"params") break;
        if (p != QXmlStreamReader::StartElement || r.xml().name() != u"param")
            r.fail(QStringLiteral("expected <param> or </params>, found %1").arg(Reader::describe(r.xml())));
        r.expectStart(u"value");
        params << r.value(0);
        r.expectEnd(u"param");
    }
    return params;
}

} // namespace

XmlRpcFault::XmlRpcFault(int code, const QString& message)
    : XmlRpcError("XML-RPC fault " + std::to_string(code) + ": " + message.toStdString()), m_code(code),
      m_message(message)
{
}

QByteArray encodeXmlRpcCall(const QString& method, const QVariantList& params)
{
    return document([&](QXmlStreamWriter& w) {
        w.writeStartElement(QStringLiteral("methodCall"));
        w.writeTextElement(QStringLiteral("methodName"), method);
        w.writeStartElement(QStringLiteral("params"));
        for (const QVariant& p : params) {
            w.writeStartElement(QStringLiteral("param"));
            writeValue(w, p, 0);
            w.writeEndElement();
        }
        w.writeEndElement();
        w.writeEndElement();
    });
}

QByteArray encodeXmlRpcResponse(const QVariant& value)
{
    return document([&](QXmlStreamWriter& w) {
        w.writeStartElement(QStringLiteral("methodResponse"));
        w.writeStartElement(QStringLiteral("params"));
        w.writeStartElement(QStringLiteral("param"));
        writeValue(w, value, 0);
        w.writeEndElement();
        w.writeEndElement();
        w.writeEndElement();
    });
}

QByteArray encodeXmlRpcFault(int code, const QString& message)
{
    return document([&](QXmlStreamWriter& w) {
        w.writeStartElement(QStringLiteral("methodResponse"));
        w.writeStartElement(QStringLiteral("fault"));
        w.writeStartElement(QStringLiteral("value"));
        w.writeStartElement(QStringLiteral("struct"));
        w.writeStartElement(QStringLiteral("member"));
        w.writeTextElement(QStringLiteral("name"), QStringLiteral("faultCode"));
        w.writeStartElement(QStringLiteral("value"));
        w.writeTextElement(QStringLiteral("int"), QString::number(code));
        w.writeEndElement();
        w.writeEndElement();
        w.writeStartElement(QStringLiteral("member"));
        w.writeTextElement(QStringLiteral("name"), QStringLiteral("faultString"));
        writeValue(w, message, 0);
        w.writeEndElement();
        w.writeEndElement();
        w.writeEndElement();
        w.writeEndElement();
        w.writeEndElement();
    });
}

XmlRpcCall decodeXmlRpcCall(const QByteArray& xml)
{
    Reader r(xml, "XML-RPC call");
    r.expectStart(u"methodCall");
    r.expectStart(u"methodName");
    XmlRpcCall call;
    call.method = r.text().trimmed();
    if (call.method.isEmpty()) r.fail(QStringLiteral("empty <methodName>"));
    call.params = readParams(r, true);
    if (r.xml().tokenType() != QXmlStreamReader::EndElement || r.xml().name() != u"methodCall")
        r.expectEnd(u"methodCall");
    r.expectDocumentEnd();
    return call;
}

QVariant decodeXmlRpcResponse(const QByteArray& xml)
{
    Reader r(xml, "XML-RPC response");
    r.expectStart(u"methodResponse");
    const auto t = r.next();
    if (t == QXmlStreamReader::StartElement && r.xml().name() == u"fault") {
        r.expectStart(u"value");
        const QVariantMap fault = r.value(0).toMap();
        r.expectEnd(u"fault");
        r.expectEnd(u"methodResponse");
        r.expectDocumentEnd();
        if (!fault.contains(QStringLiteral("faultString")))
            throw XmlRpcError("XML-RPC response: a fault without faultString");
        throw XmlRpcFault(fault.value(QStringLiteral("faultCode")).toInt(),
                          fault.value(QStringLiteral("faultString")).toString());
    }
    if (t != QXmlStreamReader::StartElement || r.xml().name() != u"params")
        r.fail(QStringLiteral("expected <params> or <fault>, found %1").arg(Reader::describe(r.xml())));
    QVariant result;
    int count = 0;
    for (;;) {
        const auto p = r.next();
        if (p == QXmlStreamReader::EndElement && r.xml().name() == u"params") break;
        if (p != QXmlStreamReader::StartElement || r.xml().name() != u"param")
            r.fail(QStringLiteral("expected <param> or </params>, found %1").arg(Reader::describe(r.xml())));
        if (++count > 1) r.fail(QStringLiteral("a response has one <param>, this one has more"));
        r.expectStart(u"value");
        result = r.value(0);
        r.expectEnd(u"param");
    }
    if (count == 0) r.fail(QStringLiteral("a response needs one <param>, this one has none"));
    r.expectEnd(u"methodResponse");
    r.expectDocumentEnd();
    return result;
}

} // namespace rm::ui
