// History, recovery, stored dms and what survives a restart, against a real hub with real
// QWebSocket clients. The restart cases run on a real SQLite file in a temporary data
// directory; the rest on both stores, since a client must not be able to tell them apart
// while the hub runs.
#include <memory>

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include "hubservice.h"
#include "testclient.h"

namespace {

QString str(const QJsonObject &f, const char *key)
{
    return f.value(QLatin1String(key)).toString();
}

QList<int> seqsOf(const QJsonArray &entries)
{
    QList<int> seqs;
    for (const QJsonValue &entry : entries)
        seqs.append(entry.toObject().value(QStringLiteral("seq")).toInt());
    return seqs;
}

QList<int> range(int first, int last)
{
    QList<int> seqs;
    for (int seq = first; seq <= last; ++seq)
        seqs.append(seq);
    return seqs;
}

template<typename T>
T result(QFuture<T> future)
{
    future.waitForFinished();
    return future.result();
}

} // namespace

class TestHubHistory : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void joinWithHistory_data();
    void joinWithHistory();
    void historyPages_data();
    void historyPages();
    void recovery_data();
    void recovery();
    void recoveryComesBeforeLaterMessages();
    void answersKeepFrameOrder();
    void sayThenCloseStillAcked();
    void storedDmDeliveredOnNextConnect();
    void dmToUnknownNameRefused();
    void nameStaysClaimedAfterLastDeviceLeaves();
    void restartKeepsRoomsHistoryClaimsAndModeration();
    void recreatedRoomHasNewEpoch();
    void newerDatabaseRefused();

private:
    void start(bool persistent, int keepMessages = 10000);
    TestClient *member(const QString &user, const QString &token = {});
    void post(TestClient *client, int count, const QString &room = QStringLiteral("general"));

    std::unique_ptr<QTemporaryDir> m_dataDir;
    std::unique_ptr<HubService> m_hub;
    QList<TestClient *> m_clients;
};

void TestHubHistory::init()
{
    m_dataDir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dataDir->isValid());
}

void TestHubHistory::cleanup()
{
    qDeleteAll(m_clients);
    m_clients.clear();
    m_hub.reset();
    m_dataDir.reset();
}

void TestHubHistory::start(bool persistent, int keepMessages)
{
    qDeleteAll(m_clients);
    m_clients.clear();
    m_hub.reset();

    HubConfig config = testHubConfig();
    config.rooms = {QStringLiteral("general"), QStringLiteral("random")};
    config.historyMaxMessages = keepMessages;
    if (persistent)
        config.dataDir = m_dataDir->path();
    m_hub = std::make_unique<HubService>();
    QVERIFY2(m_hub->start(config), qPrintable(m_hub->errorString()));
}

TestClient *TestHubHistory::member(const QString &user, const QString &token)
{
    auto *c = new TestClient(m_hub->port());
    m_clients.append(c);
    c->connectToHub();
    c->hello(user, {}, token);
    c->join(QStringLiteral("general"));
    return c;
}

// Sends count messages "<user> n" and waits for every ack.
void TestHubHistory::post(TestClient *client, int count, const QString &room)
{
    for (int i = 1; i <= count; ++i)
        client->send(frame(QStringLiteral("say"),
                           {{QStringLiteral("room"), room},
                            {QStringLiteral("text"), QStringLiteral("%1 %2").arg(i).arg(room)},
                            {QStringLiteral("cid"), i}}));
    for (int i = 1; i <= count; ++i)
        QVERIFY2(!client->waitFor(QStringLiteral("ack"), 10000).isEmpty(),
                 qPrintable(QStringLiteral("no ack %1").arg(i)));
}

void TestHubHistory::joinWithHistory_data()
{
    QTest::addColumn<bool>("persistent");
    QTest::addRow("sqlite") << true;
    QTest::addRow("memory") << false;
}

void TestHubHistory::joinWithHistory()
{
    QFETCH(bool, persistent);
    start(persistent);
    post(member(QStringLiteral("alice")), 5);

    TestClient *bob = member(QStringLiteral("bob"));
    bob->send(frame(QStringLiteral("join"), {{QStringLiteral("room"), QStringLiteral("random")}}));
    bob->send(
        frame(QStringLiteral("leave"), {{QStringLiteral("room"), QStringLiteral("general")}}));
    QVERIFY(!bob->waitFor(QStringLiteral("left")).isEmpty());
    bob->send(frame(QStringLiteral("join"), {{QStringLiteral("room"), QStringLiteral("general")},
                                             {QStringLiteral("history"), 3}}));
    const QJsonObject joined =
        bob->waitFor(QStringLiteral("joined"), 5000,
                     [](const QJsonObject &f) { return f.contains(QStringLiteral("history")); });
    const QJsonArray history = joined.value(QStringLiteral("history")).toArray();
    QCOMPARE(seqsOf(history), range(3, 5));
    QCOMPARE(str(history.at(0).toObject(), "text"), QStringLiteral("3 general"));
    QCOMPARE(str(history.at(0).toObject(), "from"), QStringLiteral("alice"));
    QCOMPARE(joined.value(QStringLiteral("seq")).toInt(), 5);
    QCOMPARE(str(joined, "epoch").size(), 16);

    bob->send(frame(QStringLiteral("join"), {{QStringLiteral("room"), QStringLiteral("general")},
                                             {QStringLiteral("history"), 101}}));
    QCOMPARE(str(bob->waitFor(QStringLiteral("error")), "code"), QStringLiteral("bad_field"));
}

void TestHubHistory::historyPages_data()
{
    QTest::addColumn<QJsonObject>("request");
    QTest::addColumn<QList<int>>("seqs");
    QTest::addColumn<bool>("more");

    QTest::addRow("newest page") << QJsonObject {{QStringLiteral("limit"), 5}} << range(16, 20)
                                 << true;
    QTest::addRow("default limit, everything") << QJsonObject {} << range(1, 20) << false;
    QTest::addRow("before") << QJsonObject {{QStringLiteral("before"), 10},
                                            {QStringLiteral("limit"), 3}}
                            << range(7, 9) << true;
    QTest::addRow("before, reaching the start")
        << QJsonObject {{QStringLiteral("before"), 3}, {QStringLiteral("limit"), 5}} << range(1, 2)
        << false;
    QTest::addRow("after zero: the oldest")
        << QJsonObject {{QStringLiteral("after"), 0}, {QStringLiteral("limit"), 4}} << range(1, 4)
        << true;
    QTest::addRow("after, to the end")
        << QJsonObject {{QStringLiteral("after"), 17}, {QStringLiteral("limit"), 10}}
        << range(18, 20) << false;
    QTest::addRow("between") << QJsonObject {{QStringLiteral("after"), 4},
                                             {QStringLiteral("before"), 8}}
                             << range(5, 7) << false;
    QTest::addRow("past the end") << QJsonObject {{QStringLiteral("after"), 20}} << QList<int>()
                                  << false;
}

void TestHubHistory::historyPages()
{
    QFETCH(QJsonObject, request);
    QFETCH(QList<int>, seqs);
    QFETCH(bool, more);

    start(true);
    TestClient *alice = member(QStringLiteral("alice"));
    post(alice, 20);

    request.insert(QStringLiteral("room"), QStringLiteral("general"));
    alice->send(frame(QStringLiteral("history"), request));
    const QJsonObject page = alice->waitFor(QStringLiteral("history"));
    QCOMPARE(seqsOf(page.value(QStringLiteral("messages")).toArray()), seqs);
    QCOMPARE(page.value(QStringLiteral("more")).toBool(), more);
    QCOMPARE(str(page, "epoch").size(), 16);
}

void TestHubHistory::recovery_data()
{
    QTest::addColumn<int>("keep"); // history_max_messages
    QTest::addColumn<int>("sinceSeq");
    QTest::addColumn<bool>("sameEpoch");
    QTest::addColumn<int>("deleteSeq"); // 0: none
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QList<int>>("seqs"); // when ok
    QTest::addColumn<QString>("reason"); // when not
    QTest::addColumn<int>("missing"); // when not; -1: null

    QTest::addRow("nothing missed") << 100 << 10 << true << 0 << true << QList<int>() << "" << 0;
    QTest::addRow("three missed") << 100 << 7 << true << 0 << true << range(8, 10) << "" << 0;
    QTest::addRow("from the start") << 100 << 0 << true << 0 << true << range(1, 10) << "" << 0;
    QTest::addRow("a deleted one comes as a tombstone")
        << 100 << 5 << true << 7 << true << range(6, 10) << "" << 0;
    QTest::addRow("another epoch")
        << 100 << 5 << false << 0 << false << QList<int>() << "epoch_changed" << -1;
    QTest::addRow("ahead of the room")
        << 100 << 11 << true << 0 << false << QList<int>() << "epoch_changed" << -1;
    QTest::addRow("older than retention")
        << 4 << 2 << true << 0 << false << QList<int>() << "retention" << 4; // 3-6 are gone
    QTest::addRow("just inside retention")
        << 4 << 6 << true << 0 << true << range(7, 10) << "" << 0;
}

void TestHubHistory::recovery()
{
    QFETCH(int, keep);
    QFETCH(int, sinceSeq);
    QFETCH(bool, sameEpoch);
    QFETCH(int, deleteSeq);
    QFETCH(bool, ok);
    QFETCH(QList<int>, seqs);
    QFETCH(QString, reason);
    QFETCH(int, missing);

    start(true, keep);
    TestClient *alice = member(QStringLiteral("alice"));
    const QString epoch = str(alice->join(QStringLiteral("general")), "epoch");
    post(alice, 10);
    if (deleteSeq)
        QVERIFY(result(m_hub->deleteMessage(QStringLiteral("general"), quint64(deleteSeq))).ok);

    TestClient *bob = member(QStringLiteral("bob"));
    bob->send(
        frame(QStringLiteral("leave"), {{QStringLiteral("room"), QStringLiteral("general")}}));
    QVERIFY(!bob->waitFor(QStringLiteral("left")).isEmpty());
    const QJsonObject since {
        {QStringLiteral("seq"), sinceSeq},
        {QStringLiteral("epoch"), sameEpoch ? epoch : QStringLiteral("0123456789abcdef")}};
    bob->send(frame(QStringLiteral("join"), {{QStringLiteral("room"), QStringLiteral("general")},
                                             {QStringLiteral("since"), since}}));

    const QJsonObject recovery = bob->waitFor(QStringLiteral("recovery"));
    QCOMPARE(str(recovery, "room"), QStringLiteral("general"));
    QCOMPARE(str(recovery, "epoch"), epoch);
    QCOMPARE(recovery.value(QStringLiteral("ok")).toBool(), ok);
    if (!ok) {
        QCOMPARE(str(recovery, "reason"), reason);
        if (missing < 0)
            QVERIFY(recovery.value(QStringLiteral("missing")).isNull());
        else
            QCOMPARE(recovery.value(QStringLiteral("missing")).toInt(), missing);
        QVERIFY(!recovery.contains(QStringLiteral("messages")));
        return;
    }

    const QJsonArray messages = recovery.value(QStringLiteral("messages")).toArray();
    QCOMPARE(seqsOf(messages), seqs);
    for (const QJsonValue &value : messages) {
        const QJsonObject entry = value.toObject();
        const int seq = entry.value(QStringLiteral("seq")).toInt();
        if (seq == deleteSeq) {
            QVERIFY(entry.value(QStringLiteral("deleted")).toBool());
            QVERIFY(!entry.contains(QStringLiteral("text")));
        } else {
            QCOMPARE(str(entry, "text"), QStringLiteral("%1 general").arg(seq));
        }
    }
}

void TestHubHistory::recoveryComesBeforeLaterMessages()
{
    start(true);
    TestClient *alice = member(QStringLiteral("alice"));
    const QString epoch = str(alice->join(QStringLiteral("general")), "epoch");
    post(alice, 3);

    auto *bob = new TestClient(m_hub->port());
    m_clients.append(bob);
    bob->connectToHub();
    bob->hello(QStringLiteral("bob"));
    bob->send(frame(QStringLiteral("join"),
                    {{QStringLiteral("room"), QStringLiteral("general")},
                     {QStringLiteral("since"), QJsonObject {{QStringLiteral("seq"), 1},
                                                            {QStringLiteral("epoch"), epoch}}}}));
    post(alice, 2);

    // Whatever interleaving, bob sees 2..5 exactly once each, in order.
    QList<int> seen;
    QTRY_VERIFY_WITH_TIMEOUT(!bob->received(QStringLiteral("recovery")).isEmpty(), 5000);
    const QJsonObject recovery = bob->waitFor(QStringLiteral("recovery"));
    seen += seqsOf(recovery.value(QStringLiteral("messages")).toArray());
    QTRY_COMPARE_WITH_TIMEOUT(bob->count(QStringLiteral("message")) + seen.size(), 4, 5000);
    for (const QJsonObject &message : bob->received(QStringLiteral("message")))
        seen.append(message.value(QStringLiteral("seq")).toInt());
    QCOMPARE(seen, range(2, 5));
}

// A say's ack waits for its commit; the answers to later frames must wait behind it.
void TestHubHistory::answersKeepFrameOrder()
{
    HubConfig config = testHubConfig();
    config.dataDir = m_dataDir->path();
    config.commitIntervalMs = 200; // a slow commit, so an answer that jumps the queue shows
    m_hub = std::make_unique<HubService>();
    QVERIFY2(m_hub->start(config), qPrintable(m_hub->errorString()));
    TestClient *alice = member(QStringLiteral("alice"));
    alice->clear();

    alice->send(frame(QStringLiteral("say"), {{QStringLiteral("room"), QStringLiteral("general")},
                                              {QStringLiteral("text"), QStringLiteral("one")},
                                              {QStringLiteral("cid"), QStringLiteral("A")}}));
    alice->send(frame(QStringLiteral("say"), {{QStringLiteral("room"), QStringLiteral("random")},
                                              {QStringLiteral("text"), QStringLiteral("two")},
                                              {QStringLiteral("cid"), QStringLiteral("B")}}));
    alice->send(frame(QStringLiteral("dm"), {{QStringLiteral("to"), QStringLiteral("alice")},
                                             {QStringLiteral("text"), QStringLiteral("memo")},
                                             {QStringLiteral("cid"), QStringLiteral("C")}}));
    alice->send(frame(QStringLiteral("rooms")));
    QVERIFY(!alice->waitFor(QStringLiteral("rooms")).isEmpty());

    // In arrival order: ack A and its message, error B, ack C (a dm to yourself reaches only
    // your other devices), then the rooms list.
    QCOMPARE(str(alice->waitFor(QStringLiteral("error")), "ref"), QStringLiteral("B"));
    QCOMPARE(str(alice->waitFor(QStringLiteral("ack")), "cid"), QStringLiteral("A"));
    QCOMPARE(alice->arrivalOrder(), (QStringList {QStringLiteral("ack"), QStringLiteral("message"),
                                                  QStringLiteral("error"), QStringLiteral("ack"),
                                                  QStringLiteral("rooms")}));
}

// A client that sends a say and closes at once: the ack, which waits for the database, still
// comes before the close frame, and the room hears the message before it hears the sender left.
void TestHubHistory::sayThenCloseStillAcked()
{
    HubConfig config = testHubConfig();
    config.dataDir = m_dataDir->path();
    config.commitIntervalMs = 200; // the close arrives long before the commit would
    m_hub = std::make_unique<HubService>();
    QVERIFY2(m_hub->start(config), qPrintable(m_hub->errorString()));
    TestClient *watcher = member(QStringLiteral("watcher"));

    RawClient quitter(m_hub->port());
    QVERIFY(quitter.upgrade());
    quitter.sendText(R"({"type":"hello","user":"quitter"})");
    quitter.sendText(R"({"type":"join","room":"general"})");
    QVERIFY(quitter.waitForText("\"joined\""));
    QVERIFY(!watcher->waitFor(QStringLiteral("member_joined")).isEmpty());
    watcher->clear();

    const QByteArray close = QByteArray::fromHex("8882") + QByteArray(4, '\0') + "\x03\xe8";
    quitter.socket().write(
        RawClient::maskedText(R"({"type":"say","room":"general","text":"bye all","cid":"last"})")
        + close); // one write: the hub reads both together

    QCOMPARE(quitter.waitForCloseCode(), 1000);
    bool acked = false;
    for (const RawClient::Frame &f : quitter.frames()) {
        if (f.opcode == 8)
            break;
        acked =
            acked
            || (f.opcode == 1 && f.payload.contains("\"ack\"") && f.payload.contains("\"last\""));
    }
    QVERIFY2(acked, "no ack before the close frame");

    QVERIFY(!watcher->waitFor(QStringLiteral("member_left")).isEmpty());
    const QStringList order = watcher->arrivalOrder();
    QVERIFY2(order.indexOf(QStringLiteral("message")) >= 0
                 && order.indexOf(QStringLiteral("message"))
                        < order.indexOf(QStringLiteral("member_left")),
             qPrintable(order.join(QLatin1Char(' '))));
}

void TestHubHistory::storedDmDeliveredOnNextConnect()
{
    start(true);
    TestClient *carol = member(QStringLiteral("carol"));
    const QString carolToken = carol->token;
    carol->socket().close();
    QVERIFY(carol->waitForDisconnected());
    QTRY_COMPARE(m_hub->snapshot().result().totals.users, 0);

    TestClient *alice = member(QStringLiteral("alice"));
    alice->send(frame(QStringLiteral("dm"), {{QStringLiteral("to"), QStringLiteral("Carol")},
                                             {QStringLiteral("text"), QStringLiteral("call me")},
                                             {QStringLiteral("cid"), QStringLiteral("d1")}}));
    const QJsonObject ack = alice->waitFor(QStringLiteral("ack"));
    QCOMPARE(str(ack, "cid"), QStringLiteral("d1"));
    QCOMPARE(ack.value(QStringLiteral("stored")).toArray(), QJsonArray {QStringLiteral("carol")});

    // Still there after a restart.
    start(true);
    TestClient *back = member(QStringLiteral("carol"), carolToken);
    const QJsonObject dm = back->waitFor(QStringLiteral("dm"));
    QCOMPARE(str(dm, "from"), QStringLiteral("alice"));
    QCOMPARE(str(dm, "text"), QStringLiteral("call me"));
    QVERIFY(dm.value(QStringLiteral("stored")).toBool());

    // Delivered once: the next device does not get it again.
    TestClient *second = new TestClient(m_hub->port());
    m_clients.append(second);
    second->connectToHub();
    second->hello(QStringLiteral("carol"), QStringLiteral("tablet"), carolToken);
    second->join(QStringLiteral("general"));
    QCOMPARE(second->count(QStringLiteral("dm")), 0);
}

void TestHubHistory::dmToUnknownNameRefused()
{
    start(false);
    TestClient *alice = member(QStringLiteral("alice"));
    alice->send(frame(QStringLiteral("dm"), {{QStringLiteral("to"), QStringLiteral("nobody")},
                                             {QStringLiteral("text"), QStringLiteral("hello?")},
                                             {QStringLiteral("cid"), QStringLiteral("d1")}}));
    const QJsonObject error = alice->waitFor(QStringLiteral("error"));
    QCOMPARE(str(error, "code"), QStringLiteral("no_such_user"));
    QCOMPARE(str(error, "ref"), QStringLiteral("d1"));
}

void TestHubHistory::nameStaysClaimedAfterLastDeviceLeaves()
{
    start(false);
    TestClient *alice = member(QStringLiteral("alice"));
    const QString token = alice->token;
    alice->socket().close();
    QVERIFY(alice->waitForDisconnected());
    QTRY_COMPARE(m_hub->snapshot().result().totals.users, 0);

    auto *impostor = new TestClient(m_hub->port());
    m_clients.append(impostor);
    impostor->connectToHub();
    QVERIFY(impostor->hello(QStringLiteral("Alice")).isEmpty());
    QCOMPARE(str(impostor->waitFor(QStringLiteral("error")), "code"), QStringLiteral("name_taken"));

    TestClient *back = member(QStringLiteral("alice"), token);
    QCOMPARE(back->token, token);
}

void TestHubHistory::restartKeepsRoomsHistoryClaimsAndModeration()
{
    start(true);
    QVERIFY(result(m_hub->createRoom(QStringLiteral("lab"), QStringLiteral("Room 4"))).ok);
    QVERIFY(result(m_hub->deleteRoom(QStringLiteral("random"))).ok);
    RoomSettingsChange change;
    change.slowModeS = 5;
    change.maxMembers = 40;
    change.password = QStringLiteral("pw");
    QVERIFY(result(m_hub->setRoomSettings(QStringLiteral("lab"), change)).ok);
    TestClient *alice = member(QStringLiteral("alice"));
    const QString token = alice->token;
    const QString epoch = str(alice->join(QStringLiteral("general")), "epoch");
    alice->send(
        frame(QStringLiteral("status"), {{QStringLiteral("status"), QStringLiteral("busy")}}));
    post(alice, 4);
    QVERIFY(result(m_hub->ban({false, QStringLiteral("mallory"), QStringLiteral("spam"), 0})).ok);
    QVERIFY(result(m_hub->mute({QStringLiteral("alice"), QStringLiteral("general"), {}, 3600})).ok);

    start(true);
    const HubSnapshot snapshot = result(m_hub->snapshot());
    QStringList rooms;
    for (const RoomInfo &room : snapshot.rooms) {
        rooms.append(room.name);
        if (room.name == QLatin1String("lab")) {
            QCOMPARE(room.topic, QStringLiteral("Room 4"));
            QCOMPARE(room.slowModeS, 5);
            QCOMPARE(room.maxMembers, 40);
            QVERIFY(room.hasPassword);
        }
        if (room.name == QLatin1String("general")) {
            QCOMPARE(room.lastSeq, quint64(4));
            QCOMPARE(room.epoch, epoch);
        }
    }
    rooms.sort();
    QCOMPARE(rooms, (QStringList {QStringLiteral("general"),
                                  QStringLiteral("lab")})); // random stays deleted
    QCOMPARE(snapshot.bans.size(), 1);
    QCOMPARE(snapshot.mutes.size(), 1);
    QVERIFY(snapshot.persistent);
    QVERIFY(snapshot.storage.endsWith(QStringLiteral("confab.db")));
    QCOMPARE(result(m_hub->audit({})).size(), 5); // room create, room delete, settings, ban, mute

    // The claim, status and history survive; seqs continue.
    auto *back = new TestClient(m_hub->port());
    m_clients.append(back);
    back->connectToHub();
    const QJsonObject welcome = back->hello(QStringLiteral("alice"), {}, token);
    QCOMPARE(str(welcome, "status"), QStringLiteral("busy"));
    const QJsonObject joined = back->join(QStringLiteral("general"));
    QCOMPARE(str(joined, "epoch"), epoch);
    QCOMPARE(joined.value(QStringLiteral("seq")).toInt(), 4);

    QVERIFY(result(m_hub->unmute(QStringLiteral("alice"), QStringLiteral("general"))).ok);
    back->send(frame(QStringLiteral("say"), {{QStringLiteral("room"), QStringLiteral("general")},
                                             {QStringLiteral("text"), QStringLiteral("after")},
                                             {QStringLiteral("cid"), QStringLiteral("x")}}));
    QCOMPARE(back->waitFor(QStringLiteral("ack")).value(QStringLiteral("seq")).toInt(), 5);

    auto *impostor = new TestClient(m_hub->port());
    m_clients.append(impostor);
    impostor->connectToHub();
    QVERIFY(impostor->hello(QStringLiteral("alice")).isEmpty());
    QCOMPARE(str(impostor->waitFor(QStringLiteral("error")), "code"), QStringLiteral("name_taken"));
}

void TestHubHistory::recreatedRoomHasNewEpoch()
{
    start(true);
    TestClient *alice = member(QStringLiteral("alice"));
    const QString epoch = str(alice->join(QStringLiteral("general")), "epoch");
    post(alice, 3);

    QVERIFY(result(m_hub->deleteRoom(QStringLiteral("general"))).ok);
    QVERIFY(result(m_hub->createRoom(QStringLiteral("general"))).ok);
    const QJsonObject joined = alice->join(QStringLiteral("general"));
    QVERIFY(str(joined, "epoch") != epoch);
    QCOMPARE(joined.value(QStringLiteral("seq")).toInt(), 0);
    alice->send(frame(QStringLiteral("join"),
                      {{QStringLiteral("room"), QStringLiteral("general")},
                       {QStringLiteral("since"), QJsonObject {{QStringLiteral("seq"), 3},
                                                              {QStringLiteral("epoch"), epoch}}}}));
    const QJsonObject recovery = alice->waitFor(QStringLiteral("recovery"));
    QVERIFY(!recovery.value(QStringLiteral("ok")).toBool());
    QCOMPARE(str(recovery, "reason"), QStringLiteral("epoch_changed"));
}

void TestHubHistory::newerDatabaseRefused()
{
    start(true);
    m_hub.reset();

    // A later Confab's database: a schema version beyond this one's.
    {
        QSqlDatabase db =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("newer"));
        db.setDatabaseName(m_dataDir->filePath(QStringLiteral("confab.db")));
        QVERIFY(db.open());
        QSqlQuery(db).exec(QStringLiteral("PRAGMA user_version = 99"));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("newer"));

    HubConfig config = testHubConfig();
    config.dataDir = m_dataDir->path();
    m_hub = std::make_unique<HubService>();
    QVERIFY(!m_hub->start(config));
    QVERIFY2(m_hub->errorString().contains(QStringLiteral("newer Confab")),
             qPrintable(m_hub->errorString()));
}

QTEST_GUILESS_MAIN(TestHubHistory)
#include "tst_hubhistory.moc"
