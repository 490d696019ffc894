#include "loadclient.h"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <sys/resource.h>
#include <unistd.h>

#include <QRandomGenerator>
#include <QSocketNotifier>
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

// CLOCK_MONOTONIC, not a QElapsedTimer's own start: every load process reads the same clock.
qint64 monotonicNs()
{
    timespec now {};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return qint64(now.tv_sec) * NsPerS + now.tv_nsec;
}

const double LogBucketRatio = std::log(1.02);

QByteArray handshake(const QByteArray &path, const QHostAddress &host, quint16 port)
{
    return "GET " + path + " HTTP/1.1\r\nHost: " + host.toString().toLatin1() + ':'
           + QByteArray::number(port)
           + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Key: bG9hZGNsaWVudGtleTEyMw==\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

} // namespace

int LatencyHistogram::bucketOf(double ms)
{
    const double us = ms * 1000;
    if (us < 1)
        return 0;
    return qMin(Buckets - 1, 1 + int(std::log(us) / LogBucketRatio));
}

double LatencyHistogram::upperEdgeMs(int bucket)
{
    return bucket == 0 ? 0.001 : std::pow(1.02, bucket) / 1000;
}

void LatencyHistogram::add(double ms)
{
    ++counts[size_t(bucketOf(ms))];
    ++total;
    maxMs = qMax(maxMs, ms);
}

double LatencyHistogram::percentile(double p) const
{
    const qint64 rank = qMax<qint64>(1, qint64(std::ceil(p * double(total))));
    qint64 seen = 0;
    for (int i = 0; i < Buckets; ++i) {
        seen += counts[size_t(i)];
        if (seen >= rank)
            return qMin(upperEdgeMs(i), maxMs);
    }
    return maxMs;
}

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
    openMore();
}

void LoadClient::openMore()
{
    // With a window, each welcome lets one more connect go: a hub that closes connections with
    // no hello after helloTimeoutS would otherwise drop a storm it cannot greet in time.
    const int window = m_options.inFlight > 0 ? m_options.inFlight : m_options.connections;
    while (m_opened < m_options.connections && m_opened - m_result.welcomed < window)
        open(m_opened++);
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
        if (++m_result.connected == m_options.connections)
            m_result.tcpConnectedNs = m_clock.nsecsElapsed();
        peer->socket->write(handshake(m_options.raw ? "/" : "/ws", m_options.host, m_options.port));
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
        if (!peer->buffer.startsWith("HTTP/1.1 101")) {
            peer->socket->abort(); // refused: it is never welcomed, and the report says so
            return;
        }
        peer->upgraded = true;
        peer->buffer.remove(0, end + 4);
        if (m_options.raw) {
            onWelcomed();
            onJoined();
        } else {
            const QByteArray hello = R"({"type":"hello","user":")" + m_namePrefix
                                     + QByteArray::number(peer->index) + R"(","device":"bench"})";
            peer->socket->write(maskedText(hello));
        }
    }

    qsizetype at = 0;
    int opcode = 0;
    QByteArray payload;
    while (const qsizetype used = WsFrame::readServerFrame(peer->buffer, at, &opcode, &payload)) {
        if (opcode == 0x1 && m_options.raw)
            onRawFrame(payload);
        else if (opcode == 0x1)
            onFrame(peer, payload);
        else if (opcode == 0x9) // heartbeats are on: answer the hub's pings as a browser would
            peer->socket->write(maskedPong(payload));
        at += used;
    }
    peer->buffer.remove(0, at);
}

void LoadClient::onFrame(Peer *peer, const QByteArray &payload)
{
    // Substring checks, not a JSON parser: the load client must not be the bottleneck.
    if (payload.contains("\"type\":\"message\"")) {
        const qsizetype mark = payload.indexOf("\"text\":\"t=");
        if (mark >= 0)
            onRawFrame(
                QByteArray::fromRawData(payload.constData() + mark + 8, payload.size() - mark - 8));
        return;
    }

    if (m_result.firstError.isEmpty() && payload.contains("\"type\":\"error\""))
        m_result.firstError = payload;

    if (payload.contains("\"type\":\"welcome\"")) {
        onWelcomed();
        if (peer->index < m_options.roomMembers)
            peer->socket->write(
                maskedText(R"({"type":"join","room":")" + m_options.room.toUtf8() + "\"}"));
        else
            onJoined();
        return;
    }

    if (payload.contains("\"type\":\"joined\""))
        onJoined();
}

void LoadClient::onRawFrame(const QByteArray &payload)
{
    // "t=" and 19 digits of CLOCK_MONOTONIC nanoseconds: see nextText().
    if (payload.size() < 21 || !payload.startsWith("t="))
        return;
    const qint64 now = m_clock.nsecsElapsed();
    if (now < m_measureStartNs || now > m_measureEndNs)
        return;
    ++m_result.deliveries;
    const qint64 sentNs = QByteArray::fromRawData(payload.constData() + 2, 19).toLongLong();
    m_result.latency.add(double(monotonicNs() - sentNs) / 1e6);
}

void LoadClient::onWelcomed()
{
    if (++m_result.welcomed == m_options.connections)
        m_result.welcomeNs = m_clock.nsecsElapsed();
    openMore();
}

void LoadClient::onJoined()
{
    if (++m_result.joined != m_options.connections)
        return;
    m_result.connectMs = m_clock.elapsed();
    if (m_options.waitForGo)
        waitForGo();
    else
        beginSending();
}

void LoadClient::waitForGo()
{
    // A barrier for a driver running several load processes on one room: each says READY when
    // its clients are in, and all start sending when the driver writes a line to every stdin.
    std::printf("READY\n");
    std::fflush(stdout);
    auto *notifier = new QSocketNotifier(STDIN_FILENO, QSocketNotifier::Read, this);
    connect(notifier, &QSocketNotifier::activated, this, [this, notifier] {
        char line[64];
        if (::read(STDIN_FILENO, line, sizeof line) < 0)
            return;
        notifier->setEnabled(false);
        beginSending();
    });
}

void LoadClient::beginSending()
{
    m_sendStartNs = m_clock.nsecsElapsed();
    m_measureStartNs = m_sendStartNs + qint64(m_options.warmupS) * NsPerS;
    m_measureEndNs = m_measureStartNs + qint64(m_options.durationS) * NsPerS;
    m_sending = m_options.rate > 0 && m_options.senders > 0;
    if (m_sending)
        m_sendTimer->start();

    QTimer::singleShot(qint64(m_options.warmupS) * 1000, this,
                       [this] { m_cpuAtMeasureStart = cpuSeconds(); });
    // A second after the window for the last frames to arrive; none when nothing is sent.
    const qint64 tailS = m_sending ? 1 : 0;
    QTimer::singleShot((qint64(m_options.warmupS) + m_options.durationS + tailS) * 1000, this,
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
    const int senders = qMin(m_options.senders, qMin(m_options.roomMembers, int(m_peers.size())));
    for (; m_sentSoFar < due; ++m_sentSoFar) {
        Peer *sender = m_peers[size_t(m_sentSoFar % senders)];
        if (m_options.raw)
            sender->socket->write(maskedText(nextText()));
        else
            sender->socket->write(maskedText(R"({"type":"say","room":")" + m_options.room.toUtf8()
                                             + R"(","text":")" + nextText() + "\"}"));
        ++m_result.sent;
    }
}

QByteArray LoadClient::nextText() const
{
    // textBytes in all: "t=", the send time, ';' and padding.
    const QByteArray stamp = QByteArray::number(monotonicNs()).rightJustified(19, '0');
    return "t=" + stamp + ';' + QByteArray(qMax(0, m_options.textBytes - 22), 'x');
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

QByteArray LoadClient::maskedPong(const QByteArray &payload)
{
    // RFC 6455 section 5.5.3: a pong echoes the ping's payload (at most 125 bytes), masked.
    QByteArray frame;
    frame.append(char(0x8A));
    frame.append(char(0x80 | qMin<qsizetype>(125, payload.size())));
    frame.append(4, '\0');
    frame.append(payload.left(125));
    return frame;
}
