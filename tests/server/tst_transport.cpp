// The hub's own WebSocket layer against RFC 6455, byte by byte: what a client library or a
// browser would notice if the framing, the handshake or the close were wrong. The hub's own
// behaviour on top of it is in the tst_hub* suites; Python, Node and Chromium clients in interop
// and web.
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QWebSocket>

#include "testclient.h"
#include "transport.h"
#include "wsframe.h"

namespace {

// A client frame with any header bits, masked with a non-zero key so unmasking is exercised.
QByteArray clientFrame(int opcode, const QByteArray &payload, bool final = true, bool masked = true,
                       int reserved = 0)
{
    QByteArray frame;
    frame.append(char((final ? 0x80 : 0) | (reserved << 4) | opcode));
    const qsizetype size = payload.size();
    const char maskBit = masked ? char(0x80) : char(0);
    if (size < 126) {
        frame.append(char(maskBit | size));
    } else if (size <= 0xFFFF) {
        frame.append(char(maskBit | 126));
        frame.append(char(size >> 8));
        frame.append(char(size & 0xFF));
    } else {
        frame.append(char(maskBit | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((quint64(size) >> shift) & 0xFF));
    }
    if (!masked)
        return frame + payload;

    const char key[4] = {'\x3a', '\x7c', '\x01', '\xe5'};
    frame.append(key, 4);
    for (qsizetype i = 0; i < size; ++i)
        frame.append(char(payload.at(i) ^ key[i % 4]));
    return frame;
}

QByteArray closePayload(quint16 code, const QByteArray &reason = {})
{
    return QByteArray(1, char(code >> 8)) + char(code & 0xFF) + reason;
}

// Records what the transport reports and echoes every text message back.
class EchoHandler : public Transport::Handler
{
public:
    Transport *transport = nullptr;
    QList<QByteArray> texts;
    QList<QByteArray> binaries;
    QList<quint16> closeCodes;
    QList<Link *> open;
    QList<Link *> overflowed;
    int pongs = 0;
    bool echo = true;

    HttpAnswer answerRequest(const HttpRequest &request) override
    {
        HttpAnswer answer;
        answer.upgrade = request.path == "/ws" && request.wantsUpgrade();
        answer.status = 404;
        return answer;
    }
    void linkOpened(Link *link) override { open.append(link); }
    void textReceived(Link *link, const QByteArray &utf8) override
    {
        texts.append(QByteArray(utf8.constData(), utf8.size())); // the bytes are borrowed
        if (echo)
            transport->queue(link, WsFrame::text(utf8));
    }
    void binaryReceived(Link *, const QByteArray &data) override
    {
        binaries.append(QByteArray(data.constData(), data.size()));
    }
    void pongReceived(Link *) override { ++pongs; }
    void queueOverflowed(Link *link) override { overflowed.append(link); }
    void linkClosed(Link *link, quint16 code) override
    {
        closeCodes.append(code);
        open.removeOne(link);
    }
};

QByteArray readHttpAnswer(QTcpSocket &socket, const QByteArray &request)
{
    socket.write(request);
    QByteArray answer;
    const bool complete = QTest::qWaitFor(
        [&] {
            answer += socket.readAll();
            return answer.contains("\r\n\r\n");
        },
        5000);
    return complete ? answer : QByteArray();
}

} // namespace

class TestTransport : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void handshake_data();
    void handshake();
    void textEchoedThroughQWebSocket();
    void fragmentsJoinedAroundAPing();
    void characterSplitAcrossFragments();
    void framesInTheHandshakeWrite();
    void largeMessageOverManyReads();
    void protocolErrorsClose_data();
    void protocolErrorsClose();
    void oversizedRefusedFromItsHeader();
    void badFrameAfterGoodOnesKeepsTheirAnswers();
    void oversizedHeadInOneWrite();
    void peerStartsTheClose();
    void hubStartsTheClose();
    void peerVanishesWithoutClose();
    void abortReportsAtOnce();
    void slowReaderGetsEverythingInOrder();
    void discardKeepsAFrameAlreadyStarted();
    void writeThreadsDeliverEverythingInOrder();

private:
    RawClient *upgraded(const QByteArray &alsoSend = {});

    EchoHandler m_handler;
    std::unique_ptr<Transport> m_transport;
};

void TestTransport::init()
{
    m_handler = EchoHandler();
    m_transport = std::make_unique<Transport>(&m_handler);
    m_handler.transport = m_transport.get();
    m_transport->setMaxMessageBytes(64 * 1024);
    QVERIFY(m_transport->listen(QHostAddress::LocalHost, 0, 128));
}

void TestTransport::cleanup()
{
    m_transport.reset();
}

RawClient *TestTransport::upgraded(const QByteArray &alsoSend)
{
    auto *client = new RawClient(m_transport->port(), this);
    if (!client->upgrade(alsoSend))
        return nullptr;
    return client;
}

void TestTransport::handshake_data()
{
    QTest::addColumn<QByteArray>("headers");
    QTest::addColumn<QByteArray>("status");
    QTest::addColumn<QByteArray>("expectedLine");

    const QByteArray upgrade = "Upgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n";
    // RFC 6455 section 1.3 gives this key and its answer.
    QTest::addRow("RFC example") << upgrade
                                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                          "Sec-WebSocket-Version: 13\r\n"
                                 << QByteArray("101")
                                 << QByteArray(
                                        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    QTest::addRow("old version") << upgrade
                                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                          "Sec-WebSocket-Version: 8\r\n"
                                 << QByteArray("426") << QByteArray("Sec-WebSocket-Version: 13");
    QTest::addRow("no key") << upgrade + "Sec-WebSocket-Version: 13\r\n"
                            << QByteArray("400") << QByteArray("Connection: close");
    QTest::addRow("short key") << upgrade
                                      + "Sec-WebSocket-Key: c2hvcnQ=\r\n"
                                        "Sec-WebSocket-Version: 13\r\n"
                               << QByteArray("400") << QByteArray("Connection: close");
}

void TestTransport::handshake()
{
    QFETCH(QByteArray, headers);
    QFETCH(QByteArray, status);
    QFETCH(QByteArray, expectedLine);

    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_transport->port());
    QVERIFY(socket.waitForConnected(5000));
    const QByteArray answer =
        readHttpAnswer(socket, "GET /ws HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n");

    QVERIFY2(answer.startsWith(QByteArray("HTTP/1.1 " + status)), answer.constData());
    QVERIFY2(answer.contains(QByteArray(expectedLine + "\r\n")), answer.constData());
    QCOMPARE(m_handler.open.size(), status == "101" ? 1 : 0);
}

void TestTransport::textEchoedThroughQWebSocket()
{
    QWebSocket socket;
    QStringList echoed;
    connect(&socket, &QWebSocket::textMessageReceived, this,
            [&](const QString &text) { echoed.append(text); });
    socket.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(m_transport->port())));
    QTRY_COMPARE(socket.state(), QAbstractSocket::ConnectedState);

    const QString text = QStringLiteral("grüße, 你好, 🙂");
    socket.sendTextMessage(text);
    socket.sendTextMessage(QString(60000, QLatin1Char('a'))); // a 16-bit length
    QTRY_COMPARE(echoed.size(), 2);
    QCOMPARE(echoed.first(), text);
    QCOMPARE(m_handler.texts.first(), text.toUtf8());

    QSignalSpy pong(&socket, &QWebSocket::pong);
    socket.ping("are you there");
    QVERIFY(pong.wait(5000));
    QCOMPARE(pong.first().at(1).toByteArray(), QByteArray("are you there"));
}

void TestTransport::fragmentsJoinedAroundAPing()
{
    RawClient *client = upgraded();
    QVERIFY(client);

    client->socket().write(clientFrame(0x1, "Hel", false));
    client->socket().write(clientFrame(0x9, "mid")); // control frames may come between fragments
    client->socket().write(clientFrame(0x0, "lo, ", false));
    client->socket().write(clientFrame(0x0, "world"));

    QVERIFY(client->waitForText("Hello, world"));
    QCOMPARE(m_handler.texts, QList<QByteArray>({"Hello, world"}));
    const QList<RawClient::Frame> frames = client->frames();
    QCOMPARE(frames.size(), 2);
    QCOMPARE(frames.at(0).opcode, 0xA); // the pong, with the ping's payload, came first
    QCOMPARE(frames.at(0).payload, QByteArray("mid"));
}

void TestTransport::characterSplitAcrossFragments()
{
    RawClient *client = upgraded();
    QVERIFY(client);

    const QByteArray text = QStringLiteral("café").toUtf8(); // é is two bytes
    client->socket().write(clientFrame(0x1, text.left(4), false));
    client->socket().write(clientFrame(0x0, text.mid(4)));

    QVERIFY(client->waitForText(text));
    QCOMPARE(m_handler.closeCodes, QList<quint16>());
}

void TestTransport::framesInTheHandshakeWrite()
{
    // Some clients send their first frames without waiting for the 101: none may be lost.
    RawClient *client = upgraded(clientFrame(0x1, "one") + clientFrame(0x1, "two"));
    QVERIFY(client);

    QTRY_COMPARE(m_handler.texts, QList<QByteArray>({"one", "two"}));
    QVERIFY(client->waitForText("two"));
}

void TestTransport::largeMessageOverManyReads()
{
    RawClient *client = upgraded();
    QVERIFY(client);

    QByteArray big(60000, 'x');
    for (qsizetype i = 0; i < big.size(); i += 1000)
        big[i] = char('a' + (i / 1000) % 26);
    const QByteArray frame = clientFrame(0x2, big);
    for (qsizetype at = 0; at < frame.size(); at += 7000) { // many partial reads
        client->socket().write(frame.mid(at, 7000));
        client->socket().flush();
        QTest::qWait(5);
    }

    QTRY_COMPARE(m_handler.binaries.size(), 1);
    QCOMPARE(m_handler.binaries.first(), big);
}

void TestTransport::protocolErrorsClose_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("code");

    QTest::addRow("unmasked") << clientFrame(0x1, "hi", true, false) << 1002;
    QTest::addRow("reserved bit") << clientFrame(0x1, "hi", true, true, 4) << 1002;
    QTest::addRow("unknown opcode") << clientFrame(0x3, "hi") << 1002;
    QTest::addRow("unknown control opcode") << clientFrame(0xB, "hi") << 1002;
    QTest::addRow("long ping") << clientFrame(0x9, QByteArray(126, 'p')) << 1002;
    QTest::addRow("fragmented ping") << clientFrame(0x9, "p", false) << 1002;
    QTest::addRow("continuation first") << clientFrame(0x0, "hi") << 1002;
    QTest::addRow("text inside fragments")
        << clientFrame(0x1, "a", false) + clientFrame(0x1, "b") << 1002;
    QTest::addRow("invalid UTF-8") << clientFrame(0x1, "caf\xc3") << 1007;
    QTest::addRow("surrogate in UTF-8") << clientFrame(0x1, "\xed\xa0\x80") << 1007;
    QTest::addRow("one-byte close") << clientFrame(0x8, "x") << 1002;
    QTest::addRow("reserved close code") << clientFrame(0x8, closePayload(1005)) << 1002;
    QTest::addRow("close code 999") << clientFrame(0x8, closePayload(999)) << 1002;
    QTest::addRow("close reason not UTF-8") << clientFrame(0x8, closePayload(1000, "\xff")) << 1007;
}

void TestTransport::protocolErrorsClose()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, code);

    RawClient *client = upgraded();
    QVERIFY(client);
    client->socket().write(bytes);

    QCOMPARE(client->waitForCloseCode(), code);
    QTRY_COMPARE(m_handler.closeCodes, QList<quint16>({quint16(code)}));
    QVERIFY(m_handler.texts.isEmpty());
    QVERIFY(m_handler.open.isEmpty());
    QVERIFY(client->socket().waitForDisconnected(5000) // the hub ends the TCP connection
            || client->socket().state() == QAbstractSocket::UnconnectedState);
}

void TestTransport::oversizedRefusedFromItsHeader()
{
    RawClient *client = upgraded();
    QVERIFY(client);

    // Only the header of a 100 MB frame: the refusal may not wait for the payload.
    QByteArray header = clientFrame(0x2, {}).left(1);
    header.append(char(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8)
        header.append(char((quint64(100'000'000) >> shift) & 0xFF));
    header.append("\x01\x02\x03\x04", 4);
    client->socket().write(header);

    QCOMPARE(client->waitForCloseCode(), 1009);
    QCOMPARE(m_handler.closeCodes, QList<quint16>({1009}));

    // Nor may fragments add up past the limit.
    RawClient *second = upgraded();
    QVERIFY(second);
    second->socket().write(clientFrame(0x1, QByteArray(40000, 'a'), false));
    second->socket().write(clientFrame(0x0, QByteArray(40000, 'b')));
    QCOMPARE(second->waitForCloseCode(), 1009);
}

void TestTransport::badFrameAfterGoodOnesKeepsTheirAnswers()
{
    // In the handshake's own write: the 101 and the echo of "one" come before the close.
    auto *client = new RawClient(m_transport->port(), this);
    QVERIFY(client->upgrade(clientFrame(0x1, "one") + clientFrame(0x1, "two", true, false)));
    QCOMPARE(client->waitForCloseCode(), 1002);
    const QList<RawClient::Frame> frames = client->frames();
    QCOMPARE(frames.size(), 2);
    QCOMPARE(frames.at(0).payload, QByteArray("one"));
    QCOMPARE(m_handler.texts, QList<QByteArray>({"one"}));
}

void TestTransport::oversizedHeadInOneWrite()
{
    m_transport->setMaxRequestBytes(16 * 1024);
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_transport->port());
    QVERIFY(socket.waitForConnected(5000));
    const QByteArray answer = readHttpAnswer(
        socket, "GET /ws HTTP/1.1\r\nX-Padding: " + QByteArray(20000, 'x') + "\r\n\r\n");
    QVERIFY2(answer.startsWith("HTTP/1.1 431"), answer.left(40).constData());
    QVERIFY(m_handler.open.isEmpty());
}

void TestTransport::peerStartsTheClose()
{
    RawClient *client = upgraded();
    QVERIFY(client);
    client->socket().write(clientFrame(0x8, closePayload(1000, "bye")));

    QCOMPARE(client->waitForCloseCode(), 1000); // the echo
    QTRY_COMPARE(m_handler.closeCodes, QList<quint16>({1000}));
    QVERIFY(client->socket().waitForDisconnected(5000)); // and the hub closes the TCP side
}

void TestTransport::hubStartsTheClose()
{
    QWebSocket socket;
    socket.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(m_transport->port())));
    QTRY_COMPARE(m_handler.open.size(), 1);
    QTRY_COMPARE(socket.state(), QAbstractSocket::ConnectedState);

    m_transport->queue(m_handler.open.first(), WsFrame::text("last words"));
    m_transport->close(m_handler.open.first(), 4001, QStringLiteral("kicked: spam ✋").toUtf8());
    QStringList texts;
    connect(&socket, &QWebSocket::textMessageReceived, this,
            [&](const QString &text) { texts.append(text); });

    QTRY_COMPARE(socket.state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(texts, QStringList({QStringLiteral("last words")})); // queued frames go first
    QCOMPARE(int(socket.closeCode()), 4001);
    QCOMPARE(socket.closeReason(), QStringLiteral("kicked: spam ✋"));
    QTRY_COMPARE(m_handler.closeCodes, QList<quint16>({4001})); // the peer's answer
}

void TestTransport::peerVanishesWithoutClose()
{
    RawClient *client = upgraded();
    QVERIFY(client);
    QTRY_COMPARE(m_handler.open.size(), 1);

    client->socket().abort();
    QTRY_COMPARE(m_handler.closeCodes, QList<quint16>({1006}));
}

void TestTransport::abortReportsAtOnce()
{
    RawClient *client = upgraded();
    QVERIFY(client);
    QTRY_COMPARE(m_handler.open.size(), 1);

    m_transport->abort(m_handler.open.first());
    QCOMPARE(m_handler.closeCodes, QList<quint16>({1006})); // before abort() returned
    QVERIFY(client->socket().waitForDisconnected(5000));
}

void TestTransport::slowReaderGetsEverythingInOrder()
{
    RawClient *client = upgraded();
    QVERIFY(client);
    QTRY_COMPARE(m_handler.open.size(), 1);
    Link *link = m_handler.open.first();
    client->stopReading();

    // Far more than the kernel's socket buffers take: most of it waits in the link's queue and
    // goes out in pieces, some frames cut in the middle by a short write.
    constexpr int Frames = 4000;
    for (int i = 0; i < Frames; ++i)
        m_transport->queue(link,
                           WsFrame::text(QByteArray::number(i) + ':' + QByteArray(2000, 'z')));
    QTRY_VERIFY2(!link->writable, "the kernel took everything; the test proves nothing");
    QVERIFY(link->queuedBytes > 0);

    client->resumeReading();
    QTRY_VERIFY_WITH_TIMEOUT(client->frames().size() == Frames, 20000);
    const QList<RawClient::Frame> frames = client->frames();
    for (int i = 0; i < Frames; ++i)
        QCOMPARE(frames.at(i).payload.left(frames.at(i).payload.indexOf(':')),
                 QByteArray::number(i));
    QCOMPARE(link->queuedBytes, 0);
}

void TestTransport::discardKeepsAFrameAlreadyStarted()
{
    RawClient *client = upgraded();
    QVERIFY(client);
    QTRY_COMPARE(m_handler.open.size(), 1);
    Link *link = m_handler.open.first();
    client->stopReading();

    for (int i = 0; i < 200; ++i)
        m_transport->queue(link, WsFrame::text(QByteArray(100000, char('a' + i % 26))));
    QTRY_VERIFY(!link->writable); // the kernel is full: a frame is cut by a short write
    m_transport->discardQueued(link);
    m_transport->close(link, 4008, "slow consumer");

    client->resumeReading();
    QCOMPARE(client->waitForCloseCode(20000), 4008); // the framing survived the cut
    for (const RawClient::Frame &frame : client->frames())
        QVERIFY(frame.opcode == 0x1 || frame.opcode == 0x8);
}

void TestTransport::writeThreadsDeliverEverythingInOrder()
{
    // Enough links that a round is shared out to the second thread (256 or more), and frames
    // in both shared slices and per-link ones, some links not reading so their writes stop short.
    m_transport->setWriteThreads(2);
    constexpr int Clients = 300;
    constexpr int Rounds = 40;
    QList<RawClient *> clients;
    for (int i = 0; i < Clients; ++i) {
        RawClient *client = upgraded();
        QVERIFY(client);
        clients.append(client);
    }
    QTRY_COMPARE(m_handler.open.size(), Clients);
    for (int i = 0; i < Clients; i += 10)
        clients.at(i)->stopReading();

    for (int round = 0; round < Rounds; ++round) {
        const Slice shared = m_transport->share(
            WsFrame::text("room " + QByteArray::number(round) + ' ' + QByteArray(3000, 'r')));
        for (Link *link : std::as_const(m_handler.open)) {
            m_transport->queue(link, shared);
            m_transport->queue(link, WsFrame::text("own " + QByteArray::number(round)));
        }
        m_transport->flushAll(); // a round of writes, shared out, between the queueing
    }
    for (int i = 0; i < Clients; i += 10)
        clients.at(i)->resumeReading();

    for (RawClient *client : std::as_const(clients)) {
        QTRY_COMPARE_WITH_TIMEOUT(client->frames().size(), 2 * Rounds, 20000);
        const QList<RawClient::Frame> frames = client->frames();
        for (int round = 0; round < Rounds; ++round) {
            const QByteArray number = QByteArray::number(round);
            QVERIFY(frames.at(2 * round).payload.startsWith(QByteArray("room " + number + ' ')));
            QCOMPARE(frames.at(2 * round + 1).payload, QByteArray("own " + number));
        }
    }
    QCOMPARE(m_handler.closeCodes, QList<quint16>());
}

QTEST_GUILESS_MAIN(TestTransport)
#include "tst_transport.moc"
