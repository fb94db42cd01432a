#pragma once
// XML-RPC as the SAMP Standard Profile uses it: method calls and responses whose values are strings, lists
// and maps (QString, QVariantList, QVariantMap). Decoding also accepts the other XML-RPC scalar types other
// implementations send (int, double, boolean, base64, dateTime, nil). Malformed input is an XmlRpcError that
// says where (line and column) and what was expected; a <fault> response is an XmlRpcFault.
#include "util/Error.h"

#include <QByteArray>
#include <QString>
#include <QVariant>

namespace rm::ui {

class XmlRpcError : public rm::Error
{
public:
    using rm::Error::Error;
};

// The other side answered with <fault>: its faultCode and faultString.
class XmlRpcFault : public XmlRpcError
{
public:
    XmlRpcFault(int code, const QString& message);
    int code() const { return m_code; }
    QString faultString() const { return m_message; }

private:
    int m_code;
    QString m_message;
};

struct XmlRpcCall
{
    QString method;
    QVariantList params;
};

// Numbers and booleans are written as strings (SAMP has no other scalars); a value of another type (or an
// invalid QVariant) throws XmlRpcError naming it.
QByteArray encodeXmlRpcCall(const QString& method, const QVariantList& params);
QByteArray encodeXmlRpcResponse(const QVariant& value);
QByteArray encodeXmlRpcFault(int code, const QString& message);

// Throw XmlRpcError ("XML-RPC call, line 3, column 7: expected <value>, found <foo>"); decodeXmlRpcResponse
// throws XmlRpcFault for a fault response.
XmlRpcCall decodeXmlRpcCall(const QByteArray& xml);
QVariant decodeXmlRpcResponse(const QByteArray& xml);

} // namespace rm::ui
