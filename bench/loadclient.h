#pragma once

#include <vector>

#include <QByteArray>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QList>
#include <QObject>

class QTcpSocket;
class QTimer;

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

// A load generator that speaks Confab's protocol over hand-rolled WebSocket framing on plain
// QTcpSockets: cheap per connection, and able to bind each one to its own 127.0.0.x source
// address (one address gives only about 28,000 ephemeral ports).
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
        QHostAddress host = QHostAddress::LocalHost;
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
    struct Peer
    {
        QTcpSocket *socket = nullptr;
        int index = 0;
        bool upgraded = false;
        QByteArray buffer;
    };

    void open(int index);
    void openMore();
    void onReadable(Peer *peer);
    void onFrame(Peer *peer, const QByteArray &payload);
    void onRawFrame(const QByteArray &payload);
    void onWelcomed();
    void onJoined();
    void waitForGo();
    void beginSending();
    void sendDue();
    void finish();
    QByteArray nextText() const;
    static QByteArray maskedText(const QByteArray &payload);
    static QByteArray maskedPong(const QByteArray &payload);

    Options m_options;
    Result m_result;
    std::vector<Peer *> m_peers;
    QTimer *m_sendTimer;
    QElapsedTimer m_clock;
    qint64 m_sendStartNs = 0;
    qint64 m_measureStartNs = 0;
    qint64 m_measureEndNs = 0;
    qint64 m_nextSendNs = 0;
    qint64 m_sentSoFar = 0;
    double m_cpuAtMeasureStart = 0;
    bool m_sending = false;
    QByteArray m_namePrefix;
    bool m_finished = false;
    int m_opened = 0;
};
