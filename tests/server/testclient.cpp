#include "testclient.h"

#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

#include "wsframe.h"

QJsonObject frame(const QString &type, const QJsonObject &fields)
{
    QJsonObject object = fields;
    object.insert(QStringLiteral("type"), type);
    return object;
}

TestClient::TestClient(quint16 port, QObject *parent)
    : QObject(parent)
    , m_port(port)
{
    connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        m_frames.append(QJsonDocument::fromJson(text.toUtf8()).object());
        m_arrived.append(m_frames.last().value(QStringLiteral("type")).toString());
    });
}

bool TestClient::connectToHub(int timeoutMs)
{
    QSignalSpy connected(&m_socket, &QWebSocket::connected);
    m_socket.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(m_port)));
    return connected.wait(timeoutMs) || connected.count() > 0;
}

void TestClient::send(const QJsonObject &object)
{
    m_socket.sendTextMessage(
        QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact)));
}

QJsonObject TestClient::hello(const QString &user, const QString &device, const QString &tokenIn)
{
    QJsonObject fields {{QStringLiteral("user"), user}};
    if (!device.isEmpty())
        fields.insert(QStringLiteral("device"), device);
    if (!tokenIn.isEmpty())
        fields.insert(QStringLiteral("token"), tokenIn);
    send(frame(QStringLiteral("hello"), fields));

    const bool answered = QTest::qWaitFor(
        [this] {
            return count(QStringLiteral("welcome")) > 0 || count(QStringLiteral("error")) > 0;
        },
        5000);
    if (!answered || count(QStringLiteral("welcome")) == 0)
        return {};

    const QJsonObject welcome = waitFor(QStringLiteral("welcome"));
    token = welcome.value(QStringLiteral("token")).toString();
    connectionId = quint64(welcome.value(QStringLiteral("connection")).toDouble());
    return welcome;
}

QJsonObject TestClient::join(const QString &room)
{
    send(frame(QStringLiteral("join"), {{QStringLiteral("room"), room}}));
    return waitFor(QStringLiteral("joined"), 5000, [room](const QJsonObject &f) {
        return f.value(QStringLiteral("room")).toString() == room;
    });
}

QJsonObject TestClient::waitFor(const QString &type, int timeoutMs,
                                const std::function<bool(const QJsonObject &)> &match)
{
    QJsonObject found;
    auto take = [&] {
        for (qsizetype i = 0; i < m_frames.size(); ++i) {
            const QJsonObject &f = m_frames.at(i);
            if (f.value(QStringLiteral("type")).toString() == type && (!match || match(f))) {
                found = m_frames.takeAt(i);
                return true;
            }
        }
        return false;
    };
    (void)QTest::qWaitFor(take, timeoutMs); // on a timeout `found` stays empty for the caller
    return found;
}

QList<QJsonObject> TestClient::received(const QString &type) const
{
    QList<QJsonObject> list;
    for (const QJsonObject &f : m_frames) {
        if (f.value(QStringLiteral("type")).toString() == type)
            list.append(f);
    }
    return list;
}

bool TestClient::waitForDisconnected(int timeoutMs)
{
    return QTest::qWaitFor([this] { return m_socket.state() == QAbstractSocket::UnconnectedState; },
                           timeoutMs);
}

int RawClient::Frame::closeCode() const
{
    if (opcode != 8 || payload.size() < 2)
        return -1;
    return (uchar(payload.at(0)) << 8) | uchar(payload.at(1));
}

RawClient::RawClient(quint16 port, QObject *parent)
    : QObject(parent)
    , m_port(port)
{ }

bool RawClient::upgrade(const QByteArray &alsoSend)
{
    m_socket.connectToHost(QHostAddress::LocalHost, m_port);
    if (!m_socket.waitForConnected(5000))
        return false;

    const QByteArray request =
        "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n";
    m_socket.write(request + alsoSend);

    const bool upgraded = QTest::qWaitFor(
        [this] {
            m_buffer += m_socket.readAll();
            return m_buffer.contains("\r\n\r\n");
        },
        5000);
    if (!upgraded || !m_buffer.startsWith("HTTP/1.1 101"))
        return false;
    m_buffer.remove(0, m_buffer.indexOf("\r\n\r\n") + 4);
    return true;
}

QByteArray RawClient::maskedText(const QByteArray &payload)
{
    return WsFrame::maskedText(payload, 0x12345678);
}

void RawClient::resumeReading()
{
    m_socket.setReadBufferSize(0);
    QMetaObject::invokeMethod(&m_socket, "readyRead", Qt::QueuedConnection);
}

void RawClient::parse()
{
    m_buffer += m_socket.readAll();
    qsizetype at = 0;
    Frame frame;
    while (const qsizetype used =
               WsFrame::readServerFrame(m_buffer, at, &frame.opcode, &frame.payload)) {
        m_frames.append(frame);
        at += used;
    }
    m_buffer.remove(0, at);
}

QList<RawClient::Frame> RawClient::frames()
{
    parse();
    return m_frames;
}

bool RawClient::waitForText(const QByteArray &needle, int timeoutMs)
{
    return QTest::qWaitFor(
        [&] {
            for (const Frame &f : frames()) {
                if (f.opcode == 1 && f.payload.contains(needle))
                    return true;
            }
            return false;
        },
        timeoutMs);
}

int RawClient::waitForCloseCode(int timeoutMs)
{
    int code = -1;
    (void)QTest::qWaitFor(
        [&] { // on a timeout `code` stays -1 for the caller
            for (const Frame &f : frames()) {
                if (f.opcode == 8)
                    code = f.closeCode();
            }
            return code != -1;
        },
        timeoutMs);
    return code;
}

HubConfig testHubConfig()
{
    HubConfig config;
    config.listenAddress = QHostAddress::LocalHost;
    config.port = 0;
    return config;
}
