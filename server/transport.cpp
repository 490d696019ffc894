#include "transport.h"

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <mutex>
#include <new>
#include <thread>

#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QMetaObject>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTimer>

#include "logging.h"
#include "wsframe.h"

#ifdef Q_OS_UNIX
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#endif
#ifdef Q_OS_LINUX
#include <sys/epoll.h>
#endif
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 // macOS: no such flag (SO_NOSIGPIPE would be the way there)
#endif

// Known limitation: this file is written for Linux. On other Unix systems it builds, but
// listen() refuses (there is no epoll); Windows needs a back end of its own (the descriptors,
// close() and recv() here are POSIX) before the hub can run there.

namespace {

constexpr int ReadBufferBytes = 256 * 1024;
constexpr qsizetype ReadBudgetBytes = 1024 * 1024; // per link per batch: no one starves others
constexpr int EventsPerBatch = 512;
constexpr int MessagesPerTurn = 64;
constexpr int IovPerWrite = 64;
constexpr qsizetype ChunkBytes = 64 * 1024;
constexpr size_t MinLinksToShare = 256; // below this a round is too short to hand out
// Gathering longer than this buys little: at 10,000 links a round of writes takes 60-80 ms by
// itself, and waiting as long again only adds latency (measured in docs/PERFORMANCE.md).
constexpr qint64 MaxFlushPauseNs = 10'000'000;

enum Opcode : quint8 {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
};

enum CloseCode : quint16 {
    CloseNormal = 1000,
    CloseProtocolError = 1002,
    CloseNoStatus = 1005,
    CloseAbnormal = 1006,
    CloseBadData = 1007,
    CloseTooBig = 1009,
};

// Counts how deep in transport work we are: links are freed only at the outermost level.
struct Nesting
{
    explicit Nesting(int *depth)
        : m_depth(depth)
    {
        ++*m_depth;
    }
    ~Nesting() { --*m_depth; }
    int *m_depth;
};

qint64 nowMs()
{
    return QDeadlineTimer::current().deadline();
}

QByteArray statusText(int status)
{
    switch (status) {
    case 101:
        return "Switching Protocols";
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 426:
        return "Upgrade Required";
    case 431:
        return "Request Header Fields Too Large";
    case 503:
        return "Service Unavailable";
    default:
        return "Error";
    }
}

// RFC 6455 section 7.4: what a peer may send in a close frame.
bool isValidCloseCode(quint16 code)
{
    if (code >= 3000 && code <= 4999)
        return true;
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014);
}

QByteArray acceptKey(const QByteArray &key)
{
    static const QByteArray guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"; // RFC 6455 1.3
    return QCryptographicHash::hash(QByteArray(key + guid), QCryptographicHash::Sha1).toBase64();
}

bool parseRequestHead(const QByteArray &head, HttpRequest *request)
{
    const QList<QByteArray> lines = head.split('\n');
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    if (requestLine.size() != 3 || !requestLine.at(2).startsWith("HTTP/1."))
        return false;

    request->method = requestLine.at(0);
    request->target = requestLine.at(1);
    request->path = request->target.split('?').first();
    request->version = requestLine.at(2);
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray &line = lines.at(i);
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        request->headers.append(
            {line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed()});
    }
    return true;
}

} // namespace

QByteArray HttpRequest::header(const QByteArray &lowerName) const
{
    for (const auto &[name, value] : headers) {
        if (name == lowerName)
            return value;
    }
    return {};
}

bool HttpRequest::headerHasToken(const QByteArray &lowerName, const QByteArray &lowerToken) const
{
    for (const auto &[name, value] : headers) {
        if (name != lowerName)
            continue;
        const QList<QByteArray> tokens = value.toLower().split(',');
        for (const QByteArray &token : tokens) {
            if (token.trimmed() == lowerToken)
                return true;
        }
    }
    return false;
}

Slice::Slice(Chunk *chunk, quint32 offset, quint32 length)
    : m_chunk(chunk)
    , m_offset(offset)
    , m_length(length)
{
    m_chunk->refs.fetch_add(1, std::memory_order_relaxed);
}

Slice::Slice(const Slice &other)
    : m_chunk(other.m_chunk)
    , m_offset(other.m_offset)
    , m_length(other.m_length)
{
    if (m_chunk)
        m_chunk->refs.fetch_add(1, std::memory_order_relaxed);
}

Slice::Slice(Slice &&other) noexcept
    : m_chunk(std::exchange(other.m_chunk, nullptr))
    , m_offset(other.m_offset)
    , m_length(other.m_length)
{ }

Slice &Slice::operator=(Slice other) noexcept
{
    std::swap(m_chunk, other.m_chunk);
    m_offset = other.m_offset;
    m_length = other.m_length;
    return *this;
}

Slice::~Slice()
{
    if (m_chunk)
        release(m_chunk);
}

Slice::Chunk *Slice::newChunk(qsizetype capacity)
{
    void *memory = std::malloc(sizeof(Chunk) + size_t(capacity));
    if (!memory)
        return nullptr;
    auto *chunk = new (memory) Chunk;
    chunk->refs = 1; // the caller's
    chunk->capacity = capacity;
    return chunk;
}

bool Slice::append(Chunk *chunk, const QByteArray &bytes, Slice *placed)
{
    if (chunk->capacity - chunk->used < bytes.size())
        return false;
    std::memcpy(chunk->bytes() + chunk->used, bytes.constData(), size_t(bytes.size()));
    *placed = Slice(chunk, quint32(chunk->used), quint32(bytes.size()));
    chunk->used += bytes.size();
    return true;
}

void Slice::release(Chunk *chunk)
{
    if (chunk->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        chunk->~Chunk();
        std::free(chunk);
    }
}

bool Slice::extend(const Slice &next)
{
    if (m_chunk != next.m_chunk || m_offset + m_length != next.m_offset)
        return false;
    m_length += next.m_length;
    return true;
}

void Slice::dropFront(qsizetype bytes)
{
    m_offset += quint32(bytes);
    m_length -= quint32(bytes);
}

namespace {

// Writes what the link has queued, as far as the kernel takes it. Touches nothing but the link
// (and the chunks its slices hold), so write threads can run it; false when the connection
// failed, for the engine thread to handle.
bool writeQueued(Link *link)
{
#ifdef Q_OS_UNIX
    while (!link->output.empty() && link->writable) {
        iovec parts[IovPerWrite];
        int count = 0;
        for (const Slice &slice : link->output) {
            parts[count].iov_base = const_cast<char *>(slice.data());
            parts[count].iov_len = size_t(slice.size());
            if (++count == IovPerWrite)
                break;
        }

        msghdr message {};
        message.msg_iov = parts;
        message.msg_iovlen = size_t(count);
        const ssize_t written = ::sendmsg(link->fd, &message, MSG_NOSIGNAL);
        if (written < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                link->writable = false; // EPOLLOUT comes when the peer has read some
                return true;
            }
            return false;
        }

        link->lastWriteMs = nowMs();
        link->queuedBytes -= written;
        qsizetype left = written;
        size_t done = 0;
        while (done < link->output.size() && left >= link->output[done].size())
            left -= link->output[done++].size();
        link->output.erase(link->output.begin(), link->output.begin() + qsizetype(done));
        link->frontStarted = left > 0;
        if (left > 0)
            link->output.front().dropFront(left);
    }

    if (link->output.empty()) {
        if (link->output.capacity() > 16)
            std::vector<Slice>().swap(link->output); // a burst's queue is not kept
        if (link->shutWhenFlushed && link->phase == Link::Phase::Draining && link->fd >= 0) {
            ::shutdown(link->fd, SHUT_WR);
            link->shutWhenFlushed = false;
        }
    }
#endif
    return true;
}

} // namespace

// A thread that writes part of each round of writes (Transport::setWriteThreads). The engine
// thread waits for it before it goes on, so links are never touched by two threads at once.
class Transport::Writer
{
public:
    Writer()
        : m_thread([this] { run(); })
    { }

    ~Writer()
    {
        {
            const std::lock_guard lock(m_mutex);
            m_quit = true;
        }
        m_wake.notify_all();
        m_thread.join();
    }

    void start(Link *const *links, size_t count)
    {
        {
            const std::lock_guard lock(m_mutex);
            m_links = links;
            m_count = count;
            m_busy = true;
        }
        m_wake.notify_all();
    }

    void wait()
    {
        std::unique_lock lock(m_mutex);
        m_wake.wait(lock, [this] { return !m_busy; });
    }

private:
    void run()
    {
        std::unique_lock lock(m_mutex);
        for (;;) {
            m_wake.wait(lock, [this] { return m_busy || m_quit; });
            if (m_quit)
                return;
            lock.unlock();
            for (size_t i = 0; i < m_count; ++i) {
                Link *link = m_links[i];
                if (link->phase != Link::Phase::Dead && !writeQueued(link))
                    link->writeFailed = true;
            }
            lock.lock();
            m_busy = false;
            m_wake.notify_all();
        }
    }

    std::mutex m_mutex;
    std::condition_variable m_wake;
    Link *const *m_links = nullptr;
    size_t m_count = 0;
    bool m_busy = false;
    bool m_quit = false;
    std::thread m_thread; // last: it starts running in the constructor
};

namespace {

// Hands accepted descriptors straight to the transport: no QTcpSocket is ever made for them.
class Listener : public QTcpServer
{
public:
    Listener(std::function<void(int)> adopt, QObject *parent)
        : QTcpServer(parent)
        , m_adopt(std::move(adopt))
    { }

protected:
    void incomingConnection(qintptr descriptor) override { m_adopt(int(descriptor)); }

private:
    std::function<void(int)> m_adopt;
};

} // namespace

Transport::Transport(Handler *handler, QObject *parent)
    : QObject(parent)
    , m_handler(handler)
    , m_listener(new Listener([this](int fd) { adoptDescriptor(fd); }, this))
    , m_flushTimer(new QTimer(this))
{
    m_clock.start();
    m_flushTimer->setSingleShot(true);
    m_flushTimer->setTimerType(Qt::PreciseTimer);
    connect(m_flushTimer, &QTimer::timeout, this, &Transport::flushAll);
    m_readBuffer.resize(ReadBufferBytes);
#ifdef Q_OS_LINUX
    // Level-triggered on the set itself: while any link is ready the event loop comes back,
    // one batch per iteration, so timers and posted events get their turn between batches.
    m_epollFd = epoll_create1(EPOLL_CLOEXEC);
    if (m_epollFd >= 0) {
        m_epollNotifier = new QSocketNotifier(m_epollFd, QSocketNotifier::Read, this);
        connect(m_epollNotifier, &QSocketNotifier::activated, this, &Transport::processEvents);
    } else {
        m_errorString = QString::fromLocal8Bit(std::strerror(errno));
    }
#else
    // Known limitation: the transport is written for Linux's epoll. Other systems need a
    // kqueue (macOS) or a QSocketNotifier-per-link (Windows) back end before the hub runs there.
    m_errorString = tr("this platform has no network back end for the hub yet");
#endif
}

Transport::~Transport()
{
    abortAll();
    qDeleteAll(m_links);
    if (m_chunk)
        Slice::release(m_chunk);
    if (m_epollFd >= 0)
        ::close(m_epollFd);
}

bool Transport::listen(const QHostAddress &address, quint16 port, int backlog)
{
    if (m_epollFd < 0)
        return false;
    m_listener->setListenBacklogSize(backlog);
    if (!m_listener->listen(address, port)) {
        m_errorString = m_listener->errorString();
        return false;
    }
    return true;
}

QString Transport::errorString() const
{
    return m_errorString;
}

quint16 Transport::port() const
{
    return m_listener->serverPort();
}

void Transport::stopListening()
{
    m_listener->close();
}

void Transport::adoptDescriptor(int fd)
{
#ifdef Q_OS_LINUX
    // Small frames otherwise wait for the peer's delayed ACK (about 40 ms, QT-NOTES.md).
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int nonBlocking = 1;
    ioctl(fd, FIONBIO, &nonBlocking);

    auto *link = new Link;
    link->fd = fd;
    link->acceptedMs = nowMs();
    link->lastWriteMs = link->acceptedMs;
    sockaddr_storage peer {};
    socklen_t peerSize = sizeof peer;
    if (getpeername(fd, reinterpret_cast<sockaddr *>(&peer), &peerSize) == 0) {
        link->peerAddress.setAddress(reinterpret_cast<sockaddr *>(&peer));
        link->peerPort = peer.ss_family == AF_INET6
                             ? ntohs(reinterpret_cast<sockaddr_in6 *>(&peer)->sin6_port)
                             : ntohs(reinterpret_cast<sockaddr_in *>(&peer)->sin_port);
    }

    // Edge-triggered with both directions from the start: nothing is ever re-armed, so a
    // busy hub makes no epoll_ctl calls at all after the accept.
    epoll_event event {};
    event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    event.data.ptr = link;
    if (epoll_ctl(m_epollFd, EPOLL_CTL_ADD, fd, &event) != 0) {
        qCWarning(lcHub) << "cannot watch a new connection:" << std::strerror(errno);
        ::close(fd);
        delete link;
        return;
    }
    m_links.insert(link);
    m_unopened.insert(link);
#else
    ::close(fd);
#endif
}

void Transport::processEvents()
{
    {
#ifdef Q_OS_LINUX
        const Nesting nesting(&m_nesting);
        epoll_event events[EventsPerBatch];
        const int count = epoll_wait(m_epollFd, events, EventsPerBatch, 0);
        for (int i = 0; i < count; ++i) {
            auto *link = static_cast<Link *>(events[i].data.ptr);
            if (link->phase == Link::Phase::Dead)
                continue;
            if (events[i].events & EPOLLOUT) {
                link->writable = true;
                if (!link->output.empty())
                    flush(link);
            }
            if (link->phase != Link::Phase::Dead
                && (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
                readLink(link);
        }
        // What the handlers queued during this batch goes out now, in one write per link,
        // unless the pacing (scheduleFlush) says later.
        if (flushIsDue())
            flushDirty();
#endif
    }
    reap();
}

// One turn of a link: at most ReadBudgetBytes read and MessagesPerTurn messages handed to the
// handler, so a client that pipelines thousands of costly requests (history pages) takes its
// turn like everyone else instead of holding the engine until all are answered.
void Transport::readLink(Link *link)
{
    qsizetype budget = ReadBudgetBytes;
    m_messagesLeft = MessagesPerTurn;
    if (!link->input.isEmpty() && link->phase != Link::Phase::Request)
        consume(link, nullptr, 0); // what the last turn left unparsed comes first

    while (link->phase != Link::Phase::Dead) {
        if (budget <= 0 || m_messagesLeft <= 0) {
            comeBackTo(link); // edge-triggered: no new event comes for bytes already waiting
            return;
        }

        const ssize_t got = ::recv(link->fd, m_readBuffer.data(), m_readBuffer.size(), 0);
        if (got > 0) {
            budget -= got;
            consume(link, m_readBuffer.data(), got);
            continue;
        }
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        peerGone(link); // EOF, or the connection was reset
        return;
    }
}

void Transport::comeBackTo(Link *link)
{
    if (link->inReadAgain)
        return;
    link->inReadAgain = true;
    m_readAgain.push_back(link);
    if (m_readScheduled)
        return;
    m_readScheduled = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_readScheduled = false;
            {
                const Nesting nesting(&m_nesting);
                const std::vector<Link *> again = std::exchange(m_readAgain, {});
                for (Link *link : again) {
                    link->inReadAgain = false;
                    if (link->phase != Link::Phase::Dead)
                        readLink(link);
                }
            }
            reap();
        },
        Qt::QueuedConnection);
}

void Transport::consume(Link *link, char *data, qsizetype size)
{
    if (link->phase == Link::Phase::Draining)
        return; // over: only the EOF is still of interest

    // The common case holds whole frames: parse them where recv() put them, and keep only a
    // partial tail. Otherwise join the new bytes to the tail first.
    const bool inPlace = link->input.isEmpty();
    if (!inPlace) {
        if (size > 0)
            link->input.append(data, size);
        data = link->input.data();
        size = link->input.size();
    }

    qsizetype used = 0;
    while (used < size && link->phase != Link::Phase::Dead && link->phase != Link::Phase::Draining
           && m_messagesLeft > 0) {
        const qsizetype step = link->phase == Link::Phase::Request
                                   ? consumeRequest(link, data + used, size - used)
                                   : consumeFrames(link, data + used, size - used);
        if (step == 0)
            break;
        used += step;
    }

    if (link->phase == Link::Phase::Dead || link->phase == Link::Phase::Draining) {
        link->input.clear();
    } else if (inPlace) {
        if (used < size)
            link->input = QByteArray(data + used, size - used);
    } else {
        link->input.remove(0, used);
        if (link->input.isEmpty())
            link->input = QByteArray(); // a quiet connection keeps no buffer
    }
}

qsizetype Transport::consumeRequest(Link *link, const char *data, qsizetype size)
{
    const QByteArrayView bytes(data, size);
    const qsizetype end = bytes.indexOf(QByteArrayView("\r\n\r\n"));
    if (end < 0) {
        if (size >= m_maxRequestBytes) {
            HttpAnswer answer;
            answer.status = 431;
            answer.body = "request head too large\n";
            respond(link, answer);
            return size;
        }
        return 0;
    }

    if (end + 4 > m_maxRequestBytes) {
        HttpAnswer answer;
        answer.status = 431;
        answer.body = "request head too large\n";
        respond(link, answer);
        return size;
    }

    HttpRequest request;
    if (!parseRequestHead(bytes.first(end).toByteArray(), &request)) {
        HttpAnswer answer;
        answer.status = 400;
        answer.body = "not an HTTP/1.1 request\n";
        respond(link, answer);
        return size;
    }
    answerRequest(link, request);
    return end + 4; // what follows the head is the first WebSocket frames, if it upgraded
}

void Transport::answerRequest(Link *link, const HttpRequest &request)
{
    HttpAnswer answer = m_handler->answerRequest(request);
    if (!answer.upgrade) {
        respond(link, answer);
        return;
    }

    if (request.header("sec-websocket-version") != "13") {
        answer = {};
        answer.status = 426;
        answer.body = "this hub speaks WebSocket version 13\n";
        answer.extraHeaders = "Sec-WebSocket-Version: 13\r\n";
        respond(link, answer);
        return;
    }
    const QByteArray key = request.header("sec-websocket-key");
    if (QByteArray::fromBase64(key).size() != 16) {
        answer = {};
        answer.status = 400;
        answer.body = "Sec-WebSocket-Key must be 16 bytes in base64\n";
        respond(link, answer);
        return;
    }

    // No subprotocol and no extension is offered back: permessage-deflate would cost each
    // connection a compression context, and small chat frames gain little from it.
    queue(link, "HTTP/1.1 101 Switching Protocols\r\nServer: Confab\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\n"
                "Sec-WebSocket-Accept: "
                    + acceptKey(key) + "\r\n\r\n");
    link->phase = Link::Phase::Open;
    m_unopened.remove(link);
    m_handler->linkOpened(link);
}

void Transport::respond(Link *link, const HttpAnswer &answer)
{
    QByteArray response = "HTTP/1.1 " + QByteArray::number(answer.status) + ' '
                          + statusText(answer.status) + "\r\nContent-Type: " + answer.contentType
                          + "\r\nContent-Length: " + QByteArray::number(answer.body.size())
                          + "\r\nConnection: close\r\n" + answer.extraHeaders + "\r\n";
    if (!answer.headOnly)
        response += answer.body;
    if (answer.status >= 400)
        qCWarning(lcProtocol).noquote()
            << "HTTP" << answer.status << "to" << link->peerAddress.toString()
            << QString::fromUtf8(answer.body).trimmed();
    queue(link, response);
    startDraining(link);
}

qsizetype Transport::consumeFrames(Link *link, char *data, qsizetype size)
{
    if (size < 2)
        return 0;
    const uchar first = uchar(data[0]);
    const uchar second = uchar(data[1]);
    const bool final = first & 0x80;
    const int opcode = first & 0x0F;
    const bool control = opcode & 0x8;
    qint64 length = second & 0x7F;
    auto refuse = [this, link, size](quint16 code, const QByteArray &why) {
        fail(link, code, why);
        return size; // nothing after a broken frame can be read
    };

    // RFC 6455 sections 5.2 and 5.5: no extension was agreed, so no reserved bit may be set;
    // a client must mask; control frames are whole and at most 125 bytes.
    if (first & 0x70)
        return refuse(CloseProtocolError, "reserved bits set without an extension");
    if (!(second & 0x80))
        return refuse(CloseProtocolError, "client frames must be masked");
    const bool known = control ? opcode == Close || opcode == Ping || opcode == Pong
                               : opcode == Continuation || opcode == Text || opcode == Binary;
    if (!known)
        return refuse(CloseProtocolError, "unknown opcode " + QByteArray::number(opcode));
    if (control && (!final || length > 125))
        return refuse(CloseProtocolError, "control frames must be whole and short");

    qsizetype header = 2;
    if (length >= 126) {
        const int lengthBytes = length == 126 ? 2 : 8;
        if (size < header + lengthBytes)
            return 0;
        quint64 wide = 0;
        for (int i = 0; i < lengthBytes; ++i)
            wide = (wide << 8) | uchar(data[header + i]);
        header += lengthBytes;
        if (wide > quint64(std::numeric_limits<qint64>::max()))
            return refuse(CloseProtocolError, "frame length over 2^63");
        length = qint64(wide);
    }

    // Refused from the header alone, before the payload has to be held anywhere.
    const qint64 messageSoFar = opcode == Continuation ? link->message.size() : 0;
    if (!control && length > m_maxMessageBytes - messageSoFar)
        return refuse(CloseTooBig,
                      "message over " + QByteArray::number(m_maxMessageBytes) + " bytes");

    const qsizetype maskAt = header;
    header += 4;
    if (size - header < length)
        return 0;

    char *payload = data + header;
    const uchar *mask = reinterpret_cast<const uchar *>(data + maskAt);
    for (qint64 i = 0; i < length; ++i)
        payload[i] = char(uchar(payload[i]) ^ mask[i & 3]);

    if (!handleFrame(link, opcode, final, payload, length))
        return size;
    return header + length;
}

// Returns false when the link failed or closed, so the caller stops reading from it.
bool Transport::handleFrame(Link *link, int opcode, bool final, char *payload, qint64 size)
{
    switch (opcode) {
    case Ping:
        // Pongs wait in the same queue as everything else, so a peer that pings without
        // reading meets the hub's outbound bound like any other slow reader. After our close
        // frame nothing more may be sent (RFC 6455 section 5.5.1), pongs included.
        if (link->phase == Link::Phase::Open) {
            queue(link, WsFrame::control(Pong, QByteArray(payload, size)));
            if (link->queuedBytes > m_maxQueuedBytes)
                m_handler->queueOverflowed(link);
        }
        return link->phase == Link::Phase::Open || link->phase == Link::Phase::Closing;
    case Pong:
        if (link->phase == Link::Phase::Open)
            m_handler->pongReceived(link);
        return true;
    case Close:
        handleCloseFrame(link, payload, size);
        return false;
    default:
        break;
    }

    if (opcode == Continuation && link->fragmentOpcode == 0) {
        fail(link, CloseProtocolError, "continuation frame with no message to continue");
        return false;
    }
    if (opcode != Continuation && link->fragmentOpcode != 0) {
        fail(link, CloseProtocolError, "new message inside a fragmented one");
        return false;
    }

    if (opcode != Continuation && final) {
        deliver(link, opcode, QByteArray::fromRawData(payload, size));
    } else {
        if (opcode != Continuation)
            link->fragmentOpcode = quint8(opcode);
        link->message.append(payload, size);
        if (final) {
            const int messageOpcode = std::exchange(link->fragmentOpcode, 0);
            const QByteArray message = std::exchange(link->message, QByteArray());
            deliver(link, messageOpcode, message);
        }
    }
    return link->phase == Link::Phase::Open || link->phase == Link::Phase::Closing;
}

void Transport::deliver(Link *link, int opcode, const QByteArray &payload)
{
    if (opcode == Text && !QByteArrayView(payload).isValidUtf8()) {
        fail(link, CloseBadData, "text message is not valid UTF-8");
        return;
    }
    // After our close frame, data frames are read (to reach the peer's close) and dropped.
    if (link->phase != Link::Phase::Open)
        return;
    --m_messagesLeft;
    if (opcode == Text)
        m_handler->textReceived(link, payload);
    else
        m_handler->binaryReceived(link, payload);
}

void Transport::handleCloseFrame(Link *link, const char *payload, qint64 size)
{
    quint16 code = CloseNoStatus;
    if (size == 1) {
        fail(link, CloseProtocolError, "a close frame cannot be one byte");
        return;
    }
    if (size >= 2) {
        code = quint16((uchar(payload[0]) << 8) | uchar(payload[1]));
        if (!isValidCloseCode(code)) {
            fail(link, CloseProtocolError, "close code " + QByteArray::number(code));
            return;
        }
        if (!QByteArrayView(payload + 2, size - 2).isValidUtf8()) {
            fail(link, CloseBadData, "close reason is not valid UTF-8");
            return;
        }
    }

    // The peer began the close: answer with its code. We began it: this is the answer.
    const bool peerBegan = link->phase == Link::Phase::Open;
    finish(link, code,
           peerBegan ? WsFrame::close(code == CloseNoStatus ? quint16(CloseNormal) : code, {})
                     : QByteArray());
}

// A protocol error: say why in a close frame, and stop reading from the peer.
void Transport::fail(Link *link, quint16 code, const QByteArray &why)
{
    qCWarning(lcProtocol).noquote() << "closing connection from" << link->peerAddress.toString()
                                    << "with" << code << ':' << why;
    // What was queued before (the 101, answers to earlier frames) still goes out first.
    const bool open = link->phase == Link::Phase::Open;
    finish(link, code, open ? WsFrame::close(code, why) : QByteArray()); // short ASCII reasons
}

// The WebSocket is over for the handler; the TCP connection still drains. The handler may still
// queue answers from inside linkClosed() (a say whose ack waited for the database): they go out
// before our close frame, and nothing after it.
void Transport::finish(Link *link, quint16 code, const QByteArray &closeFrame)
{
    const bool wasOpen = link->phase == Link::Phase::Open || link->phase == Link::Phase::Closing;
    startDraining(link);
    if (wasOpen)
        m_handler->linkClosed(link, code);
    link->owner = nullptr;
    if (!closeFrame.isEmpty())
        queue(link, closeFrame);
    link->closeQueued = true;
}

void Transport::startDraining(Link *link)
{
    link->phase = Link::Phase::Draining;
    link->drainingSinceMs = nowMs();
    link->shutWhenFlushed = true;
    link->fragmentOpcode = 0;
    link->message = QByteArray();
    m_unopened.insert(link);
    markDirty(link);
}

void Transport::peerGone(Link *link)
{
    const bool wasOpen = link->phase == Link::Phase::Open || link->phase == Link::Phase::Closing;
    closeDescriptor(link);
    if (wasOpen)
        m_handler->linkClosed(link, CloseAbnormal);
    link->owner = nullptr;
}

Slice Transport::share(const QByteArray &frame)
{
    // Big frames (history pages, the web client's files) get a chunk of their own, so a chunk
    // is not pinned by a straggler for the sake of one small frame in it.
    Slice placed;
    if (frame.size() > ChunkBytes / 4) {
        Slice::Chunk *own = Slice::newChunk(frame.size());
        if (!own)
            qFatal("out of memory for a %lld-byte frame", qlonglong(frame.size()));
        Slice::append(own, frame, &placed);
        Slice::release(own); // the slice holds it now
        return placed;
    }

    if (!m_chunk || !Slice::append(m_chunk, frame, &placed)) {
        if (m_chunk)
            Slice::release(m_chunk);
        m_chunk = Slice::newChunk(ChunkBytes);
        if (!m_chunk)
            qFatal("out of memory for the transport's frame store");
        Slice::append(m_chunk, frame, &placed);
    }
    return placed;
}

void Transport::queue(Link *link, const Slice &frame)
{
    const bool shut = link->phase == Link::Phase::Draining && !link->shutWhenFlushed;
    if (link->phase == Link::Phase::Dead || link->closeQueued || shut || frame.isNull())
        return;

    // A room's messages sit one after another in the store, so a member's queue usually grows
    // by lengthening its last slice rather than by a new entry.
    const bool merged = !link->output.empty() && !(link->output.size() == 1 && link->frontStarted)
                        && link->output.back().extend(frame);
    if (!merged)
        link->output.push_back(frame);
    link->queuedBytes += frame.size();
    markDirty(link);
}

void Transport::markDirty(Link *link)
{
    if (link->inDirtyList)
        return;
    link->inDirtyList = true;
    m_dirty.push_back(link);
    scheduleFlush();
}

// Writes are paced by their own cost: after a round of writes that took T, the next round
// starts no sooner than T (at most 10 ms) later. A quiet hub writes at once (its rounds take
// microseconds); a busy one lets frames gather, so each write carries several of them instead
// of paying the kernel's cost per write (about 5 us on loopback here) for every single frame.
// The price is up to 10 ms of latency under load.
bool Transport::flushIsDue() const
{
    return m_nextFlushNs - m_clock.nsecsElapsed() < 500'000; // a timer cannot wait less
}

void Transport::scheduleFlush()
{
    if (m_flushScheduled)
        return;
    m_flushScheduled = true;
    const qint64 waitNs = m_nextFlushNs - m_clock.nsecsElapsed();
    if (flushIsDue())
        QMetaObject::invokeMethod(this, &Transport::flushAll, Qt::QueuedConnection);
    else
        m_flushTimer->start(int((waitNs + 999'999) / 1'000'000));
}

void Transport::discardQueued(Link *link)
{
    // A frame already begun must be finished, or the peer's framing goes astray. The front
    // slice may hold more than that frame; the frame's end is not known here, so the whole
    // slice stays. Known shortcoming: a slow consumer's close can then wait behind up to one
    // chunk (64 KiB) of frames that were meant to be dropped.
    const size_t keep = link->frontStarted ? 1 : 0;
    for (size_t i = keep; i < link->output.size(); ++i)
        link->queuedBytes -= link->output[i].size();
    link->output.resize(keep);
}

void Transport::ping(Link *link)
{
    if (link->phase == Link::Phase::Open)
        queue(link, WsFrame::control(Ping, {}));
}

void Transport::close(Link *link, quint16 code, const QByteArray &reasonUtf8)
{
    if (link->phase != Link::Phase::Open)
        return;
    queue(link, WsFrame::close(code, reasonUtf8.left(MaxCloseReasonBytes)));
    link->phase = Link::Phase::Closing;
    link->closeQueued = true;
}

void Transport::abort(Link *link)
{
    if (link->phase == Link::Phase::Dead)
        return;
    peerGone(link);
}

void Transport::abortAll()
{
    const QList<Link *> links = m_links.values();
    for (Link *link : links) {
        link->owner = nullptr;
        closeDescriptor(link);
    }
}

QHostAddress Transport::localAddress(const Link *link) const
{
#ifdef Q_OS_UNIX
    sockaddr_storage local {};
    socklen_t size = sizeof local;
    if (link->fd >= 0 && getsockname(link->fd, reinterpret_cast<sockaddr *>(&local), &size) == 0)
        return QHostAddress(reinterpret_cast<sockaddr *>(&local));
#endif
    return {};
}

void Transport::expire(qint64 now, qint64 timeoutMs, qint64 graceMs)
{
    QList<Link *> expired;
    for (Link *link : std::as_const(m_unopened)) {
        const bool overdue = link->phase == Link::Phase::Request
                                 ? now - link->acceptedMs > timeoutMs
                                 : now - link->drainingSinceMs > graceMs;
        if (overdue)
            expired.append(link);
    }

    for (Link *link : expired) {
        if (link->phase == Link::Phase::Request) {
            qCWarning(lcProtocol) << "no complete request in time from"
                                  << link->peerAddress.toString();
            HttpAnswer answer;
            answer.status = 408;
            answer.body = "no complete request in time\n";
            respond(link, answer);
        } else {
            closeDescriptor(link);
        }
    }
    reap();
}

void Transport::flushAll()
{
    {
        const Nesting nesting(&m_nesting);
        flushDirty();
    }
    reap();
}

void Transport::flushDirty()
{
    m_flushScheduled = false;
    m_flushTimer->stop();
    const qint64 startNs = m_clock.nsecsElapsed();
    const std::vector<Link *> dirty = std::exchange(m_dirty, {});
    for (Link *link : dirty)
        link->inDirtyList = false;
    if (m_writers.empty() || dirty.size() < MinLinksToShare) {
        for (Link *link : dirty) {
            if (link->phase != Link::Phase::Dead)
                flush(link);
        }
    } else {
        writeInParallel(dirty);
    }
    const qint64 endNs = m_clock.nsecsElapsed();
    m_nextFlushNs = endNs + qMin(endNs - startNs, MaxFlushPauseNs);
}

void Transport::flush(Link *link)
{
    if (!writeQueued(link))
        peerGone(link);
}

// The round is cut into one run of links per thread; failures wait until every thread is done,
// because the handler's answer to one may queue frames for links another thread is writing.
void Transport::writeInParallel(const std::vector<Link *> &dirty)
{
    const size_t parts = m_writers.size() + 1;
    const size_t perPart = (dirty.size() + parts - 1) / parts;
    size_t begin = perPart; // the engine thread takes the first run
    for (const auto &writer : m_writers) {
        const size_t count = qMin(perPart, dirty.size() - qMin(begin, dirty.size()));
        writer->start(dirty.data() + begin, count);
        begin += count;
    }
    for (size_t i = 0; i < qMin(perPart, dirty.size()); ++i) {
        Link *link = dirty[i];
        if (link->phase != Link::Phase::Dead && !writeQueued(link))
            link->writeFailed = true;
    }
    for (const auto &writer : m_writers)
        writer->wait();

    for (Link *link : dirty) {
        if (std::exchange(link->writeFailed, false))
            peerGone(link);
    }
}

void Transport::setWriteThreads(int threads)
{
    m_writers.clear();
    for (int i = 1; i < threads; ++i)
        m_writers.push_back(std::make_unique<Writer>());
}

void Transport::closeDescriptor(Link *link)
{
    if (link->phase == Link::Phase::Dead)
        return;
    if (link->fd >= 0)
        ::close(link->fd); // also takes it out of the epoll set
    link->fd = -1;
    link->phase = Link::Phase::Dead;
    m_unopened.remove(link);
    m_dead.push_back(link);
}

// Links are freed only here, between batches, so a pointer taken from epoll or from a handler
// call stays valid (if dead) until the work that holds it is done.
void Transport::reap()
{
    if (m_nesting > 0)
        return;
    const std::vector<Link *> dead = std::exchange(m_dead, {});
    for (Link *link : dead) {
        if (link->inDirtyList || link->inReadAgain) {
            m_dead.push_back(link); // a list still holds it: next time
            continue;
        }
        m_links.remove(link);
        delete link;
    }
}
