#include "gateway.h"

#include <algorithm>
#include <cctype>

#include <QDateTime>
#include <QDeadlineTimer>
#include <QFile>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrl>
#include <QUrlQuery>
#include <QWebSocket>
#include <QWebSocketServer>

#include "logging.h"
#include "qrcode.h"
#include "wsframe.h"

namespace {

qint64 nowMs()
{
    return QDeadlineTimer::current().deadline();
}

QByteArray statusText(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 431:
        return "Request Header Fields Too Large";
    default:
        return "Error";
    }
}

bool headerHasToken(const QByteArray &head, const QByteArray &name, const QByteArray &token)
{
    const QList<QByteArray> lines = head.split('\n');
    for (const QByteArray &line : lines) {
        const int colon = line.indexOf(':');
        if (colon <= 0 || line.left(colon).trimmed().toLower() != name)
            continue;
        if (line.mid(colon + 1).toLower().contains(token))
            return true;
    }
    return false;
}

} // namespace

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

Gateway::Gateway(QObject *parent)
    : QObject(parent)
    , m_tcpServer(new QTcpServer(this))
    , m_wsServer(
          new QWebSocketServer(QStringLiteral("Confab"), QWebSocketServer::NonSecureMode, this))
{
    m_wsServer->setMaxPendingConnections(1 << 20);
    connect(m_tcpServer, &QTcpServer::pendingConnectionAvailable, this,
            &Gateway::acceptConnections);
    connect(m_wsServer, &QWebSocketServer::newConnection, this, &Gateway::takeUpgradedSockets);
}

Gateway::~Gateway() = default;

bool Gateway::listen(const QHostAddress &address, quint16 port, int backlog)
{
    m_tcpServer->setListenBacklogSize(backlog);
    m_tcpServer->setMaxPendingConnections(1 << 20);
    return m_tcpServer->listen(address, port);
}

QString Gateway::errorString() const
{
    return m_tcpServer->errorString();
}

quint16 Gateway::port() const
{
    return m_tcpServer->serverPort();
}

void Gateway::close()
{
    m_tcpServer->close();
    const auto sockets = m_pending.keys();
    for (QTcpSocket *socket : sockets)
        socket->abort();
}

void Gateway::acceptConnections()
{
    // Take every queued connection now: one per signal falls behind a connect storm.
    while (QTcpSocket *socket = m_tcpServer->nextPendingConnection()) {
        // Small frames otherwise wait for the peer's delayed ACK (about 40 ms).
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        Pending pending;
        pending.acceptedMs = nowMs();
        pending.peer = peerString(socket->peerAddress(), socket->peerPort());
        m_pending.insert(socket, pending);

        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { inspectRequest(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            forget(socket);
            socket->deleteLater();
        });
        if (socket->bytesAvailable() > 0)
            inspectRequest(socket);
    }
}

void Gateway::inspectRequest(QTcpSocket *socket)
{
    const QByteArray head = socket->peek(m_maxRequestBytes);
    const qsizetype end = head.indexOf("\r\n\r\n");
    if (end < 0) {
        if (head.size() >= m_maxRequestBytes)
            respond(socket, 431, "request head too large\n");
        return;
    }

    const QList<QByteArray> requestLine = head.left(head.indexOf("\r\n")).split(' ');
    if (requestLine.size() != 3 || !requestLine.at(2).startsWith("HTTP/1.")) {
        respond(socket, 400, "not an HTTP/1.1 request\n");
        return;
    }

    const QByteArray &method = requestLine.at(0);
    const QByteArray target = requestLine.at(1);
    const QByteArray path = target.split('?').first();
    const bool wantsUpgrade = headerHasToken(head.left(end), "upgrade", "websocket");
    if (method != "GET" && !(method == "HEAD" && !wantsUpgrade)) {
        respond(socket, 405, "only GET and HEAD are served here\n", "Allow: GET, HEAD\r\n");
        return;
    }

    const bool headOnly = method == "HEAD";
    if (path != "/ws") {
        if (wantsUpgrade)
            respond(socket, 404, "no WebSocket here; the WebSocket endpoint is /ws\n");
        else if (path == "/qr.svg")
            serveQrCode(socket, target, headOnly);
        else
            serveFile(socket, path, headOnly);
        return;
    }

    if (!wantsUpgrade) {
        respond(socket, 400, "/ws expects a WebSocket upgrade request\n");
        return;
    }

    // The request stays unread in the socket; QWebSocketServer reads and answers it. What
    // the socket holds is noted until then (our slot runs before Qt's queued one), so bytes
    // that Qt's handshake reader swallows can be recovered in takeUpgradedSockets().
    disconnect(socket, &QTcpSocket::readyRead, this, nullptr);
    Pending &pending = m_pending[socket];
    pending.handedOver = true;
    pending.headBytes = end + 4;
    pending.buffered = socket->peek(socket->bytesAvailable());
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
        auto found = m_pending.find(socket);
        if (found == m_pending.end())
            return;
        // Only while the head is still unread: QWebSocket emits readyRead again after Qt has
        // skipped it, and that later view would hide the swallowed bytes.
        const QByteArray now = socket->peek(socket->bytesAvailable());
        if (now.startsWith(QByteArrayView(found->buffered).first(found->headBytes)))
            found->buffered = now;
    });
    m_handedOverByPeer.insert(pending.peer, socket);
    m_wsServer->handleConnection(socket);
}

void Gateway::takeUpgradedSockets()
{
    while (QWebSocket *webSocket = m_wsServer->nextPendingConnection()) {
        const QString peer = peerString(webSocket->peerAddress(), webSocket->peerPort());
        QTcpSocket *tcp = m_handedOverByPeer.take(peer);
        if (!tcp) {
            // Not expected: every upgrade starts in inspectRequest(). Refuse rather than guess.
            qCWarning(lcHub) << "upgraded socket with no known TCP socket from" << peer;
            webSocket->abort();
            webSocket->deleteLater();
            continue;
        }

        const Pending pending = m_pending.take(tcp);
        disconnect(tcp, nullptr, this, nullptr);

        // QWebSocketServer stays connected to every socket it upgraded (to delete it on
        // disconnect, which QWebSocket's ownership makes moot), and its handshake slot calls
        // QObject::sender(), which walks that list: 18 % of the hub's time in a 10,000-client
        // connect storm. Cut the link once the socket is ours.
        disconnect(tcp, nullptr, m_wsServer, nullptr);
        tcp->setParent(webSocket); // one owner: the socket goes with its QWebSocket

        QList<QByteArray> earlyTexts;
        if (!recoverEarlyFrames(tcp, pending, &earlyTexts)) {
            qCWarning(lcProtocol) << "lost part of the first frames from" << peer
                                  << "in the handshake; closing with 1002";
            webSocket->close(QWebSocketProtocol::CloseCodeProtocolError,
                             tr("send frames after the handshake completes"));
            webSocket->deleteLater();
            continue;
        }
        emit upgraded(webSocket, tcp, pending.acceptedMs, earlyTexts);

        // Whatever is still buffered is read by QWebSocket only on the next readyRead, which
        // may never come if the client waits for an answer. Nudge it, now that the hub's
        // slots are connected.
        if (tcp->bytesAvailable() > 0)
            QMetaObject::invokeMethod(tcp, "readyRead", Qt::QueuedConnection);
    }
}

void Gateway::respond(QTcpSocket *socket, int status, const QByteArray &body,
                      const QByteArray &extraHeaders, const QByteArray &contentType, bool headOnly)
{
    const QString peer = m_pending.value(socket).peer;
    if (status >= 400)
        emit requestRejected(peer, status, QString::fromUtf8(body).trimmed());

    QByteArray response = "HTTP/1.1 " + QByteArray::number(status) + ' ' + statusText(status)
                          + "\r\nContent-Type: " + contentType + "\r\nContent-Length: "
                          + QByteArray::number(body.size()) + "\r\nConnection: close\r\n"
                          + extraHeaders + "\r\n" + (headOnly ? QByteArray() : body);

    disconnect(socket, &QTcpSocket::readyRead, this, nullptr);
    socket->readAll();
    socket->write(response);
    socket->disconnectFromHost();
}

// The browser client, built into the binary: nothing is fetched from anywhere else.
void Gateway::serveFile(QTcpSocket *socket, const QByteArray &path, bool headOnly)
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
    if (!plainName || type.isEmpty() || !file.open(QIODevice::ReadOnly)) {
        respond(socket, 404, "not found; the WebSocket endpoint is /ws\n", {},
                "text/plain; charset=utf-8", headOnly);
        return;
    }

    // no-cache: after an upgrade of the hub the browser must not keep the old client.
    respond(socket, 200, file.readAll(),
            "Cache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\n", type, headOnly);
}

void Gateway::serveQrCode(QTcpSocket *socket, const QByteArray &target, bool headOnly)
{
    const QUrlQuery query(QUrl::fromEncoded(target).query());
    const QString text = query.queryItemValue(QStringLiteral("text"), QUrl::FullyDecoded);
    const QByteArray image = text.size() <= 1000 ? QrCode::svg(text.toUtf8()) : QByteArray();
    if (text.isEmpty() || image.isEmpty()) {
        respond(socket, 400, "/qr.svg?text=... needs a text of 1 to 1000 characters\n");
        return;
    }
    respond(socket, 200, image, "Cache-Control: no-cache\r\n", "image/svg+xml", headOnly);
}

void Gateway::expireHandshakes(qint64 now, qint64 timeoutMs)
{
    QList<QTcpSocket *> expired;
    for (auto it = m_pending.cbegin(); it != m_pending.cend(); ++it) {
        if (now - it.value().acceptedMs > timeoutMs)
            expired.append(it.key());
    }

    for (QTcpSocket *socket : expired) {
        qCWarning(lcProtocol) << "no complete handshake in time from"
                              << m_pending.value(socket).peer;
        const bool handedOver = m_pending.value(socket).handedOver;
        if (!handedOver)
            respond(socket, 408, "no complete request in time\n");
        forget(socket);
        if (handedOver)
            socket->abort(); // mid-handshake inside QWebSocketServer: nothing sensible to say
    }
}

// In Qt 6.4.2 a QWebSocket built by QWebSocketServer reads the bytes already buffered behind
// the handshake while it is being constructed, before anyone can connect to its signals, so
// frames sent in the same TCP segment as the handshake are parsed and dropped. We know what
// the socket held and what is left, so the dropped ones are the span between the end of the
// request head and what remains; the hub handles them as if they had just arrived.
// Known limitation: if that span ends inside a frame, the stream cannot be resynchronised
// and the client is closed with 1002. Browsers and the common libraries wait for the 101
// before sending anything, so only hand-written clients meet this.
bool Gateway::recoverEarlyFrames(QTcpSocket *tcp, const Pending &pending, QList<QByteArray> *texts)
{
    const qsizetype consumed = pending.buffered.size() - tcp->bytesAvailable();
    if (consumed <= pending.headBytes)
        return true;
    const QByteArray swallowed =
        pending.buffered.mid(pending.headBytes, consumed - pending.headBytes);
    return WsFrame::decodeClientTexts(swallowed, texts);
}

void Gateway::forget(QTcpSocket *socket)
{
    const Pending pending = m_pending.take(socket);
    if (pending.handedOver)
        m_handedOverByPeer.remove(pending.peer);
}
