// Bad input, limits, heartbeats and backpressure, against a real hub. Every case also checks
// that the hub keeps serving everyone else.
#include <memory>

#include <QJsonDocument>
#include <QTest>

#include "hubservice.h"
#include "testclient.h"

namespace {

QString str(const QJsonObject &f, const char *key)
{
    return f.value(QLatin1String(key)).toString();
}

QByteArray sayJson(const QString &room, const QString &text)
{
    return QJsonDocument(frame(QStringLiteral("say"),
                               {{QStringLiteral("room"), room}, {QStringLiteral("text"), text}}))
        .toJson(QJsonDocument::Compact);
}

QByteArray httpRequest(quint16 port, const QByteArray &request)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return {};
    socket.write(request);
    QByteArray response;
    (void)QTest::qWaitFor(
        [&] { // the caller checks what arrived
            response += socket.readAll();
            return socket.state() == QAbstractSocket::UnconnectedState;
        },
        5000);
    return response + socket.readAll();
}

} // namespace

class TestHubLimits : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void badFramesGetErrors_data();
    void badFramesGetErrors();
    void binaryFrameRefused();
    void oversizedFrameClosedWith1009();
    void firstFrameInHandshakeWrite();
    void httpRequestsGetStatuses_data();
    void httpRequestsGetStatuses();
    void servesClientAndQrCodes();
    void incompleteHandshakeTimesOut();
    void silentClientTimesOut();
    void slowConsumerClosedOthersUnaffected();
    void pingFloodWithoutReadingClosed();
    void requestFloodWithoutReadingLeavesOthersChatting();
    void forcedStopWithClientsStillConnected();

private:
    void restart(const HubConfig &config);
    TestClient *member(const QString &user);

    std::unique_ptr<HubService> m_hub;
    QList<TestClient *> m_clients;
};

void TestHubLimits::init()
{
    HubConfig config = testHubConfig();
    config.maxMessageBytes = 4096;
    config.maxTextChars = 100;
    config.rooms = {QStringLiteral("general"), QStringLiteral("random")};
    restart(config);
}

void TestHubLimits::cleanup()
{
    qDeleteAll(m_clients);
    m_clients.clear();
    m_hub.reset();
}

void TestHubLimits::restart(const HubConfig &config)
{
    qDeleteAll(m_clients);
    m_clients.clear();
    m_hub = std::make_unique<HubService>();
    QVERIFY2(m_hub->start(config), qPrintable(m_hub->errorString()));
}

TestClient *TestHubLimits::member(const QString &user)
{
    auto *c = new TestClient(m_hub->port());
    m_clients.append(c);
    c->connectToHub();
    c->hello(user);
    c->join(QStringLiteral("general"));
    return c;
}

void TestHubLimits::badFramesGetErrors_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("ref");

    QTest::addRow("not JSON") << "hello there"
                              << "bad_json"
                              << "";
    QTest::addRow("JSON but not an object") << "[1,2,3]"
                                            << "bad_json"
                                            << "";
    QTest::addRow("truncated JSON") << R"({"type":"say","room":)"
                                    << "bad_json"
                                    << "";
    QTest::addRow("no type") << R"({"room":"general"})"
                             << "missing_field"
                             << "";
    QTest::addRow("type not a string") << R"({"type":5})"
                                       << "bad_field"
                                       << "";
    QTest::addRow("unknown type") << R"({"type":"fly"})"
                                  << "unknown_type"
                                  << "fly";
    QTest::addRow("say without text") << R"({"type":"say","room":"general"})"
                                      << "missing_field"
                                      << "say";
    QTest::addRow("say with a number as text")
        << R"({"type":"say","room":"general","text":5,"cid":"c9"})"
        << "bad_field"
        << "c9";
    QTest::addRow("say with empty text") << R"({"type":"say","room":"general","text":""})"
                                         << "bad_field"
                                         << "say";
    QTest::addRow("say over max_text_chars")
        << QStringLiteral(R"({"type":"say","room":"general","text":"%1"})")
               .arg(QString(101, QLatin1Char('x')))
        << "too_large"
        << "say";
    QTest::addRow("say to a room not joined") << R"({"type":"say","room":"random","text":"hi"})"
                                              << "not_in_room"
                                              << "say";
    QTest::addRow("say to no such room") << R"({"type":"say","room":"nowhere","text":"hi","cid":3})"
                                         << "no_such_room"
                                         << "3";
    QTest::addRow("join no such room") << R"({"type":"join","room":"nowhere"})"
                                       << "no_such_room"
                                       << "join";
    QTest::addRow("join with a bad room name") << R"({"type":"join","room":"a b"})"
                                               << "bad_field"
                                               << "join";
    QTest::addRow("leave a room not joined") << R"({"type":"leave","room":"random"})"
                                             << "not_in_room"
                                             << "leave";
    QTest::addRow("status not allowed") << R"({"type":"status","status":"asleep"})"
                                        << "bad_field"
                                        << "status";
    QTest::addRow("multicast to a string") << R"({"type":"multicast","to":"bob","text":"x"})"
                                           << "bad_field"
                                           << "multicast";
    QTest::addRow("multicast to nobody") << R"({"type":"multicast","to":[],"text":"x"})"
                                         << "bad_field"
                                         << "multicast";
    QTest::addRow("dm to nobody") << R"({"type":"dm","to":"ghost","text":"x"})"
                                  << "no_such_user"
                                  << "dm";
    QTest::addRow("typing outside the room") << R"({"type":"typing","room":"random"})"
                                             << "not_in_room"
                                             << "typing";
    QTest::addRow("cid an object") << R"({"type":"say","room":"general","text":"x","cid":{}})"
                                   << "bad_field"
                                   << "say";
}

void TestHubLimits::badFramesGetErrors()
{
    QFETCH(QString, input);
    QFETCH(QString, code);
    QFETCH(QString, ref);
    TestClient *offender = member(QStringLiteral("offender"));
    TestClient *bystander = member(QStringLiteral("bystander"));

    offender->sendRaw(input);
    const QJsonObject error = offender->waitFor(QStringLiteral("error"));
    QCOMPARE(str(error, "code"), code);
    QVERIFY(!str(error, "message").isEmpty());
    const QJsonValue gotRef = error.value(QStringLiteral("ref"));
    const QString gotRefText =
        gotRef.isDouble() ? QString::number(gotRef.toInt()) : gotRef.toString();
    QCOMPARE(gotRefText, ref);

    // Both still served.
    offender->sendRaw(
        QString::fromUtf8(sayJson(QStringLiteral("general"), QStringLiteral("sorry"))));
    QCOMPARE(str(bystander->waitFor(QStringLiteral("message")), "text"), QStringLiteral("sorry"));
    QVERIFY(offender->isConnected());
}

void TestHubLimits::binaryFrameRefused()
{
    TestClient *c = member(QStringLiteral("bin"));
    c->socket().sendBinaryMessage(QByteArray("\x01\x02", 2));
    QCOMPARE(str(c->waitFor(QStringLiteral("error")), "code"), QStringLiteral("bad_json"));
    QVERIFY(c->isConnected());
}

void TestHubLimits::oversizedFrameClosedWith1009()
{
    TestClient *big = member(QStringLiteral("big"));
    TestClient *bystander = member(QStringLiteral("bystander"));

    big->sendRaw(QString(5000, QLatin1Char('x'))); // over max_message_bytes (4096)
    QVERIFY(big->waitForDisconnected());
    QCOMPARE(big->closeCode(), 1009);

    bystander->sendRaw(QString::fromUtf8(sayJson(QStringLiteral("general"), QStringLiteral("ok"))));
    QCOMPARE(str(bystander->waitFor(QStringLiteral("message")), "text"), QStringLiteral("ok"));
    QTRY_COMPARE(m_hub->snapshot().result().totals.rejectedFrames, quint64(1));
}

void TestHubLimits::firstFrameInHandshakeWrite()
{
    RawClient raw(m_hub->port());
    QVERIFY(raw.upgrade(RawClient::maskedText(R"({"type":"hello","user":"eager"})")));
    QVERIFY(raw.waitForText("\"welcome\""));
}

void TestHubLimits::httpRequestsGetStatuses_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QByteArray>("status");
    QTest::addRow("root page") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                               << QByteArray("200");
    QTest::addRow("unknown path") << QByteArray("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
                                  << QByteArray("404");
    QTest::addRow("POST to /ws") << QByteArray("POST /ws HTTP/1.1\r\nHost: x\r\n\r\n")
                                 << QByteArray("405");
    QTest::addRow("upgrade on another path") << QByteArray(
        "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
                                             << QByteArray("404");
    QTest::addRow("HEAD of the client page")
        << QByteArray("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n") << QByteArray("200");
    QTest::addRow("the client's script")
        << QByteArray("GET /app.js HTTP/1.1\r\nHost: x\r\n\r\n") << QByteArray("200");
    QTest::addRow("a QR code") << QByteArray(
        "GET /qr.svg?text=http%3A%2F%2Fhub%2F HTTP/1.1\r\n\r\n")
                               << QByteArray("200");
    QTest::addRow("a QR code of nothing")
        << QByteArray("GET /qr.svg HTTP/1.1\r\n\r\n") << QByteArray("400");
    QTest::addRow("climbing out of the resources")
        << QByteArray("GET /../CMakeLists.txt HTTP/1.1\r\n\r\n") << QByteArray("404");
    QTest::addRow("a file type not served")
        << QByteArray("GET /index.cpp HTTP/1.1\r\n\r\n") << QByteArray("404");
    QTest::addRow("/ws without upgrade")
        << QByteArray("GET /ws HTTP/1.1\r\nHost: x\r\n\r\n") << QByteArray("400");
    QTest::addRow("not HTTP") << QByteArray("HELLO THERE\r\n\r\n") << QByteArray("400");
    QTest::addRow("huge head") << QByteArray(QByteArray("GET / HTTP/1.1\r\nX: ")
                                             + QByteArray(20000, 'a'))
                               << QByteArray("431");
}

void TestHubLimits::httpRequestsGetStatuses()
{
    QFETCH(QByteArray, request);
    QFETCH(QByteArray, status);
    const QByteArray response = httpRequest(m_hub->port(), request);
    const QByteArray expected = "HTTP/1.1 " + status;
    QVERIFY2(response.startsWith(expected), response.left(80).constData());
}

void TestHubLimits::servesClientAndQrCodes()
{
    const QByteArray page = httpRequest(m_hub->port(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(page.contains("Content-Type: text/html; charset=utf-8"));
    QVERIFY(page.contains("Cache-Control: no-cache"));

    const QByteArray head = httpRequest(m_hub->port(), "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(head.endsWith("\r\n\r\n")); // headers only
    QVERIFY(head.contains("Content-Length: "));

    const QByteArray qr = httpRequest(m_hub->port(), "GET /qr.svg?text=confab HTTP/1.1\r\n\r\n");
    QVERIFY(qr.contains("Content-Type: image/svg+xml"));
    QVERIFY(qr.contains("<svg") && qr.contains("<path"));
}

void TestHubLimits::incompleteHandshakeTimesOut()
{
    HubConfig config = testHubConfig();
    config.helloTimeoutS = 1;
    restart(config);

    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_hub->port());
    QVERIFY(socket.waitForConnected(5000));
    socket.write("GET /ws HTTP/1.1\r\nHost: x\r\n"); // and never the blank line
    QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, 5000);
}

void TestHubLimits::silentClientTimesOut()
{
    HubConfig config = testHubConfig();
    config.heartbeatIntervalS = 1;
    config.heartbeatTimeoutS = 2;
    restart(config);

    // bob's QWebSocket answers pings by itself; the raw client never does.
    TestClient *bob = member(QStringLiteral("bob"));
    RawClient silent(m_hub->port());
    QVERIFY(silent.upgrade());
    silent.sendText(R"({"type":"hello","user":"ghost"})");
    silent.sendText(R"({"type":"join","room":"general"})");
    QVERIFY(silent.waitForText("\"joined\""));
    bob->waitFor(QStringLiteral("member_joined"));

    QCOMPARE(silent.waitForCloseCode(6000), 4014);
    const QJsonObject presence =
        bob->waitFor(QStringLiteral("presence"), 5000,
                     [](const QJsonObject &f) { return str(f, "user") == QLatin1String("ghost"); });
    QCOMPARE(str(presence, "status"), QStringLiteral("offline"));
    QCOMPARE(str(bob->waitFor(QStringLiteral("member_left")), "user"), QStringLiteral("ghost"));

    // bob sent nothing of his own all this while, but his pongs kept him in.
    QVERIFY(bob->isConnected());
    QCOMPARE(m_hub->snapshot().result().totals.heartbeatTimeouts, quint64(1));
}

void TestHubLimits::slowConsumerClosedOthersUnaffected()
{
    HubConfig config = testHubConfig();
    config.maxTextChars = 5000;
    config.maxOutboundBytes = 256 * 1024;
    restart(config);

    TestClient *sender = member(QStringLiteral("sender"));
    TestClient *reader = member(QStringLiteral("reader"));
    RawClient slow(m_hub->port());
    QVERIFY(slow.upgrade());
    slow.sendText(R"({"type":"hello","user":"slow"})");
    slow.sendText(R"({"type":"join","room":"general"})");
    QVERIFY(slow.waitForText("\"joined\""));
    slow.stopReading();

    // 8 MB through the room: more than the kernel buffers between the hub and a client that
    // stopped reading. Small messages, because Qt's own client reads big frames slowly.
    constexpr int Messages = 2000;
    const QString text(4000, QLatin1Char('m'));
    int received = 0;
    connect(&reader->socket(), &QWebSocket::textMessageReceived, this, [&](const QString &m) {
        if (m.contains(QLatin1String("\"message\"")))
            ++received;
    });
    // Paced by the reader, so only the client that stopped reading falls behind.
    for (int i = 0; i < Messages; ++i) {
        sender->sendRaw(QString::fromUtf8(sayJson(QStringLiteral("general"), text)));
        QVERIFY(QTest::qWaitFor([&] { return received > i - 8; }, 10000));
    }

    QTRY_COMPARE_WITH_TIMEOUT(m_hub->snapshot().result().totals.slowConsumerCloses, quint64(1),
                              30000);
    QTRY_COMPARE_WITH_TIMEOUT(received, Messages, 30000); // the fast reader lost nothing
    QVERIFY(sender->isConnected());
    QVERIFY(reader->isConnected());

    slow.resumeReading();
    QCOMPARE(slow.waitForCloseCode(10000), 4008);
}

// Pongs are queued like everything else: a client that pings without reading the pongs meets
// the same bound as any slow reader, even when nothing else is ever sent to it.
void TestHubLimits::pingFloodWithoutReadingClosed()
{
    HubConfig config = testHubConfig();
    config.maxOutboundBytes = 64 * 1024;
    restart(config);

    TestClient *bystander = member(QStringLiteral("bystander"));
    RawClient flooder(m_hub->port());
    QVERIFY(flooder.upgrade());
    flooder.stopReading();

    // 16 MB of pongs: far past the kernel's buffers and the 64 KiB bound.
    QByteArray ping;
    ping.append(char(0x89));
    ping.append(char(0x80 | 125));
    ping.append(4, '\0');
    ping.append(125, 'p');
    const QByteArray burst = ping.repeated(1000);
    for (int i = 0; i < 128 && flooder.socket().state() == QAbstractSocket::ConnectedState; ++i) {
        flooder.socket().write(burst);
        QVERIFY(QTest::qWaitFor([&] { return flooder.socket().bytesToWrite() < 1024 * 1024; }, 5000)
                || flooder.socket().state() != QAbstractSocket::ConnectedState);
    }

    QTRY_COMPARE_WITH_TIMEOUT(m_hub->snapshot().result().totals.slowConsumerCloses, quint64(1),
                              20000);
    flooder.resumeReading();
    QCOMPARE(flooder.waitForCloseCode(20000), 4008);
    QVERIFY(bystander->isConnected());
    QVERIFY(!bystander->join(QStringLiteral("general")).isEmpty()); // the hub still answers
}

// Thousands of history requests in one write from a client that does not read: once its queue
// is over the bound the rest are not worked on, so the others' chat goes on while it waits for
// its 4008.
void TestHubLimits::requestFloodWithoutReadingLeavesOthersChatting()
{
    HubConfig config = testHubConfig();
    config.maxTextChars = 4000;
    config.maxOutboundBytes = 256 * 1024;
    config.maxMessageBytes = 2 * 1024 * 1024;
    restart(config);

    TestClient *alice = member(QStringLiteral("alice"));
    TestClient *bob = member(QStringLiteral("bob"));
    const QString text(3900, QLatin1Char('h'));
    for (int i = 0; i < 60; ++i)
        alice->sendRaw(QString::fromUtf8(sayJson(QStringLiteral("general"), text)));
    QTRY_COMPARE(bob->count(QStringLiteral("message")), 60);

    RawClient flooder(m_hub->port());
    QVERIFY(flooder.upgrade());
    flooder.sendText(R"({"type":"hello","user":"flooder"})");
    flooder.sendText(R"({"type":"join","room":"general"})");
    QVERIFY(flooder.waitForText("\"joined\""));
    flooder.stopReading();
    const QByteArray request =
        RawClient::maskedText(R"({"type":"history","room":"general","limit":200})");
    flooder.socket().write(request.repeated(20000));

    bob->clear();
    alice->sendRaw(
        QString::fromUtf8(sayJson(QStringLiteral("general"), QStringLiteral("still here"))));
    QVERIFY(!bob->waitFor(QStringLiteral("message")).isEmpty());
    QTRY_COMPARE(m_hub->snapshot().result().totals.slowConsumerCloses, quint64(1));
}

// Clients that never answer the close: stop() gives up waiting for them, tears the hub down
// with them still connected, and returns.
void TestHubLimits::forcedStopWithClientsStillConnected()
{
    QList<RawClient *> silent;
    for (int i = 0; i < 3; ++i) {
        auto *raw = new RawClient(m_hub->port(), this);
        silent.append(raw);
        QVERIFY(raw->upgrade());
        raw->sendText(QStringLiteral(R"({"type":"hello","user":"quiet%1"})").arg(i).toUtf8());
        QVERIFY(raw->waitForText("welcome"));
        raw->stopReading();
    }

    m_hub->stop(100);
    QVERIFY(!m_hub->isRunning());
    qDeleteAll(silent);
}

QTEST_GUILESS_MAIN(TestHubLimits)
#include "tst_hublimits.moc"
