#pragma once

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QString>

class QTcpServer;
class QTcpSocket;
class QWebSocket;
class QWebSocketServer;

// Accepts TCP connections on the hub's port, reads each HTTP request head, passes WebSocket
// upgrades on /ws to QWebSocketServer, serves the browser client (Qt resources under :/web)
// and /qr.svg, and answers everything else with a plain HTTP status.
//
// We accept with our own QTcpServer rather than QWebSocketServer::listen(), because the latter
// listens with a backlog of 50 and keeps only 30 pending handshakes (QT-NOTES.md), which turned
// a connect storm into about 800 accepts per second.
class Gateway : public QObject
{
    Q_OBJECT

public:
    explicit Gateway(QObject *parent = nullptr);
    ~Gateway() override;

    bool listen(const QHostAddress &address, quint16 port, int backlog);
    QString errorString() const;
    quint16 port() const;
    void close();

    // Aborts sockets whose request or handshake has not completed within timeoutMs. In Qt 6.4.2
    // handleConnection() never starts Qt's own handshake timeout, so this is the only one.
    void expireHandshakes(qint64 nowMs, qint64 timeoutMs);

    void setMaxRequestBytes(int bytes) { m_maxRequestBytes = bytes; }

signals:
    // Emitted synchronously, before any frame is read: connect the socket's signals in the
    // slot, or a frame sent in the same TCP write as the handshake is lost.
    // earlyTexts: text frames the client sent in the same TCP write as its handshake.
    void upgraded(QWebSocket *socket, QTcpSocket *tcp, qint64 acceptedMs,
                  const QList<QByteArray> &earlyTexts);
    void requestRejected(const QString &peer, int status, const QString &why);

private:
    struct Pending
    {
        qint64 acceptedMs = 0;
        QString peer;
        bool handedOver = false;
        qsizetype headBytes = 0; // length of the request head, blank line included
        QByteArray buffered; // everything in the socket's buffer after the last readyRead
    };

    void acceptConnections();
    void inspectRequest(QTcpSocket *socket);
    void takeUpgradedSockets();
    void respond(QTcpSocket *socket, int status, const QByteArray &body,
                 const QByteArray &extraHeaders = {},
                 const QByteArray &contentType = "text/plain; charset=utf-8",
                 bool headOnly = false);
    void serveFile(QTcpSocket *socket, const QByteArray &path, bool headOnly);
    void serveQrCode(QTcpSocket *socket, const QByteArray &target, bool headOnly);
    void forget(QTcpSocket *socket);
    bool recoverEarlyFrames(QTcpSocket *tcp, const Pending &pending, QList<QByteArray> *texts);

    QTcpServer *m_tcpServer;
    QWebSocketServer *m_wsServer;
    QHash<QTcpSocket *, Pending> m_pending;
    QHash<QString, QTcpSocket *> m_handedOverByPeer; // to pair a QWebSocket with its socket
    int m_maxRequestBytes = 16 * 1024;
};

QString peerString(const QHostAddress &address, quint16 port);
// An address as bans and the console name it: IPv4-mapped IPv6 addresses as plain IPv4.
QString addressString(const QHostAddress &address);
