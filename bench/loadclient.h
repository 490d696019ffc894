#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <QByteArray>
#include <QHostAddress>
#include <QObject>

class QSocketNotifier;

// Delivery latencies in buckets 2 % wide from 1 us up: constant memory however many deliveries a
// run counts, and mergeable, so a driver can add up the histograms of several load processes.
struct LatencyHistogram
{
    static constexpr int Buckets = 1200; // 1.02^1199 us is far beyond any run's length

    std::vector<qint64> counts = std::vector<qint64>(Buckets, 0);
    qint64 total = 0;
    double maxMs = 0;

    void add(double ms);
    double percentile(double p) const; // the upper edge of the bucket holding rank p
    static int bucketOf(double ms);
    static double upperEdgeMs(int bucket);
};

// A load generator that speaks Confab's protocol over hand-rolled WebSocket framing on raw
// non-blocking Linux sockets with its own edge-triggered epoll set, so that it is never the
// bottleneck: no per-connection objects or notifiers, one shared read buffer in which frames are
// parsed in place, and only a frame's unfinished tail (or unwritten bytes) kept per connection.
// Each connection binds to its own 127.0.0.x source address (one address gives only about 28,000
// ports). Qt's event loop sees one descriptor, the epoll set, through a QSocketNotifier.
//
// In raw mode it speaks no protocol at all, for a reference relay: each connection upgrades on
// `/` and counts as in at once, senders post the timestamped text as a bare text frame, and every
// received text frame that starts with the timestamp counts as a delivery.
//
// Timestamps are CLOCK_MONOTONIC nanoseconds, the same clock in every process, so several load
// processes can share one room and still measure latency of each other's messages.
class LoadClient : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        QHostAddress host = QHostAddress::LocalHost; // IPv4 only: the sockets are AF_INET
        quint16 port = 8765;
        int connections = 100;
        int roomMembers = 100; // the first this many join `room`
        QString room = QStringLiteral("general");
        int senders = 1; // the first this many members post
        double rate = 100; // messages per second, all senders together
        int durationS = 10; // of sending, after everyone has joined
        int warmupS = 2; // of sending before measuring
        int sourceAddresses = 1; // 127.0.0.1, 127.0.0.2, ...
        int textBytes = 64;
        int connectTimeoutS = 60; // give up if not everyone has joined by then
        bool raw = false; // no Confab protocol: bare text frames for a reference relay
        bool waitForGo = false; // once everyone is in, print READY and wait for a stdin line
        int inFlight = 0; // at most this many connects not yet welcomed; 0: all at once
    };

    struct Result
    {
        int connected = 0;
        int welcomed = 0;
        int joined = 0;
        qint64 connectMs = 0; // from the first connect to the last joined
        qint64 tcpConnectedNs = 0; // from the first connect to the last TCP connection made
        qint64 welcomeNs = 0; // from the first connect to the last welcome (raw: upgrade)
        qint64 sent = 0;
        qint64 deliveries = 0; // message frames received while measuring
        double seconds = 0;
        LatencyHistogram latency;
        int closed = 0; // connections the hub closed
        double cpuSeconds = 0; // this process's user + system time while measuring
        QByteArray firstError; // the first error frame the hub sent, to say why
    };

    explicit LoadClient(const Options &options, QObject *parent = nullptr);
    ~LoadClient() override;

    void start();
    const Result &result() const { return m_result; }

signals:
    void finished();

private:
    enum class PeerState : quint8 { Idle, Connecting, Upgrading, Open, Closed };

    // One connection. Everything it reads goes through the shared buffer; it keeps only what
    // is left over: the start of a frame still arriving, and bytes its socket would not take.
    struct Peer
    {
        int fd = -1;
        int index = 0;
        PeerState state = PeerState::Idle;
        bool joined = false; // in the room, or in without one (raw mode, non-members)
        std::string tail; // an unfinished frame (or HTTP response), carried to the next read
        std::string pending; // bytes the socket refused with EAGAIN, written on EPOLLOUT
    };

    // A run of bytes to read into: the shared buffer, or a peer's tail for a frame too big for it.
    struct ReadArea
    {
        char *data;
        size_t used; // bytes already there, carried over from the previous read
        size_t capacity;
        bool shared;
    };

    bool createEventSources();
    void openMore();
    void open(Peer &peer);
    void onConnected(Peer &peer);
    void onConnectFailed(Peer &peer, const char *step, int error);

    void processEvents();
    int drainEvents();
    void onPeerEvent(Peer &peer, uint32_t events);
    void onSendTimer();

    void readPeer(Peer &peer);
    ReadArea readAreaFor(Peer &peer);
    void keepTail(Peer &peer, const ReadArea &area, size_t consumed, size_t size);
    size_t consumeHandshake(Peer &peer, const char *data, size_t size);
    size_t consumeFrames(Peer &peer, const char *data, size_t size, qint64 nowNs);
    void onFrame(Peer &peer, int opcode, const char *payload, size_t size, qint64 nowNs);
    void onConfabText(Peer &peer, const char *payload, size_t size, qint64 nowNs);
    void onStampedText(const char *text, size_t size, qint64 nowNs);

    void sendBytes(Peer &peer, const char *data, size_t size);
    void sendText(Peer &peer, const QByteArray &payload);
    void sendPong(Peer &peer, const char *payload, size_t size);
    void flushPending(Peer &peer);
    void dropPeer(Peer &peer, bool byHub);

    void onWelcomed();
    void onJoined(Peer &peer);
    void finishIfNoneCanJoin();
    void waitForGo();
    void beginSending();
    void prepareSayFrame();
    void sendDue();
    void armSendTimer(qint64 atNs);
    void finish();
    qint64 sinceStartNs() const;

    Options m_options;
    Result m_result;
    std::vector<Peer> m_peers; // sized once: a Peer & stays valid while more connect
    std::vector<char> m_readBuffer;
    int m_epoll = -1;
    int m_sendTimerFd = -1;
    QSocketNotifier *m_epollNotifier = nullptr;
    QByteArray m_upgradeRequest;
    QByteArray m_sayFrame; // the masked frame every sender posts, its stamp rewritten each time
    int m_stampAt = 0;
    qint64 m_startNs = 0;
    qint64 m_sendStartNs = 0;
    qint64 m_measureStartNs = 0;
    qint64 m_measureEndNs = 0;
    qint64 m_sentSoFar = 0;
    qint64 m_nextSendAtNs = 0; // absolute, as the send timer is armed
    double m_cpuAtMeasureStart = 0;
    bool m_sending = false;
    QByteArray m_namePrefix;
    bool m_finished = false;
    bool m_reportedConnectError = false;
    int m_opened = 0;
    int m_failed = 0; // connects that never got through: they free their in-flight slot
    int m_lostBeforeJoining = 0; // failed or closed before joining: they never will
};
