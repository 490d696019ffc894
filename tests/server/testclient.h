#pragma once

#include <functional>

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QStringList>
#include <QWebSocket>

// A real QWebSocket client that records every frame the hub sends, for hub tests.
class TestClient : public QObject
{
    Q_OBJECT

public:
    explicit TestClient(quint16 port, QObject *parent = nullptr);

    bool connectToHub(int timeoutMs = 5000);
    void send(const QJsonObject &frame);
    void sendRaw(const QString &text) { m_socket.sendTextMessage(text); }

    // Sends hello and waits for welcome (or an error); returns the welcome, or {} on error.
    QJsonObject hello(const QString &user, const QString &device = {}, const QString &token = {});
    QJsonObject join(const QString &room);

    // Waits for the next not-yet-taken frame of this type that matches; removes and returns it.
    QJsonObject waitFor(const QString &type, int timeoutMs = 5000,
                        const std::function<bool(const QJsonObject &)> &match = {});
    // Frames of this type received so far and not taken.
    QList<QJsonObject> received(const QString &type) const;
    int count(const QString &type) const { return int(received(type).size()); }
    void clear()
    {
        m_frames.clear();
        m_arrived.clear();
    }
    // The type of every frame received since the last clear(), in arrival order, taken or not.
    QStringList arrivalOrder() const { return m_arrived; }

    bool waitForDisconnected(int timeoutMs = 5000);
    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    int closeCode() const { return m_socket.closeCode(); }
    QString closeReason() const { return m_socket.closeReason(); }
    QWebSocket &socket() { return m_socket; }

    QString token;
    quint64 connectionId = 0;

private:
    QWebSocket m_socket;
    quint16 m_port;
    QList<QJsonObject> m_frames;
    QStringList m_arrived;
};

QJsonObject frame(const QString &type, const QJsonObject &fields = {});

#include <QTcpSocket>

// A hand-rolled WebSocket client on a plain QTcpSocket, for what QWebSocket will not do:
// stop reading, never answer pings, or send a frame in the same TCP write as the handshake.
class RawClient : public QObject
{
    Q_OBJECT

public:
    struct Frame
    {
        int opcode = 0;
        QByteArray payload;
        int closeCode() const;
    };

    explicit RawClient(quint16 port, QObject *parent = nullptr);

    // Sends the upgrade request followed by `alsoSend` (already framed) in one write.
    bool upgrade(const QByteArray &alsoSend = {});
    static QByteArray maskedText(const QByteArray &payload);
    void sendText(const QByteArray &payload) { m_socket.write(maskedText(payload)); }

    void stopReading() { m_socket.setReadBufferSize(1); }
    void resumeReading();

    QList<Frame> frames(); // parses what has arrived so far
    bool waitForText(const QByteArray &needle, int timeoutMs = 5000);
    int waitForCloseCode(int timeoutMs = 10000); // -1 if none arrived
    QTcpSocket &socket() { return m_socket; }

private:
    void parse();

    QTcpSocket m_socket;
    quint16 m_port;
    QByteArray m_buffer;
    QList<Frame> m_frames;
};

#include "hubconfig.h"

// A hub config for tests: loopback only, a free port, no data directory.
HubConfig testHubConfig();
