// Chat between real QWebSocket clients through a real hub on 127.0.0.1, port 0.
#include <memory>

#include <QJsonDocument>
#include <QSet>
#include <QTest>

#include "hubservice.h"
#include "testclient.h"

namespace {

QString str(const QJsonObject &f, const char *key)
{
    return f.value(QLatin1String(key)).toString();
}

bool inRoom(const QJsonObject &f, const QString &room)
{
    return str(f, "room") == room;
}

} // namespace

class TestHubChat : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void welcomeDescribesHub();
    void roomChatReachesEveryDevice();
    void ackComesBeforeMessage();
    void memberEventsOncePerUser();
    void statusFollowsUserAcrossDevices();
    void directMessagesReachAllDevices();
    void multicastReachesEachUserOnce();
    void broadcastReachesEveryone();
    void burstKeepsSeqOrder();
    void roomsListAndWhoPages();
    void operatorManagesRooms();
    void bigRoomsCoalesceMemberChanges();
    void kickClosesEveryDeviceAfterKickedFrame();
    void stopClosesEveryClientWith1001();
    void roomFeedBatchesMessages();

private:
    TestClient *client(const QString &user, const QString &device = {}, const QString &token = {});

    std::unique_ptr<HubService> m_hub;
    HubConfig m_config;
    QList<TestClient *> m_clients;
};

void TestHubChat::init()
{
    m_config = HubConfig();
    m_config.listenAddress = QHostAddress::LocalHost;
    m_config.port = 0;
    m_config.rooms = {QStringLiteral("general"), QStringLiteral("random")};
    m_config.memberListCap = 3;
    m_config.coalesceAbove = 5;
    m_hub = std::make_unique<HubService>();
    QVERIFY2(m_hub->start(m_config), qPrintable(m_hub->errorString()));
}

void TestHubChat::cleanup()
{
    qDeleteAll(m_clients);
    m_clients.clear();
    m_hub.reset();
}

TestClient *TestHubChat::client(const QString &user, const QString &device, const QString &token)
{
    auto *c = new TestClient(m_hub->port());
    m_clients.append(c);
    if (!c->connectToHub())
        return c;
    if (!user.isEmpty()) {
        const QJsonObject welcome = c->hello(user, device, token);
        Q_UNUSED(welcome);
    }
    return c;
}

void TestHubChat::welcomeDescribesHub()
{
    TestClient c(m_hub->port());
    QVERIFY(c.connectToHub());
    const QJsonObject welcome = c.hello(QStringLiteral("Ada"), QStringLiteral("laptop"));
    QCOMPARE(str(welcome, "user"), QStringLiteral("Ada"));
    QCOMPARE(str(welcome, "device"), QStringLiteral("laptop"));
    QCOMPARE(welcome.value(QStringLiteral("protocol")).toInt(), 1);
    QVERIFY(str(welcome, "token").size() >= 20);
    QVERIFY(welcome.value(QStringLiteral("connection")).toDouble() > 0);
    QCOMPARE(welcome.value(QStringLiteral("heartbeat_s")).toInt(), m_config.heartbeatIntervalS);
    const QJsonObject limits = welcome.value(QStringLiteral("limits")).toObject();
    QCOMPARE(limits.value(QStringLiteral("max_text_chars")).toInt(), m_config.maxTextChars);
    QCOMPARE(limits.value(QStringLiteral("max_message_bytes")).toInt(),
             int(m_config.maxMessageBytes));
}

void TestHubChat::roomChatReachesEveryDevice()
{
    TestClient *alicePhone = client(QStringLiteral("alice"), QStringLiteral("phone"));
    TestClient *aliceLaptop = new TestClient(m_hub->port());
    m_clients.append(aliceLaptop);
    QVERIFY(aliceLaptop->connectToHub());
    QVERIFY(
        !aliceLaptop->hello(QStringLiteral("Alice"), QStringLiteral("laptop"), alicePhone->token)
             .isEmpty());
    TestClient *bob = client(QStringLiteral("bob"));
    TestClient *carol = client(QStringLiteral("carol"));

    alicePhone->join(QStringLiteral("general"));
    aliceLaptop->join(QStringLiteral("general"));
    const QJsonObject joined = bob->join(QStringLiteral("general"));
    QCOMPARE(joined.value(QStringLiteral("count")).toInt(), 2);
    carol->join(QStringLiteral("random"));

    bob->send(frame(QStringLiteral("say"), {{QStringLiteral("room"), QStringLiteral("general")},
                                            {QStringLiteral("text"), QStringLiteral("hi all")}}));
    for (TestClient *c : {alicePhone, aliceLaptop, bob}) {
        const QJsonObject m = c->waitFor(QStringLiteral("message"));
        QCOMPARE(str(m, "text"), QStringLiteral("hi all"));
        QCOMPARE(str(m, "from"), QStringLiteral("bob"));
        QCOMPARE(str(m, "room"), QStringLiteral("general"));
        QCOMPARE(m.value(QStringLiteral("seq")).toInt(), 1);
        QVERIFY(QDateTime::fromString(str(m, "ts"), Qt::ISODateWithMs).isValid());
        QVERIFY(str(m, "ts").endsWith(QLatin1Char('Z')));
    }

    // carol is in another room: nothing from general reaches her.
    carol->send(frame(QStringLiteral("rooms")));
    carol->waitFor(QStringLiteral("rooms"));
    QCOMPARE(carol->count(QStringLiteral("message")), 0);
}

void TestHubChat::ackComesBeforeMessage()
{
    TestClient *a = client(QStringLiteral("alice"));
    a->join(QStringLiteral("general"));
    a->clear();
    a->send(frame(QStringLiteral("say"), {{QStringLiteral("room"), QStringLiteral("general")},
                                          {QStringLiteral("text"), QStringLiteral("one")},
                                          {QStringLiteral("cid"), QStringLiteral("c-1")}}));
    QVERIFY(QTest::qWaitFor([a] { return a->count(QStringLiteral("message")) == 1; }, 5000));

    const QJsonObject ack = a->waitFor(QStringLiteral("ack"), 0);
    QCOMPARE(str(ack, "cid"), QStringLiteral("c-1"));
    QCOMPARE(ack.value(QStringLiteral("seq")).toInt(), 1);
    QCOMPARE(str(ack, "room"), QStringLiteral("general"));
    // The ack was recorded first: it is gone and the message is what remains, in that order.
    a->clear();
    a->send(frame(QStringLiteral("say"), {{QStringLiteral("room"), QStringLiteral("general")},
                                          {QStringLiteral("text"), QStringLiteral("two")},
                                          {QStringLiteral("cid"), 7}}));
    QStringList order;
    connect(&a->socket(), &QWebSocket::textMessageReceived, this, [&order](const QString &text) {
        order.append(QJsonDocument::fromJson(text.toUtf8())
                         .object()
                         .value(QStringLiteral("type"))
                         .toString());
    });
    QTRY_COMPARE(order.size(), 2);
    QCOMPARE(order, (QStringList {QStringLiteral("ack"), QStringLiteral("message")}));
}

void TestHubChat::memberEventsOncePerUser()
{
    TestClient *bob = client(QStringLiteral("bob"));
    bob->join(QStringLiteral("general"));

    TestClient *phone = client(QStringLiteral("alice"), QStringLiteral("phone"));
    TestClient *laptop = new TestClient(m_hub->port());
    m_clients.append(laptop);
    QVERIFY(laptop->connectToHub());
    laptop->hello(QStringLiteral("alice"), QStringLiteral("laptop"), phone->token);

    phone->join(QStringLiteral("general"));
    laptop->join(QStringLiteral("general"));
    QVERIFY(!bob->waitFor(QStringLiteral("member_joined")).isEmpty());

    phone->send(
        frame(QStringLiteral("leave"), {{QStringLiteral("room"), QStringLiteral("general")}}));
    phone->waitFor(QStringLiteral("left"));
    laptop->socket().close();
    QVERIFY(!bob->waitFor(QStringLiteral("member_left")).isEmpty());

    // One more round trip so anything extra would have arrived by now.
    bob->send(frame(QStringLiteral("rooms")));
    bob->waitFor(QStringLiteral("rooms"));
    QCOMPARE(bob->count(QStringLiteral("member_joined")), 0);
    QCOMPARE(bob->count(QStringLiteral("member_left")), 0);
}

void TestHubChat::statusFollowsUserAcrossDevices()
{
    TestClient *phone = client(QStringLiteral("alice"), QStringLiteral("phone"));
    TestClient *laptop = new TestClient(m_hub->port());
    m_clients.append(laptop);
    QVERIFY(laptop->connectToHub());
    laptop->hello(QStringLiteral("alice"), QStringLiteral("laptop"), phone->token);
    TestClient *bob = client(QStringLiteral("bob"));
    TestClient *stranger = client(QStringLiteral("zed"));
    phone->join(QStringLiteral("general"));
    laptop->join(QStringLiteral("general"));
    bob->join(QStringLiteral("general"));
    phone->clear();
    laptop->clear();

    phone->send(
        frame(QStringLiteral("status"), {{QStringLiteral("status"), QStringLiteral("away")}}));
    auto aboutAlice = [](const QJsonObject &f) {
        return str(f, "user") == QLatin1String("alice");
    };
    for (TestClient *c : {phone, laptop, bob}) {
        const QJsonObject p = c->waitFor(QStringLiteral("presence"), 5000, aboutAlice);
        QCOMPARE(str(p, "status"), QStringLiteral("away"));
    }

    // Offline when the last device goes, back (with the name's token) with the status last
    // chosen.
    const QString token = phone->token;
    phone->socket().close();
    laptop->socket().close();
    QCOMPARE(str(bob->waitFor(QStringLiteral("presence"), 5000, aboutAlice), "status"),
             QStringLiteral("offline"));
    TestClient *again = client(QStringLiteral("alice"), QStringLiteral("phone"), token);
    again->join(QStringLiteral("general"));
    const QJsonObject joined = bob->waitFor(QStringLiteral("member_joined"));
    QCOMPARE(str(joined, "status"), QStringLiteral("away"));

    // zed shares no room with alice and hears nothing of her.
    for (const QJsonObject &p : stranger->received(QStringLiteral("presence")))
        QCOMPARE(str(p, "user"), QStringLiteral("zed"));
}

void TestHubChat::directMessagesReachAllDevices()
{
    TestClient *phone = client(QStringLiteral("alice"), QStringLiteral("phone"));
    TestClient *laptop = new TestClient(m_hub->port());
    m_clients.append(laptop);
    QVERIFY(laptop->connectToHub());
    laptop->hello(QStringLiteral("alice"), QStringLiteral("laptop"), phone->token);
    TestClient *bob = client(QStringLiteral("bob"), QStringLiteral("desk"));
    TestClient *bobTablet = new TestClient(m_hub->port());
    m_clients.append(bobTablet);
    QVERIFY(bobTablet->connectToHub());
    bobTablet->hello(QStringLiteral("bob"), QStringLiteral("tablet"), bob->token);

    bob->send(frame(QStringLiteral("dm"), {{QStringLiteral("to"), QStringLiteral("ALICE")},
                                           {QStringLiteral("text"), QStringLiteral("psst")},
                                           {QStringLiteral("cid"), QStringLiteral("d1")}}));
    QCOMPARE(str(bob->waitFor(QStringLiteral("ack")), "cid"), QStringLiteral("d1"));
    for (TestClient *c : {phone, laptop, bobTablet}) {
        const QJsonObject dm = c->waitFor(QStringLiteral("dm"));
        QCOMPARE(str(dm, "text"), QStringLiteral("psst"));
        QCOMPARE(str(dm, "from"), QStringLiteral("bob"));
        QCOMPARE(str(dm, "to"), QStringLiteral("alice"));
    }
    QCOMPARE(bob->count(QStringLiteral("dm")), 0); // not echoed to the sending device

    // To yourself: your other device shows it, the sending one only gets the ack.
    bob->send(frame(QStringLiteral("dm"), {{QStringLiteral("to"), QStringLiteral("bob")},
                                           {QStringLiteral("text"), QStringLiteral("note to self")},
                                           {QStringLiteral("cid"), QStringLiteral("d2")}}));
    QCOMPARE(str(bob->waitFor(QStringLiteral("ack")), "cid"), QStringLiteral("d2"));
    QCOMPARE(str(bobTablet->waitFor(QStringLiteral("dm")), "text"), QStringLiteral("note to self"));
    QCOMPARE(bob->count(QStringLiteral("dm")), 0);

    bob->send(frame(QStringLiteral("dm"), {{QStringLiteral("to"), QStringLiteral("nobody")},
                                           {QStringLiteral("text"), QStringLiteral("hello?")}}));
    QCOMPARE(str(bob->waitFor(QStringLiteral("error")), "code"), QStringLiteral("no_such_user"));
}

void TestHubChat::multicastReachesEachUserOnce()
{
    TestClient *alice = client(QStringLiteral("alice"));
    TestClient *bob = client(QStringLiteral("bob"));
    TestClient *carol = client(QStringLiteral("carol"));
    TestClient *dave = client(QStringLiteral("dave"));

    alice->send(
        frame(QStringLiteral("multicast"),
              {{QStringLiteral("to"),
                QJsonArray {QStringLiteral("bob"), QStringLiteral("carol"), QStringLiteral("Bob")}},
               {QStringLiteral("text"), QStringLiteral("lunch?")}}));
    for (TestClient *c : {bob, carol}) {
        const QJsonObject m = c->waitFor(QStringLiteral("multicast"));
        QCOMPARE(str(m, "text"), QStringLiteral("lunch?"));
        QCOMPARE(m.value(QStringLiteral("to")).toArray().size(), 2);
    }
    alice->send(frame(QStringLiteral("rooms")));
    alice->waitFor(QStringLiteral("rooms"));
    QCOMPARE(bob->count(QStringLiteral("multicast")), 0);
    QCOMPARE(dave->count(QStringLiteral("multicast")), 0);

    alice->send(
        frame(QStringLiteral("multicast"),
              {{QStringLiteral("to"), QJsonArray {QStringLiteral("bob"), QStringLiteral("ghost")}},
               {QStringLiteral("text"), QStringLiteral("x")}}));
    const QJsonObject error = alice->waitFor(QStringLiteral("error"));
    QCOMPARE(str(error, "code"), QStringLiteral("no_such_user"));
    QVERIFY(str(error, "message").contains(QLatin1String("ghost")));
}

void TestHubChat::broadcastReachesEveryone()
{
    TestClient *alice = client(QStringLiteral("alice"));
    TestClient *bob = client(QStringLiteral("bob"));
    bob->join(QStringLiteral("random"));

    QFuture<OperatorResult> all = m_hub->broadcast(QStringLiteral("pizza in the kitchen"));
    for (TestClient *c : {alice, bob}) {
        const QJsonObject a = c->waitFor(QStringLiteral("announcement"));
        QCOMPARE(str(a, "text"), QStringLiteral("pizza in the kitchen"));
        QCOMPARE(str(a, "from"), QStringLiteral("operator"));
        QVERIFY(!a.contains(QStringLiteral("room")));
    }
    QCOMPARE(all.result().affected, 2);

    m_hub->broadcast(QStringLiteral("random only"), QStringLiteral("random"));
    QCOMPARE(str(bob->waitFor(QStringLiteral("announcement")), "room"), QStringLiteral("random"));
    QVERIFY(!m_hub->broadcast(QStringLiteral("x"), QStringLiteral("nope")).result().ok);
    QCOMPARE(alice->count(QStringLiteral("announcement")), 0);
}

void TestHubChat::burstKeepsSeqOrder()
{
    TestClient *alice = client(QStringLiteral("alice"));
    TestClient *bob = client(QStringLiteral("bob"));
    TestClient *carol = client(QStringLiteral("carol"));
    for (TestClient *c : {alice, bob, carol})
        c->join(QStringLiteral("general"));

    constexpr int PerSender = 500;
    for (int i = 0; i < PerSender; ++i) {
        for (TestClient *c : {alice, bob}) {
            c->send(
                frame(QStringLiteral("say"), {{QStringLiteral("room"), QStringLiteral("general")},
                                              {QStringLiteral("text"), QString::number(i)}}));
        }
    }

    for (TestClient *c : {alice, bob, carol}) {
        QTRY_COMPARE_WITH_TIMEOUT(c->count(QStringLiteral("message")), 2 * PerSender, 20000);
        const QList<QJsonObject> messages = c->received(QStringLiteral("message"));
        QHash<QString, int> lastFrom;
        for (int i = 0; i < messages.size(); ++i) {
            const QJsonObject &m = messages.at(i);
            QCOMPARE(m.value(QStringLiteral("seq")).toInt(), i + 1); // no gap, no duplicate
            const int n = str(m, "text").toInt();
            QCOMPARE(n, lastFrom.value(str(m, "from"), -1) + 1); // each sender in order
            lastFrom[str(m, "from")] = n;
        }
    }
}

void TestHubChat::roomsListAndWhoPages()
{
    QList<TestClient *> users;
    for (const char *name : {"ann", "ben", "cat", "dan", "eve"}) {
        TestClient *c = client(QString::fromLatin1(name));
        c->join(QStringLiteral("general"));
        users.append(c);
    }
    TestClient *eve = users.last();

    eve->send(frame(QStringLiteral("rooms")));
    const QJsonArray rooms =
        eve->waitFor(QStringLiteral("rooms")).value(QStringLiteral("rooms")).toArray();
    QCOMPARE(rooms.size(), 2);
    QCOMPARE(rooms.at(0).toObject().value(QStringLiteral("room")).toString(),
             QStringLiteral("general"));
    QCOMPARE(rooms.at(0).toObject().value(QStringLiteral("count")).toInt(), 5);

    // member_list_cap is 3: joined lists 3 of 5, who pages through the rest.
    TestClient *fay = client(QStringLiteral("fay"));
    const QJsonObject joined = fay->join(QStringLiteral("general"));
    QCOMPARE(joined.value(QStringLiteral("count")).toInt(), 6);
    QCOMPARE(joined.value(QStringLiteral("members")).toArray().size(), 3);

    QStringList seen;
    QString after;
    for (int page = 0; page < 5; ++page) {
        QJsonObject ask {{QStringLiteral("room"), QStringLiteral("general")}};
        if (!after.isEmpty())
            ask.insert(QStringLiteral("after"), after);
        fay->send(frame(QStringLiteral("who"), ask));
        const QJsonObject who = fay->waitFor(QStringLiteral("who"));
        for (const QJsonValue &m : who.value(QStringLiteral("members")).toArray())
            seen.append(m.toObject().value(QStringLiteral("user")).toString());
        after = str(who, "next");
        if (after.isEmpty())
            break;
    }
    QCOMPARE(seen,
             (QStringList {QStringLiteral("ann"), QStringLiteral("ben"), QStringLiteral("cat"),
                           QStringLiteral("dan"), QStringLiteral("eve"), QStringLiteral("fay")}));
}

void TestHubChat::operatorManagesRooms()
{
    TestClient *alice = client(QStringLiteral("alice"));
    alice->join(QStringLiteral("general"));

    QVERIFY(m_hub->createRoom(QStringLiteral("lab-3"), QStringLiteral("soldering")).result().ok);
    QCOMPARE(str(alice->waitFor(QStringLiteral("room_created")), "room"), QStringLiteral("lab-3"));
    QCOMPARE(m_hub->createRoom(QStringLiteral("LAB-3")).result().error,
             QStringLiteral("room_exists"));
    QCOMPARE(m_hub->createRoom(QStringLiteral("two words")).result().error,
             QStringLiteral("bad_room"));

    const QJsonObject joined = alice->join(QStringLiteral("lab-3"));
    QCOMPARE(str(joined, "topic"), QStringLiteral("soldering"));

    QVERIFY(m_hub->setTopic(QStringLiteral("lab-3"), QStringLiteral("3D printing")).result().ok);
    QCOMPARE(str(alice->waitFor(QStringLiteral("topic")), "topic"), QStringLiteral("3D printing"));

    QVERIFY(m_hub->deleteRoom(QStringLiteral("lab-3")).result().ok);
    QVERIFY(!alice
                 ->waitFor(QStringLiteral("left"), 5000,
                           [](const QJsonObject &f) { return inRoom(f, QStringLiteral("lab-3")); })
                 .isEmpty());
    QCOMPARE(str(alice->waitFor(QStringLiteral("room_deleted")), "room"), QStringLiteral("lab-3"));

    alice->send(
        frame(QStringLiteral("say"), {{QStringLiteral("room"), QStringLiteral("lab-3")},
                                      {QStringLiteral("text"), QStringLiteral("anyone?")}}));
    QCOMPARE(str(alice->waitFor(QStringLiteral("error")), "code"), QStringLiteral("no_such_room"));

    const HubSnapshot snapshot = m_hub->snapshot().result();
    QCOMPARE(snapshot.rooms.size(), 2);
    QCOMPARE(snapshot.connections.size(), 1);
    QCOMPARE(snapshot.connections.first().rooms, QStringList {QStringLiteral("general")});
}

void TestHubChat::bigRoomsCoalesceMemberChanges()
{
    // coalesce_above is 5: past five members, joins and leaves come as members_changed.
    TestClient *watcher = client(QStringLiteral("watcher"));
    watcher->join(QStringLiteral("general"));
    QList<TestClient *> crowd;
    for (int i = 0; i < 10; ++i) {
        TestClient *c = client(QStringLiteral("guest%1").arg(i));
        c->join(QStringLiteral("general"));
        crowd.append(c);
    }

    auto batches = [watcher] {
        return watcher->received(QStringLiteral("members_changed"));
    };
    QTRY_VERIFY_WITH_TIMEOUT(!batches().isEmpty()
                                 && batches().last().value(QStringLiteral("count")).toInt() == 11,
                             5000);

    // Every join is named, unless a batch says it was cut at member_list_cap (3 here).
    int named = watcher->count(QStringLiteral("member_joined"));
    bool truncated = false;
    for (const QJsonObject &batch : batches()) {
        const int names = int(batch.value(QStringLiteral("joined")).toArray().size());
        QVERIFY(names <= 3);
        named += names;
        truncated = truncated || batch.value(QStringLiteral("truncated")).toBool();
    }
    QVERIFY2(named == 10 || (truncated && named < 10), qPrintable(QString::number(named)));
    QVERIFY(watcher->count(QStringLiteral("member_joined")) <= 5);
    QVERIFY(batches().size() <= 3);
}

void TestHubChat::kickClosesEveryDeviceAfterKickedFrame()
{
    TestClient *phone = client(QStringLiteral("mallory"), QStringLiteral("phone"));
    TestClient *laptop = new TestClient(m_hub->port());
    m_clients.append(laptop);
    QVERIFY(laptop->connectToHub());
    laptop->hello(QStringLiteral("mallory"), QStringLiteral("laptop"), phone->token);
    TestClient *bob = client(QStringLiteral("bob"));
    phone->join(QStringLiteral("general"));
    bob->join(QStringLiteral("general"));

    // A long reason with multi-byte characters around the 123-byte cut.
    const QString reason = QStringLiteral("spamming the room ") + QString(60, QChar(0x00E9));
    const OperatorResult result = m_hub->kickUser(QStringLiteral("Mallory"), reason).result();
    QVERIFY(result.ok);
    QCOMPARE(result.affected, 2);

    for (TestClient *c : {phone, laptop}) {
        const QJsonObject kicked = c->waitFor(QStringLiteral("kicked"));
        QCOMPARE(str(kicked, "reason"), reason);
        QCOMPARE(str(kicked, "by"), QStringLiteral("operator"));
        QVERIFY(c->waitForDisconnected());
        QCOMPARE(c->closeCode(), 4001);
        QVERIFY(reason.startsWith(c->closeReason())); // cut on a character boundary
        QVERIFY(c->closeReason().toUtf8().size() <= 123);
    }
    QCOMPARE(str(bob->waitFor(QStringLiteral("member_left")), "user"), QStringLiteral("mallory"));
    QTRY_COMPARE(m_hub->snapshot().result().connections.size(), 1);
}

void TestHubChat::stopClosesEveryClientWith1001()
{
    TestClient *alice = client(QStringLiteral("alice"));
    TestClient *bob = client(QStringLiteral("bob"));
    TestClient *anonymous = client(QString()); // connected, no hello yet
    bob->join(QStringLiteral("general"));

    m_hub->stop();
    QVERIFY(!m_hub->isRunning());

    for (TestClient *c : {alice, bob, anonymous}) {
        QVERIFY(c->waitForDisconnected());
        QCOMPARE(c->closeCode(), 1001);
    }
}

void TestHubChat::roomFeedBatchesMessages()
{
    QList<RoomMessageInfo> fed;
    int batches = 0;
    connect(m_hub.get(), &HubService::roomMessagesArrived, this,
            [&](const QList<RoomMessageInfo> &messages) {
                fed += messages;
                ++batches;
            });
    m_hub->setRoomFeedEnabled(true);

    TestClient *alice = client(QStringLiteral("alice"));
    alice->join(QStringLiteral("general"));
    for (int i = 0; i < 300; ++i)
        alice->send(
            frame(QStringLiteral("say"), {{QStringLiteral("room"), QStringLiteral("general")},
                                          {QStringLiteral("text"), QString::number(i)}}));
    QTRY_COMPARE_WITH_TIMEOUT(fed.isEmpty() ? 0 : fed.last().seq, quint64(300), 5000);

    QVERIFY(batches < 50); // batched, not one signal per message
    QCOMPARE(fed.last().text, QStringLiteral("299"));
    QCOMPARE(fed.last().from, QStringLiteral("alice"));
    QCOMPARE(fed.last().room, QStringLiteral("general"));
    for (int i = 1; i < fed.size(); ++i)
        QVERIFY(fed.at(i).seq > fed.at(i - 1).seq); // in order; a burst may drop the oldest
}

QTEST_GUILESS_MAIN(TestHubChat)
#include "tst_hubchat.moc"
