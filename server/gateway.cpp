#include "gateway.h"

#include <algorithm>
#include <cctype>

#include <QFile>
#include <QUrl>
#include <QUrlQuery>

#include "qrcode.h"

QString addressString(const QHostAddress &address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    return isV4 ? QHostAddress(v4).toString() : address.toString(); // ::ffff:10.0.0.5 is 10.0.0.5
}

QString peerString(const QHostAddress &address, quint16 port)
{
    const QHostAddress plain(addressString(address));
    const QString host = plain.protocol() == QAbstractSocket::IPv6Protocol
                             ? QStringLiteral("[%1]").arg(plain.toString())
                             : plain.toString();
    return host + QLatin1Char(':') + QString::number(port);
}

namespace {

HttpAnswer status(int code, const QByteArray &body, bool headOnly = false)
{
    HttpAnswer answer;
    answer.status = code;
    answer.body = body;
    answer.headOnly = headOnly;
    return answer;
}

// The browser client, built into the binary: nothing is fetched from anywhere else.
HttpAnswer serveFile(const QByteArray &path, bool headOnly)
{
    static const QHash<QByteArray, QByteArray> types = {
        {"html", "text/html; charset=utf-8"},
        {"js", "text/javascript; charset=utf-8"},
        {"css", "text/css; charset=utf-8"},
        {"svg", "image/svg+xml"},
        {"png", "image/png"},
        {"ico", "image/x-icon"},
        {"json", "application/json; charset=utf-8"},
        {"webmanifest", "application/manifest+json"},
    };

    const QByteArray name = path == "/" ? QByteArray("index.html") : path.mid(1);
    const bool plainName =
        !name.isEmpty() && !name.contains("..") && !name.startsWith('/')
        && std::all_of(name.begin(), name.end(), [](char c) {
               return std::isalnum(uchar(c)) || c == '.' || c == '-' || c == '_' || c == '/';
           });
    QFile file(QStringLiteral(":/web/") + QString::fromLatin1(name));
    const QByteArray type = types.value(name.mid(name.lastIndexOf('.') + 1));
    if (!plainName || type.isEmpty() || !file.open(QIODevice::ReadOnly))
        return status(404, "not found; the WebSocket endpoint is /ws\n", headOnly);

    // no-cache: after an upgrade of the hub the browser must not keep the old client.
    HttpAnswer answer = status(200, file.readAll(), headOnly);
    answer.contentType = type;
    answer.extraHeaders = "Cache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\n";
    return answer;
}

HttpAnswer serveQrCode(const QByteArray &target, bool headOnly)
{
    const QUrlQuery query(QUrl::fromEncoded(target).query());
    const QString text = query.queryItemValue(QStringLiteral("text"), QUrl::FullyDecoded);
    const QByteArray image = text.size() <= 1000 ? QrCode::svg(text.toUtf8()) : QByteArray();
    if (text.isEmpty() || image.isEmpty())
        return status(400, "/qr.svg?text=... needs a text of 1 to 1000 characters\n");

    HttpAnswer answer = status(200, image, headOnly);
    answer.contentType = "image/svg+xml";
    answer.extraHeaders = "Cache-Control: no-cache\r\n";
    return answer;
}

} // namespace

namespace Gateway {

HttpAnswer answer(const HttpRequest &request)
{
    const bool wantsUpgrade = request.wantsUpgrade();
    if (request.method != "GET" && !(request.method == "HEAD" && !wantsUpgrade)) {
        HttpAnswer refused = status(405, "only GET and HEAD are served here\n");
        refused.extraHeaders = "Allow: GET, HEAD\r\n";
        return refused;
    }

    const bool headOnly = request.method == "HEAD";
    if (request.path != "/ws") {
        if (wantsUpgrade)
            return status(404, "no WebSocket here; the WebSocket endpoint is /ws\n");
        if (request.path == "/qr.svg")
            return serveQrCode(request.target, headOnly);
        return serveFile(request.path, headOnly);
    }

    if (!wantsUpgrade)
        return status(400, "/ws expects a WebSocket upgrade request\n");
    HttpAnswer upgrade;
    upgrade.upgrade = true;
    return upgrade;
}

} // namespace Gateway
