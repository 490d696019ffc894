#include "loadclient.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <QRandomGenerator>
#include <QSocketNotifier>
#include <QTimer>

namespace {

constexpr qint64 NsPerS = 1000000000;

// One read fills at most this much; frames are parsed where they land.
constexpr size_t ReadBufferBytes = 256 * 1024;

// A frame longer than this is no Confab or relay frame: the connection is dropped, not buffered.
constexpr quint64 MaxFrameBytes = 64 * 1024 * 1024;

// An HTTP response that has not ended by now is not a WebSocket upgrade.
constexpr size_t MaxHandshakeBytes = 16 * 1024;

constexpr int MaxEventsPerWait = 1024;

// Wake-ups are coalesced: after a pass that found work, the next starts this much later, so a
// hub's burst of writes to many sockets is read in a few passes rather than a wake-up per write
// (each costs about 8 us on these virtual machines). It delays a delivery by at most this much;
// 100 us took a 100,000 deliveries/s run from 45 % of a core to 36 %, longer gained little.
constexpr qint64 CoalesceNs = 100000;

// Continuous work goes back to Qt's loop this often, for its own timers and stdin.
constexpr qint64 MaxBusyNs = 2000000;

// The send timer fires when the next message is due, but no more often than this: at high rates
// a few messages go out together rather than a wake-up each.
constexpr qint64 MinSendSpacingNs = 200000;

constexpr uint64_t SendTimerKey = ~uint64_t(0);

// "t=" and 19 digits of CLOCK_MONOTONIC nanoseconds: see sendDue().
constexpr int StampDigits = 19;
constexpr size_t StampedTextMin = 2 + StampDigits;

void sleepUntil(qint64 ns)
{
    const timespec at {time_t(ns / NsPerS), long(ns % NsPerS)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, nullptr) == EINTR) { }
}

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

sockaddr_in ipv4Address(quint32 ip, quint16 port)
{
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(ip);
    address.sin_port = htons(port);
    return address;
}

QByteArray handshake(const QByteArray &path, const QHostAddress &host, quint16 port)
{
    return "GET " + path + " HTTP/1.1\r\nHost: " + host.toString().toLatin1() + ':'
           + QByteArray::number(port)
           + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Key: bG9hZGNsaWVudGtleTEyMw==\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

// RFC 6455 section 5.2: FIN, the opcode, the mask bit and the length in its shortest form.
QByteArray maskedHeader(int opcode, quint64 size)
{
    QByteArray header;
    header.append(char(0x80 | opcode));
    if (size < 126) {
        header.append(char(0x80 | size));
    } else if (size <= 0xFFFF) {
        header.append(char(0x80 | 126));
        header.append(char(size >> 8));
        header.append(char(size & 0xFF));
    } else {
        header.append(char(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            header.append(char((size >> shift) & 0xFF));
    }
    header.append(4, '\0'); // a zero mask is valid (section 5.3) and spares the XOR
    return header;
}

QByteArray maskedText(const QByteArray &payload)
{
    return maskedHeader(0x1, quint64(payload.size())) + payload;
}

bool contains(const char *data, size_t size, const char *needle, size_t needleSize)
{
    return memmem(data, size, needle, needleSize) != nullptr;
}

template<size_t N>
bool contains(const char *data, size_t size, const char (&needle)[N])
{
    return contains(data, size, needle, N - 1);
}

// The hub encodes with QJsonDocument, which sorts keys, so "type" comes last: a message frame
// is recognised by its end, and anything else by a search in case the encoder changes.
bool isMessageFrame(const char *payload, size_t size)
{
    static const char Suffix[] = R"("type":"message"})";
    constexpr size_t SuffixSize = sizeof Suffix - 1;
    if (size >= SuffixSize && memcmp(payload + size - SuffixSize, Suffix, SuffixSize) == 0)
        return true;
    return contains(payload, size, R"("type":"message")");
}

void writeStamp(char *at, qint64 ns)
{
    for (int i = StampDigits - 1; i >= 0; --i) {
        at[i] = char('0' + ns % 10);
        ns /= 10;
    }
}

// -1 unless all 19 characters are digits.
qint64 readStamp(const char *at)
{
    qint64 ns = 0;
    for (int i = 0; i < StampDigits; ++i) {
        const unsigned digit = unsigned(at[i] - '0');
        if (digit > 9)
            return -1;
        ns = ns * 10 + digit;
    }
    return ns;
}

// A server frame's header (RFC 6455 section 5.2); `size` 0 while the header is not all in.
struct FrameHeader
{
    size_t size = 0;
    quint64 payload = 0;
    quint64 frameSize() const { return size + payload; }
};

FrameHeader headerOf(const char *data, size_t available)
{
    if (available < 2)
        return {};
    const auto *bytes = reinterpret_cast<const uchar *>(data);
    FrameHeader header {2, quint64(bytes[1] & 0x7F)};
    if (header.payload >= 126) {
        const size_t lengthBytes = header.payload == 126 ? 2 : 8;
        if (available < 2 + lengthBytes)
            return {};
        header.payload = 0;
        for (size_t i = 0; i < lengthBytes; ++i)
            header.payload = (header.payload << 8) | bytes[2 + i];
        header.size += lengthBytes;
    }
    if (bytes[1] & 0x80)
        header.size += 4; // servers do not mask (section 5.1); skip a key if one does anyway
    header.payload = std::min(header.payload, MaxFrameBytes + 1); // no overflow in frameSize()
    return header;
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
    , m_readBuffer(ReadBufferBytes)
    , m_upgradeRequest(handshake(options.raw ? "/" : "/ws", options.host, options.port))
{ }

LoadClient::~LoadClient()
{
    for (Peer &peer : m_peers) {
        if (peer.fd >= 0)
            ::close(peer.fd);
    }
    if (m_sendTimerFd >= 0)
        ::close(m_sendTimerFd);
    if (m_epoll >= 0)
        ::close(m_epoll);
}

void LoadClient::start()
{
    // Names are claimed for days (name_retention_days), so each run brings its own.
    m_namePrefix = "l" + QByteArray::number(QRandomGenerator::global()->generate(), 16) + '-';
    if (!createEventSources()) {
        QTimer::singleShot(0, this, &LoadClient::finish);
        return;
    }
    QTimer::singleShot(qint64(m_options.connectTimeoutS) * 1000, this, [this] {
        if (m_result.joined < m_options.connections)
            finish(); // not everyone got in: the report says how many did, and the exit code
    });

    m_peers.resize(size_t(qMax(0, m_options.connections)));
    for (size_t i = 0; i < m_peers.size(); ++i)
        m_peers[i].index = int(i);
    m_startNs = monotonicNs();
    openMore();
}

bool LoadClient::createEventSources()
{
    m_epoll = epoll_create1(EPOLL_CLOEXEC);
    m_sendTimerFd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (m_epoll < 0 || m_sendTimerFd < 0) {
        std::fprintf(stderr, "confab-load: epoll or timerfd: %s\n", std::strerror(errno));
        return false;
    }
    epoll_event timerEvent {};
    timerEvent.events = EPOLLIN;
    timerEvent.data.u64 = SendTimerKey;
    epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_sendTimerFd, &timerEvent);

    m_epollNotifier = new QSocketNotifier(m_epoll, QSocketNotifier::Read, this);
    connect(m_epollNotifier, &QSocketNotifier::activated, this, &LoadClient::processEvents);
    return true;
}

qint64 LoadClient::sinceStartNs() const
{
    return monotonicNs() - m_startNs;
}

// Known limitation: with no window (--in-flight 0) the connects come faster than a server that
// accepts a few thousand a second takes them; past its listen queue the kernel drops SYNs, they
// retry after 1 s and 3 s, and the storm's figures show it. A window paces the storm instead.
void LoadClient::openMore()
{
    // With a window, each welcome lets one more connect go: a hub that closes connections with
    // no hello after helloTimeoutS would otherwise drop a storm it cannot greet in time.
    const int window = m_options.inFlight > 0 ? m_options.inFlight : m_options.connections;
    while (m_opened < m_options.connections && m_opened - m_result.welcomed - m_failed < window)
        open(m_peers[size_t(m_opened++)]);
}

void LoadClient::open(Peer &peer)
{
    peer.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (peer.fd < 0)
        return onConnectFailed(peer, "socket", errno);
    peer.state = PeerState::Connecting;

    // Without TCP_NODELAY small frames meet the 40 ms delayed-ACK stall (docs: QT-NOTES).
    const int one = 1;
    setsockopt(peer.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    // The port is left to connect(), which needs it free only towards this destination; bind()
    // would search for one free towards all, slowly once thousands are taken.
    setsockopt(peer.fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);

    // Spread over 127.0.0.1, 127.0.0.2, ... for more than one address's worth of ports.
    const quint32 source = QHostAddress(QHostAddress::LocalHost).toIPv4Address()
                           + quint32(peer.index % qMax(1, m_options.sourceAddresses));
    const sockaddr_in from = ipv4Address(source, 0);
    if (::bind(peer.fd, reinterpret_cast<const sockaddr *>(&from), sizeof from) < 0)
        return onConnectFailed(peer, "bind", errno);

    const sockaddr_in to = ipv4Address(m_options.host.toIPv4Address(), m_options.port);
    const bool connected =
        ::connect(peer.fd, reinterpret_cast<const sockaddr *>(&to), sizeof to) == 0;
    if (!connected && errno != EINPROGRESS)
        return onConnectFailed(peer, "connect", errno);

    // Edge-triggered: one event per arrival, and EPOLLOUT once connected or when a full socket
    // drains; each is handled to the end (read until a short read, write until EAGAIN).
    epoll_event event {};
    event.events = EPOLLIN | EPOLLOUT | EPOLLET;
    event.data.u64 = uint64_t(peer.index);
    if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, peer.fd, &event) < 0)
        return onConnectFailed(peer, "epoll_ctl", errno);
    if (connected)
        onConnected(peer);
}

void LoadClient::onConnectFailed(Peer &peer, const char *step, int error)
{
    // One line, not one per connection: when ports or descriptors run out, they all fail alike.
    if (!m_reportedConnectError) {
        m_reportedConnectError = true;
        std::fprintf(stderr, "confab-load: %s for connection %d: %s\n", step, peer.index,
                     std::strerror(error));
    }
    if (peer.fd >= 0)
        ::close(peer.fd);
    peer.fd = -1;
    peer.state = PeerState::Closed;
    ++m_failed; // frees its in-flight slot: openMore() goes on past it
    ++m_lostBeforeJoining;
    finishIfNoneCanJoin();
}

void LoadClient::finishIfNoneCanJoin()
{
    // Without this a refused or exhausted storm would sit out connectTimeoutS for nothing.
    if (m_result.joined < m_options.connections
        && m_result.joined + m_lostBeforeJoining >= m_options.connections)
        QTimer::singleShot(0, this, &LoadClient::finish);
}

void LoadClient::onConnected(Peer &peer)
{
    if (++m_result.connected == m_options.connections)
        m_result.tcpConnectedNs = sinceStartNs();
    peer.state = PeerState::Upgrading;
    sendBytes(peer, m_upgradeRequest.constData(), size_t(m_upgradeRequest.size()));
}

void LoadClient::processEvents()
{
    const qint64 began = monotonicNs();
    for (;;) {
        const qint64 passStart = monotonicNs();
        if (drainEvents() == 0 || m_finished || passStart - began > MaxBusyNs)
            return; // Qt's loop waits for the next event, or runs its timers first

        // The send timer is in the epoll set but cannot wake this sleep: wake for it too.
        const qint64 wake = passStart + CoalesceNs;
        sleepUntil(m_sending ? qMin(wake, m_nextSendAtNs) : wake);
    }
}

int LoadClient::drainEvents()
{
    epoll_event events[MaxEventsPerWait];
    int total = 0;
    for (;;) {
        const int count = epoll_wait(m_epoll, events, MaxEventsPerWait, 0);
        for (int i = 0; i < count && !m_finished; ++i) {
            if (events[i].data.u64 == SendTimerKey)
                onSendTimer();
            else
                onPeerEvent(m_peers[size_t(events[i].data.u64)], events[i].events);
        }
        total += qMax(0, count);
        if (count < MaxEventsPerWait || m_finished)
            return total;
    }
}

void LoadClient::onPeerEvent(Peer &peer, uint32_t events)
{
    if (peer.state == PeerState::Closed)
        return; // closed earlier in this batch

    if (peer.state == PeerState::Connecting) {
        int error = 0;
        socklen_t size = sizeof error;
        if (events & (EPOLLERR | EPOLLHUP)) {
            getsockopt(peer.fd, SOL_SOCKET, SO_ERROR, &error, &size);
            onConnectFailed(peer, "connect", error ? error : ECONNRESET);
            return openMore();
        }
        onConnected(peer);
    }

    if ((events & EPOLLOUT) && !peer.pending.empty())
        flushPending(peer);
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
        readPeer(peer);
}

void LoadClient::onSendTimer()
{
    uint64_t expirations = 0;
    if (::read(m_sendTimerFd, &expirations, sizeof expirations) < 0)
        return; // EAGAIN: disarmed or re-armed since it fired
    sendDue();
}

// Known limitation: on loopback, a read() that empties a socket makes the kernel send its ACK
// on this core, and process it for the server's socket here too. With one frame per read that
// is about half of this process's CPU; nothing short of reading less often (adding latency)
// removes it, and it shrinks on its own as the server puts more frames in each write.
void LoadClient::readPeer(Peer &peer)
{
    for (;;) {
        const ReadArea area = readAreaFor(peer);
        const size_t room = area.capacity - area.used;
        const ssize_t got = ::read(peer.fd, area.data + area.used, room);
        if (got <= 0 && !area.shared)
            peer.tail.resize(area.used); // back to the bytes it holds, for the next read
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return; // the tail, if any, waits for the next arrival
        if (got <= 0)
            return dropPeer(peer, true);

        // One clock reading for all the frames of one read: they arrived together.
        const size_t size = area.used + size_t(got);
        const qint64 nowNs = monotonicNs();
        size_t consumed = 0;
        if (peer.state == PeerState::Upgrading)
            consumed = consumeHandshake(peer, area.data, size);
        if (peer.state == PeerState::Open)
            consumed += consumeFrames(peer, area.data + consumed, size - consumed, nowNs);
        if (peer.state == PeerState::Closed)
            return;
        keepTail(peer, area, consumed, size);

        // A short read emptied the socket; edge-triggered epoll reports the next arrival.
        if (size_t(got) < room)
            return;
    }
}

LoadClient::ReadArea LoadClient::readAreaFor(Peer &peer)
{
    char *shared = m_readBuffer.data();
    const size_t carried = peer.tail.size();
    const quint64 frameSize =
        peer.state == PeerState::Open ? headerOf(peer.tail.data(), carried).frameSize() : 0;
    if (frameSize <= m_readBuffer.size() / 2) {
        if (carried)
            memcpy(shared, peer.tail.data(), carried);
        return {shared, carried, m_readBuffer.size(), true};
    }

    // A frame bigger than half the shared buffer grows in the peer's tail until it is whole:
    // copying it back and forth for every read would cost more than the read.
    peer.tail.resize(size_t(frameSize));
    return {peer.tail.data(), carried, size_t(frameSize), false};
}

void LoadClient::keepTail(Peer &peer, const ReadArea &area, size_t consumed, size_t size)
{
    if (area.shared) {
        peer.tail.assign(area.data + consumed, size - consumed);
        return;
    }
    peer.tail.resize(size);
    peer.tail.erase(0, consumed);
}

size_t LoadClient::consumeHandshake(Peer &peer, const char *data, size_t size)
{
    static const char End[] = "\r\n\r\n";
    const char *end = static_cast<const char *>(memmem(data, size, End, 4));
    if (!end) {
        if (size > MaxHandshakeBytes)
            dropPeer(peer, true);
        return 0;
    }
    static const char Switching[] = "HTTP/1.1 101";
    if (size < sizeof Switching - 1 || memcmp(data, Switching, sizeof Switching - 1) != 0) {
        dropPeer(peer, true); // refused: it is never welcomed, and the report says so
        return 0;
    }

    peer.state = PeerState::Open;
    if (m_options.raw) {
        onWelcomed();
        onJoined(peer);
    } else {
        const QByteArray hello = R"({"type":"hello","user":")" + m_namePrefix
                                 + QByteArray::number(peer.index) + R"(","device":"bench"})";
        sendText(peer, hello);
    }
    return size_t(end - data) + 4;
}

size_t LoadClient::consumeFrames(Peer &peer, const char *data, size_t size, qint64 nowNs)
{
    size_t at = 0;
    while (peer.state == PeerState::Open) {
        const FrameHeader header = headerOf(data + at, size - at);
        if (header.payload > MaxFrameBytes) {
            dropPeer(peer, true);
            break;
        }
        if (header.size == 0 || header.frameSize() > size - at)
            break; // the rest is the start of a frame: the caller keeps it as the tail

        const int opcode = uchar(data[at]) & 0x0F;
        onFrame(peer, opcode, data + at + header.size, size_t(header.payload), nowNs);
        at += size_t(header.frameSize());
    }
    return at;
}

// Known limitation: fragmented messages (continuation frames) are ignored; neither the hub nor
// the ws relay fragments what it sends, and reassembly would need a per-connection buffer.
void LoadClient::onFrame(Peer &peer, int opcode, const char *payload, size_t size, qint64 nowNs)
{
    if (opcode == 0x1 && m_options.raw)
        onStampedText(payload, size, nowNs);
    else if (opcode == 0x1)
        onConfabText(peer, payload, size, nowNs);
    else if (opcode == 0x9) // heartbeats are on: answer the hub's pings as a browser would
        sendPong(peer, payload, size);
}

void LoadClient::onConfabText(Peer &peer, const char *payload, size_t size, qint64 nowNs)
{
    // Substring checks, not a JSON parser: the load client must not be the bottleneck.
    if (isMessageFrame(payload, size)) {
        static const char Mark[] = R"("text":"t=)";
        const char *mark = static_cast<const char *>(memmem(payload, size, Mark, sizeof Mark - 1));
        if (mark) {
            const char *text = mark + 8; // at the "t="
            onStampedText(text, size_t(payload + size - text), nowNs);
        }
        return;
    }

    if (m_result.firstError.isEmpty() && contains(payload, size, R"("type":"error")"))
        m_result.firstError = QByteArray(payload, qsizetype(size));

    if (contains(payload, size, R"("type":"welcome")")) {
        onWelcomed();
        if (peer.index < m_options.roomMembers)
            sendText(peer, R"({"type":"join","room":")" + m_options.room.toUtf8() + "\"}");
        else
            onJoined(peer);
        return;
    }

    if (contains(payload, size, R"("type":"joined")"))
        onJoined(peer);
}

void LoadClient::onStampedText(const char *text, size_t size, qint64 nowNs)
{
    if (size < StampedTextMin || text[0] != 't' || text[1] != '=')
        return;
    if (nowNs - m_startNs < m_measureStartNs || nowNs - m_startNs > m_measureEndNs)
        return;
    const qint64 sentNs = readStamp(text + 2);
    if (sentNs < 0)
        return;
    ++m_result.deliveries;
    m_result.latency.add(double(nowNs - sentNs) / 1e6);
}

void LoadClient::sendBytes(Peer &peer, const char *data, size_t size)
{
    if (peer.state == PeerState::Closed)
        return;
    if (!peer.pending.empty()) {
        peer.pending.append(data, size); // behind what is already waiting, in order
        return;
    }

    // MSG_NOSIGNAL: a hub that closed the connection is an error here, not a SIGPIPE.
    ssize_t written = ::send(peer.fd, data, size, MSG_NOSIGNAL);
    if (written < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        return dropPeer(peer, true);
    written = qMax<ssize_t>(0, written);

    // Known limitation: the pending bytes have no bound. A hub that stops reading makes them grow
    // at the send rate for the length of the run; a real client would be closed for it instead.
    if (size_t(written) < size)
        peer.pending.append(data + written, size - size_t(written));
}

void LoadClient::sendText(Peer &peer, const QByteArray &payload)
{
    const QByteArray frame = maskedText(payload);
    sendBytes(peer, frame.constData(), size_t(frame.size()));
}

void LoadClient::sendPong(Peer &peer, const char *payload, size_t size)
{
    // RFC 6455 section 5.5.3: a pong echoes the ping's payload (at most 125 bytes), masked.
    const size_t echoed = qMin<size_t>(125, size);
    char frame[6 + 125] = {char(0x8A), char(0x80 | echoed)}; // a zero mask follows
    memcpy(frame + 6, payload, echoed);
    sendBytes(peer, frame, 6 + echoed);
}

void LoadClient::flushPending(Peer &peer)
{
    const ssize_t written = ::send(peer.fd, peer.pending.data(), peer.pending.size(), MSG_NOSIGNAL);
    if (written < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        return dropPeer(peer, true);
    if (written > 0)
        peer.pending.erase(0, size_t(written)); // the rest waits for the next EPOLLOUT
}

void LoadClient::dropPeer(Peer &peer, bool byHub)
{
    if (peer.state == PeerState::Closed)
        return;
    if (!m_finished && byHub)
        ++m_result.closed;
    if (!m_finished && !peer.joined && peer.state != PeerState::Idle) {
        ++m_lostBeforeJoining;
        finishIfNoneCanJoin();
    }
    if (peer.fd >= 0)
        ::close(peer.fd); // also takes it out of the epoll set
    peer.fd = -1;
    peer.state = PeerState::Closed;
    std::string().swap(peer.tail);
    std::string().swap(peer.pending);
}

void LoadClient::onWelcomed()
{
    if (++m_result.welcomed == m_options.connections)
        m_result.welcomeNs = sinceStartNs();
    openMore();
}

void LoadClient::onJoined(Peer &peer)
{
    peer.joined = true;
    if (++m_result.joined != m_options.connections)
        return;
    m_result.connectMs = sinceStartNs() / 1000000;
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
    // Relative to m_startNs, as every other figure; the stamps themselves are absolute.
    m_sendStartNs = sinceStartNs();
    m_measureStartNs = m_sendStartNs + qint64(m_options.warmupS) * NsPerS;
    m_measureEndNs = m_measureStartNs + qint64(m_options.durationS) * NsPerS;
    m_sending = m_options.rate > 0 && m_options.senders > 0;
    if (m_sending) {
        prepareSayFrame();
        sendDue();
    }

    QTimer::singleShot(qint64(m_options.warmupS) * 1000, this,
                       [this] { m_cpuAtMeasureStart = cpuSeconds(); });
    // A second after the window for the last frames to arrive; none when nothing is sent.
    const qint64 tailS = m_sending ? 1 : 0;
    QTimer::singleShot((qint64(m_options.warmupS) + m_options.durationS + tailS) * 1000, this,
                       &LoadClient::finish);
}

void LoadClient::prepareSayFrame()
{
    // textBytes in all: "t=", the send time, ';' and padding.
    const QByteArray text = "t=" + QByteArray(StampDigits, '0') + ';'
                            + QByteArray(qMax(0, m_options.textBytes - 22), 'x');
    const QByteArray before =
        m_options.raw ? QByteArray()
                      : R"({"type":"say","room":")" + m_options.room.toUtf8() + R"(","text":")";
    const QByteArray after = m_options.raw ? QByteArray() : QByteArray("\"}");
    const QByteArray payload = before + text + after;
    m_sayFrame = maskedText(payload);
    m_stampAt = int(m_sayFrame.size() - payload.size() + before.size() + 2);
}

void LoadClient::sendDue()
{
    const qint64 now = sinceStartNs();
    if (now > m_measureEndNs) {
        m_sending = false;
        armSendTimer(0);
        return;
    }

    const qint64 due = qint64(double(now - m_sendStartNs) * m_options.rate / NsPerS);
    const int senders = qMin(m_options.senders, qMin(m_options.roomMembers, m_opened));
    if (senders <= 0)
        return;
    char *stamp = m_sayFrame.data() + m_stampAt;
    for (; m_sentSoFar < due; ++m_sentSoFar) {
        Peer &sender = m_peers[size_t(m_sentSoFar % senders)];
        writeStamp(stamp, monotonicNs());
        sendBytes(sender, m_sayFrame.constData(), size_t(m_sayFrame.size()));
        ++m_result.sent;
    }

    const qint64 next =
        m_sendStartNs + qint64(std::ceil(double(m_sentSoFar + 1) * NsPerS / m_options.rate));
    m_nextSendAtNs = m_startNs + qMax(next, now + MinSendSpacingNs);
    armSendTimer(m_nextSendAtNs);
}

// At an absolute CLOCK_MONOTONIC time, 0 to disarm: a timerfd has no drift to correct, and
// firing exactly when a message is due keeps the sends spread as the rate says.
void LoadClient::armSendTimer(qint64 atNs)
{
    itimerspec spec {};
    spec.it_value.tv_sec = time_t(atNs / NsPerS);
    spec.it_value.tv_nsec = long(atNs % NsPerS);
    timerfd_settime(m_sendTimerFd, TFD_TIMER_ABSTIME, &spec, nullptr);
}

void LoadClient::finish()
{
    if (m_finished)
        return;
    m_result.seconds = m_options.durationS;
    m_result.cpuSeconds = cpuSeconds() - m_cpuAtMeasureStart;
    m_finished = true;
    if (m_epollNotifier)
        m_epollNotifier->setEnabled(false);
    for (Peer &peer : m_peers)
        dropPeer(peer, false);
    emit finished();
}
