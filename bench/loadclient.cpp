#include "loadclient.h"

#include <sys/resource.h>

#include <QRandomGenerator>
#include <QTcpSocket>
#include <QTimer>

#include "wsframe.h"

namespace {

constexpr qint64 NsPerS = 1000000000;

double cpuSeconds()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval &t) {
        return double(t.tv_sec) + t.tv_usec / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

QByteArray handshake(const QHostAddress &host, quint16 port)
{
    return "GET /ws HTTP/1.1\r\nHost: " + host.toString().toLatin1() + ':'
           + QByteArray::number(port)
           + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Key: bG9hZGNsaWVudGtleTEyMw==\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

} // namespace

LoadClient::LoadClient(const Options &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_sendTimer(new QTimer(this))
{
    m_sendTimer->setInterval(5);
    m_sendTimer->setTimerType(Qt::PreciseTimer);
    connect(m_sendTimer, &QTimer::timeout, this, &LoadClient::sendDue);
}

LoadClient::~LoadClient()
{
    for (Peer *peer : m_peers)
        delete peer;
}

void LoadClient::start()
{
    // Names are claimed for days (name_retention_days), so each run brings its own.
    m_namePrefix = "l" + QByteArray::number(QRandomGenerator::global()->generate(), 16) + '-';
    QTimer::singleShot(qint64(m_options.connectTimeoutS) * 1000, this, [this] {
        if (m_result.joined < m_options.connections)
            finish(); // not everyone got in: the report says how many did, and the exit code
    });
    m_clock.start();
    m_peers.reserve(m_options.connections);
    for (int i = 0; i < m_options.connections; ++i)
        open(i);
}

void LoadClient::open(int index)
{
    auto *peer = new Peer;
    peer->index = index;
    peer->socket = new QTcpSocket(this);
    m_peers.push_back(peer);

    // Spread over 127.0.0.1, 127.0.0.2, ... for more than one address's worth of ports.
    const int source = index % qMax(1, m_options.sourceAddresses);
    peer->socket->bind(QHostAddress(QHostAddress::LocalHost).toIPv4Address() + source);
    peer->socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);

    connect(peer->socket, &QTcpSocket::connected, this, [this, peer] {
        ++m_result.connected;
        peer->socket->write(handshake(m_options.host, m_options.port));
    });
    connect(peer->socket, &QTcpSocket::readyRead, this, [this, peer] { onReadable(peer); });
    connect(peer->socket, &QTcpSocket::disconnected, this, [this] {
        if (!m_finished)
            ++m_result.closed;
    });
    peer->socket->connectToHost(m_options.host, m_options.port);
}

void LoadClient::onReadable(Peer *peer)
{
    peer->buffer += peer->socket->readAll();

    if (!peer->upgraded) {
        const qsizetype end = peer->buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        peer->upgraded = peer->buffer.startsWith("HTTP/1.1 101");
        peer->buffer.remove(0, end + 4);
        const QByteArray hello = R"({"type":"hello","user":")" + m_namePrefix
                                 + QByteArray::number(peer->index) + R"(","device":"bench"})";
        peer->socket->write(maskedText(hello));
    }

    qsizetype at = 0;
    int opcode = 0;
    QByteArray payload;
    while (const qsizetype used = WsFrame::readServerFrame(peer->buffer, at, &opcode, &payload)) {
        if (opcode == 0x1)
            onFrame(peer, payload);
        at += used;
    }
    peer->buffer.remove(0, at);
}

void LoadClient::onFrame(Peer *peer, const QByteArray &payload)
{
    // Substring checks, not a JSON parser: the load client must not be the bottleneck.
    if (payload.contains("\"type\":\"message\"")) {
        const qint64 now = m_clock.nsecsElapsed();
        if (now < m_measureStartNs || now > m_measureEndNs)
            return;
        ++m_result.deliveries;
        const qsizetype mark = payload.indexOf("\"text\":\"t=");
        if (mark >= 0) {
            const qint64 sentNs = QByteArray(payload.constData() + mark + 10, 19).toLongLong();
            m_result.latenciesMs.push_back(double(now - sentNs) / 1e6);
        }
        return;
    }

    if (m_result.firstError.isEmpty() && payload.contains("\"type\":\"error\""))
        m_result.firstError = payload;

    if (payload.contains("\"type\":\"welcome\"")) {
        ++m_result.welcomed;
        if (peer->index < m_options.roomMembers)
            peer->socket->write(
                maskedText(R"({"type":"join","room":")" + m_options.room.toUtf8() + "\"}"));
        else if (++m_result.joined == m_options.connections)
            beginSending();
        return;
    }

    if (payload.contains("\"type\":\"joined\"") && ++m_result.joined == m_options.connections)
        beginSending();
}

void LoadClient::beginSending()
{
    m_result.connectMs = m_clock.elapsed();
    m_sendStartNs = m_clock.nsecsElapsed();
    m_measureStartNs = m_sendStartNs + qint64(m_options.warmupS) * NsPerS;
    m_measureEndNs = m_measureStartNs + qint64(m_options.durationS) * NsPerS;
    m_sending = m_options.rate > 0 && m_options.senders > 0;
    if (m_sending)
        m_sendTimer->start();

    QTimer::singleShot(qint64(m_options.warmupS) * 1000, this,
                       [this] { m_cpuAtMeasureStart = cpuSeconds(); });
    // A second after the window for the last frames to arrive.
    QTimer::singleShot((qint64(m_options.warmupS) + m_options.durationS + 1) * 1000, this,
                       &LoadClient::finish);
}

void LoadClient::sendDue()
{
    const qint64 now = m_clock.nsecsElapsed();
    if (now > m_measureEndNs) {
        m_sendTimer->stop();
        return;
    }

    const qint64 due = qint64(double(now - m_sendStartNs) * m_options.rate / NsPerS);
    const QByteArray padding(qMax(0, m_options.textBytes - 21), 'x');
    const int senders = qMin(m_options.senders, qMin(m_options.roomMembers, int(m_peers.size())));
    for (; m_sentSoFar < due; ++m_sentSoFar) {
        Peer *sender = m_peers[m_sentSoFar % senders];
        const QByteArray stamp = QByteArray::number(m_clock.nsecsElapsed()).rightJustified(19, '0');
        sender->socket->write(maskedText(R"({"type":"say","room":")" + m_options.room.toUtf8()
                                         + R"(","text":"t=)" + stamp + ';' + padding + "\"}"));
        ++m_result.sent;
    }
}

void LoadClient::finish()
{
    if (m_finished)
        return;
    m_result.seconds = m_options.durationS;
    m_result.cpuSeconds = cpuSeconds() - m_cpuAtMeasureStart;
    m_finished = true;
    for (Peer *peer : m_peers)
        peer->socket->abort();
    emit finished();
}

QByteArray LoadClient::maskedText(const QByteArray &payload)
{
    return WsFrame::maskedText(payload); // a zero mask: no XOR work on the load client
}
