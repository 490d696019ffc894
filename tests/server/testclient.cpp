#include "testclient.h"

#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

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
    QByteArray frame;
    frame.append(char(0x81));
    const qsizetype size = payload.size();
    if (size < 126) {
        frame.append(char(0x80 | size));
    } else if (size <= 0xFFFF) {
        frame.append(char(0x80 | 126));
        frame.append(char(size >> 8));
        frame.append(char(size & 0xFF));
    } else {
        frame.append(char(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((quint64(size) >> shift) & 0xFF));
    }
    const char mask[4] = {0x12, 0x34, 0x56, 0x78};
    frame.append(mask, 4);
    for (qsizetype i = 0; i < size; ++i)
        frame.append(char(payload.at(i) ^ mask[i % 4]));
    return frame;
}

void RawClient::resumeReading()
{
    m_socket.setReadBufferSize(0);
    QMetaObject::invokeMethod(&m_socket, "readyRead", Qt::QueuedConnection);
}

void RawClient::parse()
{
    m_buffer += m_socket.readAll();
    while (m_buffer.size() >= 2) {
        const int opcode = uchar(m_buffer.at(0)) & 0x0F;
        qint64 length = uchar(m_buffer.at(1)) & 0x7F;
        int header = 2;
        if (length == 126) {
            if (m_buffer.size() < 4)
                return;
            length = (uchar(m_buffer.at(2)) << 8) | uchar(m_buffer.at(3));
            header = 4;
        } else if (length == 127) {
            if (m_buffer.size() < 10)
                return;
            length = 0;
            for (int i = 2; i < 10; ++i)
                length = (length << 8) | uchar(m_buffer.at(i));
            header = 10;
        }
        if (m_buffer.size() < header + length)
            return;
        m_frames.append({opcode, m_buffer.mid(header, length)});
        m_buffer.remove(0, header + length);
    }
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
