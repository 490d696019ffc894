#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include <QByteArray>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QSet>

class QSocketNotifier;
class QTcpServer;
class QTimer;

// An HTTP request head as the transport read it. Names are lower-cased; values as sent.
struct HttpRequest
{
    QByteArray method;
    QByteArray target; // as in the request line, query included
    QByteArray path; // the target up to any '?'
    QByteArray version; // "HTTP/1.1"
    QList<std::pair<QByteArray, QByteArray>> headers;

    QByteArray header(const QByteArray &lowerName) const; // empty when absent
    bool headerHasToken(const QByteArray &lowerName, const QByteArray &lowerToken) const;
    bool wantsUpgrade() const { return headerHasToken("upgrade", "websocket"); }
};

// What to do with a request: open a WebSocket, or send an HTTP response and close.
struct HttpAnswer
{
    bool upgrade = false;
    int status = 200;
    QByteArray body;
    QByteArray contentType = "text/plain; charset=utf-8";
    QByteArray extraHeaders; // complete lines, each ending in \r\n
    bool headOnly = false;
};

// A run of bytes in a shared store. The store is cut into chunks that are filled once and never
// moved, and a slice holds a count on its chunk, so one frame placed there can sit in thousands
// of links' queues without a copy each, and consecutive frames for the same link merge into one
// slice (one iovec) instead of one queue entry per frame.
class Slice
{
public:
    struct Chunk
    {
        std::atomic<int> refs {0}; // atomic: with write threads, slices go on two threads
        qsizetype used = 0;
        qsizetype capacity = 0;
        char *bytes() { return reinterpret_cast<char *>(this + 1); } // the bytes follow
    };

    Slice() = default;
    Slice(Chunk *chunk, quint32 offset, quint32 length);
    Slice(const Slice &other);
    Slice(Slice &&other) noexcept;
    Slice &operator=(Slice other) noexcept;
    ~Slice();

    // A chunk of at least `capacity` bytes, to fill with append(); null if out of memory.
    static Chunk *newChunk(qsizetype capacity);
    // Copies bytes to the end of the chunk; false if they do not fit.
    static bool append(Chunk *chunk, const QByteArray &bytes, Slice *placed);
    static void release(Chunk *chunk);

    const char *data() const { return m_chunk->bytes() + m_offset; } // per write: inline
    qsizetype size() const { return m_length; }
    bool isNull() const { return !m_chunk; }
    // Takes `next` into this slice when it starts where this one ends in the same chunk.
    bool extend(const Slice &next);
    void dropFront(qsizetype bytes);

private:
    Chunk *m_chunk = nullptr;
    quint32 m_offset = 0;
    quint32 m_length = 0;
};

// One accepted TCP connection: an HTTP request head, then (after an upgrade) WebSocket frames.
// Owned by the Transport; its owner pointer is for whoever adopted the WebSocket (the hub).
struct Link
{
    enum class Phase : quint8 {
        Request, // reading the HTTP request head
        Open, // a WebSocket
        Closing, // we sent a close frame and wait for the peer's
        Draining, // over: the last bytes go out, then the write side shuts and we wait for EOF
        Dead, // the descriptor is closed; freed once the current batch of events is done
    };

    int fd = -1;
    Phase phase = Phase::Request;
    bool writable = true; // false after the kernel refused bytes, until EPOLLOUT says again
    bool inDirtyList = false;
    bool inReadAgain = false;
    bool writeFailed = false; // set by a write thread, handled by the engine thread
    bool shutWhenFlushed = false;
    bool closeQueued = false; // nothing may follow a close frame (RFC 6455 section 5.5.1)
    quint8 fragmentOpcode = 0; // opcode of the fragmented message being assembled, or 0
    quint16 peerPort = 0;
    QHostAddress peerAddress;
    qint64 acceptedMs = 0; // monotonic
    qint64 lastWriteMs = 0; // the kernel last took bytes from us
    qint64 drainingSinceMs = 0;

    QByteArray input; // read but not yet used: a partial request head or frame
    QByteArray message; // the fragments of a message so far
    std::vector<Slice> output; // whole frames (or an HTTP answer), oldest first
    qint64 queuedBytes = 0; // in output, not yet written
    bool frontStarted = false; // output.front() is partly written: it must go out whole

    void *owner = nullptr;
};

// The hub's network layer: accepts connections, reads HTTP request heads, performs WebSocket
// upgrades (RFC 6455) and frames, on plain non-blocking descriptors in one epoll set of its own.
//
// Why not QWebSocket: each QTcpSocket under a QWebSocket keeps 32 KB of write buffer and 16 KB
// of read buffer once it has been used (heaptrack, docs/PERFORMANCE.md), QWebSocketServer's
// handshake is quadratic in pending connections, and one QSocketNotifier per socket makes the
// event loop's cost grow with idle connections. Here a quiet connection holds no buffer at all,
// the event loop sees a single descriptor (the epoll set), and a frame built once for a room is
// shared by every recipient's queue and written with writev().
//
// Everything runs on the thread the Transport lives on. Handler calls are synchronous; a
// handler may queue, close or abort any link (including the one being read) from inside them.
class Transport : public QObject
{
    Q_OBJECT

public:
    class Handler
    {
    public:
        virtual ~Handler() = default;
        // A complete request head. Asked for every request, upgrade or not.
        virtual HttpAnswer answerRequest(const HttpRequest &request) = 0;
        virtual void linkOpened(Link *link) = 0;
        // A complete text message, valid UTF-8. The bytes are only valid during the call.
        virtual void textReceived(Link *link, const QByteArray &utf8) = 0;
        virtual void binaryReceived(Link *link, const QByteArray &data) = 0;
        virtual void pongReceived(Link *link) = 0;
        // The transport's own answers (pongs) took the link's queue past setMaxQueuedBytes():
        // a peer that pings without reading. The handler decides what to do (the hub closes it).
        virtual void queueOverflowed(Link *link) = 0;
        // The WebSocket is over: the peer's close code, the code we failed it with, or 1006
        // when the TCP connection went without a close frame. Called once for every link that
        // was opened; the link must not be used afterwards.
        virtual void linkClosed(Link *link, quint16 code) = 0;
    };

    Transport(Handler *handler, QObject *parent = nullptr);
    ~Transport() override;

    bool listen(const QHostAddress &address, quint16 port, int backlog);
    QString errorString() const;
    quint16 port() const;
    void stopListening();

    void setMaxMessageBytes(qint64 bytes) { m_maxMessageBytes = bytes; }
    void setMaxRequestBytes(int bytes) { m_maxRequestBytes = bytes; }
    void setMaxQueuedBytes(qint64 bytes) { m_maxQueuedBytes = bytes; }
    // Threads that write a round of frames together, the engine's own included (1: only it).
    // Reading, framing and everything the handler does stay on the engine thread; only the
    // kernel's send work, most of a busy hub's time, is shared out.
    void setWriteThreads(int threads);

    // Places a complete frame in the shared store, once, to queue for any number of links.
    Slice share(const QByteArray &frame);
    // Queues a complete frame; it is written with the link's other frames when control returns
    // to the event loop (see scheduleFlush for when exactly).
    void queue(Link *link, const Slice &frame);
    void queue(Link *link, const QByteArray &frame) { queue(link, share(frame)); }
    // Drops queued frames not yet started (a slow consumer's), so a close frame goes next.
    void discardQueued(Link *link);
    void ping(Link *link);
    // RFC 6455 section 5.5: 125 bytes of control payload, minus the code.
    static constexpr int MaxCloseReasonBytes = 123;
    // Sends a close frame after what is queued; linkClosed() follows when the peer answers or
    // goes. Cut the reason on a character boundary first (Protocol::truncateUtf8).
    void close(Link *link, quint16 code, const QByteArray &reasonUtf8);
    // Closes the descriptor now; linkClosed(1006) is called before this returns.
    void abort(Link *link);
    // Closes every descriptor without calling the handler: for the end of the hub.
    void abortAll();

    QHostAddress localAddress(const Link *link) const;

    // Gives up on request heads not complete within timeoutMs (408), and on closed links whose
    // peer has not finished within graceMs.
    void expire(qint64 nowMs, qint64 timeoutMs, qint64 graceMs);

    // Writes everything queued. Called by the event loop; callable directly.
    void flushAll();

private:
    void adoptDescriptor(int fd);
    void processEvents();
    void readLink(Link *link);
    void comeBackTo(Link *link);
    void consume(Link *link, char *data, qsizetype size);
    qsizetype consumeRequest(Link *link, const char *data, qsizetype size);
    qsizetype consumeFrames(Link *link, char *data, qsizetype size);
    bool handleFrame(Link *link, int opcode, bool final, char *payload, qint64 size);
    void deliver(Link *link, int opcode, const QByteArray &payload);
    void handleCloseFrame(Link *link, const char *payload, qint64 size);
    void answerRequest(Link *link, const HttpRequest &request);
    void respond(Link *link, const HttpAnswer &answer);
    void fail(Link *link, quint16 code, const QByteArray &why);
    void finish(Link *link, quint16 code, const QByteArray &closeFrame);
    void startDraining(Link *link);
    void peerGone(Link *link);
    void markDirty(Link *link);
    void scheduleFlush();
    bool flushIsDue() const;
    void flushDirty();
    void flush(Link *link);
    void writeInParallel(const std::vector<Link *> &dirty);
    void closeDescriptor(Link *link);
    void reap();

    Handler *m_handler;
    QTcpServer *m_listener;
    int m_epollFd = -1;
    QSocketNotifier *m_epollNotifier = nullptr;
    QSet<Link *> m_links; // every live link
    QSet<Link *> m_unopened; // Request and Draining links: the ones expire() looks at
    std::vector<Link *> m_dirty;
    std::vector<Link *> m_readAgain; // stopped at the read budget with more to read
    std::vector<Link *> m_dead;
    bool m_flushScheduled = false;
    QTimer *m_flushTimer;
    QElapsedTimer m_clock;
    Slice::Chunk *m_chunk = nullptr; // the one share() is filling
    class Writer;
    std::vector<std::unique_ptr<Writer>> m_writers;
    qint64 m_nextFlushNs = 0; // no round of writes before this (see scheduleFlush)
    bool m_readScheduled = false;
    int m_nesting = 0; // > 0 while links may be referenced from the stack: no freeing then
    qint64 m_maxMessageBytes = 64 * 1024;
    int m_maxRequestBytes = 16 * 1024;
    int m_messagesLeft = 0; // in the current link's turn (readLink)
    qint64 m_maxQueuedBytes = 4 * 1024 * 1024;
    QByteArray m_readBuffer;
    QString m_errorString;
};
