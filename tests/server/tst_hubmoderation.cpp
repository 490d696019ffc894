// Bans, mutes, slow mode, room settings, deleted messages and the audit log, against a real
// hub with real QWebSocket clients. Each rule is checked from the client's side: the frame it
// gets, the code it is closed with, and that everyone else carries on.
#include <memory>

#include <QTest>

#include "hubservice.h"
#include "testclient.h"

namespace {

QString str(const QJsonObject &f, const char *key)
{
    return f.value(QLatin1String(key)).toString();
}

QJsonObject say(const QString &room, const QString &text, const QString &cid)
{
    return frame(QStringLiteral("say"), {{QStringLiteral("room"), room},
                                         {QStringLiteral("text"), text},
                                         {QStringLiteral("cid"), cid}});
}

// The error answering cid, or the ack; whichever comes.
QJsonObject answerTo(TestClient *client, const QString &cid)
{
    QJsonObject answer;
    (void)QTest::qWaitFor(
        [&] {
            for (const QString &type : {QStringLiteral("ack"), QStringLiteral("error")}) {
                answer = client->waitFor(type, 0, [&](const QJsonObject &f) {
                    return f.value(QStringLiteral("cid")).toString() == cid
                           || f.value(QStringLiteral("ref")).toString() == cid;
                });
                if (!answer.isEmpty())
                    return true;
            }
            return false;
        },
        5000);
    return answer;
}

template<typename T>
T result(QFuture<T> future)
{
    future.waitForFinished();
    return future.result();
}

} // namespace

class TestHubModeration : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void banOfUserOnTwoDevicesClosesBothAndRefusesReconnect();
    void banOfAddressRefusesBeforeHello();
    void timedBanEndsByItself();
    void liftedBanLetsBackIn();
    void muteRules_data();
    void muteRules();
    void muteNoticeAndUnmute();
    void slowMode();
    void roomSettingsRules_data();
    void roomSettingsRules();
    void memberKeepsJoiningLockedRoomOnAnotherDevice();
    void deletedMessageBecomesTombstone();
    void auditEntriesFieldByField();
    void badOperatorInputRefused_data();
    void badOperatorInputRefused();

private:
    TestClient *connected();
    TestClient *member(const QString &user, const QString &device = {}, const QString &token = {});

    std::unique_ptr<HubService> m_hub;
    QList<TestClient *> m_clients;
};

void TestHubModeration::init()
{
    HubConfig config = testHubConfig();
    config.rooms = {QStringLiteral("general"), QStringLiteral("random")};
    m_hub = std::make_unique<HubService>();
    QVERIFY2(m_hub->start(config), qPrintable(m_hub->errorString()));
}

void TestHubModeration::cleanup()
{
    qDeleteAll(m_clients);
    m_clients.clear();
    m_hub.reset();
}

TestClient *TestHubModeration::connected()
{
    auto *c = new TestClient(m_hub->port());
    m_clients.append(c);
    c->connectToHub();
    return c;
}

TestClient *TestHubModeration::member(const QString &user, const QString &device,
                                      const QString &token)
{
    TestClient *c = connected();
    c->hello(user, device, token);
    c->join(QStringLiteral("general"));
    return c;
}

void TestHubModeration::banOfUserOnTwoDevicesClosesBothAndRefusesReconnect()
{
    TestClient *phone = member(QStringLiteral("mallory"), QStringLiteral("phone"));
    TestClient *laptop = member(QStringLiteral("mallory"), QStringLiteral("laptop"), phone->token);
    TestClient *bob = member(QStringLiteral("bob"));

    const OperatorResult banned =
        result(m_hub->ban({false, QStringLiteral("Mallory"), QStringLiteral("spamming"), 0}));
    QVERIFY2(banned.ok, qPrintable(banned.message));
    QCOMPARE(banned.affected, 2);
    QCOMPARE(banned.message, QStringLiteral("closed 2 connections in 1 room"));

    for (TestClient *device : {phone, laptop}) {
        const QJsonObject error = device->waitFor(QStringLiteral("error"));
        QCOMPARE(str(error, "code"), QStringLiteral("banned"));
        QVERIFY(str(error, "message").contains(QStringLiteral("spamming")));
        QVERIFY(error.contains(QStringLiteral("until")));
        QVERIFY(error.value(QStringLiteral("until")).isNull()); // permanent
        QVERIFY(device->waitForDisconnected());
        QCOMPARE(device->closeCode(), 4013);
    }

    // Coming back, even with the token, is refused the same way.
    TestClient *again = connected();
    QVERIFY(
        again->hello(QStringLiteral("mallory"), QStringLiteral("phone"), phone->token).isEmpty());
    QCOMPARE(str(again->waitFor(QStringLiteral("error")), "code"), QStringLiteral("banned"));
    QVERIFY(again->waitForDisconnected());
    QCOMPARE(again->closeCode(), 4013);

    // Everyone else carries on.
    bob->send(say(QStringLiteral("general"), QStringLiteral("still here"), QStringLiteral("b1")));
    QCOMPARE(str(answerTo(bob, QStringLiteral("b1")), "type"), QStringLiteral("ack"));
    const QList<BanInfo> bans = m_hub->snapshot().result().bans;
    QCOMPARE(bans.size(), 1);
    QCOMPARE(bans.first().target, QStringLiteral("mallory"));
    QVERIFY(!bans.first().until.isValid());
}

void TestHubModeration::banOfAddressRefusesBeforeHello()
{
    TestClient *alice = member(QStringLiteral("alice"));
    TestClient *waiting = connected(); // no hello yet: an address ban covers it too

    const OperatorResult banned =
        result(m_hub->ban({true, QStringLiteral("127.0.0.1"), QStringLiteral("lab PC"), 3600}));
    QVERIFY2(banned.ok, qPrintable(banned.message));
    QCOMPARE(banned.affected, 2);
    for (TestClient *client : {alice, waiting}) {
        const QJsonObject error = client->waitFor(QStringLiteral("error"));
        QCOMPARE(str(error, "code"), QStringLiteral("banned"));
        const QDateTime until = QDateTime::fromString(str(error, "until"), Qt::ISODateWithMs);
        QVERIFY(until > QDateTime::currentDateTimeUtc().addSecs(3500));
        QVERIFY(client->waitForDisconnected());
        QCOMPARE(client->closeCode(), 4013);
    }

    // A new connection is told at once, without sending anything.
    TestClient *fresh = connected();
    QCOMPARE(str(fresh->waitFor(QStringLiteral("error")), "code"), QStringLiteral("banned"));
    QVERIFY(fresh->waitForDisconnected());
    QCOMPARE(fresh->closeCode(), 4013);
}

void TestHubModeration::timedBanEndsByItself()
{
    QVERIFY(result(m_hub->ban({false, QStringLiteral("carol"), {}, 1})).ok);
    TestClient *early = connected();
    QVERIFY(early->hello(QStringLiteral("carol")).isEmpty());
    QCOMPARE(str(early->waitFor(QStringLiteral("error")), "code"), QStringLiteral("banned"));
    QVERIFY(early->waitForDisconnected());
    QCOMPARE(early->closeCode(), 4013);

    QTRY_VERIFY_WITH_TIMEOUT(m_hub->snapshot().result().bans.isEmpty(), 5000);
    TestClient *later = connected();
    QVERIFY(!later->hello(QStringLiteral("carol")).isEmpty());
}

void TestHubModeration::liftedBanLetsBackIn()
{
    QVERIFY(result(m_hub->ban({false, QStringLiteral("dave"), {}, 0})).ok);
    const OperatorResult lifted = result(m_hub->unbanTarget(false, QStringLiteral("DAVE")));
    QVERIFY2(lifted.ok, qPrintable(lifted.message));
    QVERIFY(m_hub->snapshot().result().bans.isEmpty());

    TestClient *dave = connected();
    QVERIFY(!dave->hello(QStringLiteral("dave")).isEmpty());
    QCOMPARE(result(m_hub->unbanTarget(false, QStringLiteral("dave"))).error,
             QStringLiteral("no_such_ban"));
}

void TestHubModeration::muteRules_data()
{
    QTest::addColumn<QString>("muteRoom"); // empty: hub-wide
    QTest::addColumn<QString>("action"); // say-general, say-random, dm, multicast, typing
    QTest::addColumn<QString>("expect"); // muted, ack, silent

    QTest::addRow("room mute, say there") << "general"
                                          << "say-general"
                                          << "muted";
    QTest::addRow("room mute, say elsewhere") << "general"
                                              << "say-random"
                                              << "ack";
    QTest::addRow("room mute, dm") << "general"
                                   << "dm"
                                   << "ack";
    QTest::addRow("room mute, typing there") << "general"
                                             << "typing"
                                             << "silent";
    QTest::addRow("hub mute, say") << ""
                                   << "say-random"
                                   << "muted";
    QTest::addRow("hub mute, dm") << ""
                                  << "dm"
                                  << "muted";
    QTest::addRow("hub mute, multicast") << ""
                                         << "multicast"
                                         << "muted";
    QTest::addRow("hub mute, typing") << ""
                                      << "typing"
                                      << "silent";
}

void TestHubModeration::muteRules()
{
    QFETCH(QString, muteRoom);
    QFETCH(QString, action);
    QFETCH(QString, expect);

    TestClient *eve = member(QStringLiteral("eve"));
    eve->join(QStringLiteral("random"));
    TestClient *bob = member(QStringLiteral("bob"));
    bob->join(QStringLiteral("random"));
    QVERIFY(result(m_hub->mute({QStringLiteral("eve"), muteRoom, QStringLiteral("calm down"), 600}))
                .ok);
    QVERIFY(!eve->waitFor(QStringLiteral("muted")).isEmpty());

    const QString cid = QStringLiteral("c-") + action;
    if (action == QLatin1String("say-general"))
        eve->send(say(QStringLiteral("general"), QStringLiteral("hi"), cid));
    else if (action == QLatin1String("say-random"))
        eve->send(say(QStringLiteral("random"), QStringLiteral("hi"), cid));
    else if (action == QLatin1String("dm"))
        eve->send(frame(QStringLiteral("dm"), {{QStringLiteral("to"), QStringLiteral("bob")},
                                               {QStringLiteral("text"), QStringLiteral("hi")},
                                               {QStringLiteral("cid"), cid}}));
    else if (action == QLatin1String("multicast"))
        eve->send(frame(QStringLiteral("multicast"),
                        {{QStringLiteral("to"), QJsonArray {QStringLiteral("bob")}},
                         {QStringLiteral("text"), QStringLiteral("hi")},
                         {QStringLiteral("cid"), cid}}));
    else
        eve->send(
            frame(QStringLiteral("typing"), {{QStringLiteral("room"), QStringLiteral("general")}}));

    if (expect == QLatin1String("silent")) {
        // A say after the typing frame is answered after it: nothing came for the typing.
        eve->send(frame(QStringLiteral("rooms")));
        QVERIFY(!eve->waitFor(QStringLiteral("rooms")).isEmpty());
        QCOMPARE(eve->count(QStringLiteral("error")), 0);
        QCOMPARE(bob->count(QStringLiteral("typing")), 0);
        return;
    }

    const QJsonObject answer = answerTo(eve, cid);
    if (expect == QLatin1String("ack")) {
        QCOMPARE(str(answer, "type"), QStringLiteral("ack"));
        return;
    }
    QCOMPARE(str(answer, "type"), QStringLiteral("error"));
    QCOMPARE(str(answer, "code"), QStringLiteral("muted"));
    const QDateTime until = QDateTime::fromString(str(answer, "until"), Qt::ISODateWithMs);
    QVERIFY(until > QDateTime::currentDateTimeUtc().addSecs(500));
    QCOMPARE(bob->count(QStringLiteral("message")) + bob->count(QStringLiteral("dm"))
                 + bob->count(QStringLiteral("multicast")),
             0);
}

void TestHubModeration::muteNoticeAndUnmute()
{
    TestClient *eve = member(QStringLiteral("eve"));
    QVERIFY(result(m_hub->mute({QStringLiteral("eve"), QStringLiteral("general"),
                                QStringLiteral("flooding"), 0}))
                .ok);
    const QJsonObject muted = eve->waitFor(QStringLiteral("muted"));
    QCOMPARE(str(muted, "room"), QStringLiteral("general"));
    QCOMPARE(str(muted, "reason"), QStringLiteral("flooding"));
    QCOMPARE(str(muted, "by"), QStringLiteral("operator"));
    QVERIFY(muted.value(QStringLiteral("until")).isNull());
    QCOMPARE(m_hub->snapshot().result().mutes.size(), 1);

    QVERIFY(result(m_hub->unmute(QStringLiteral("eve"), QStringLiteral("general"))).ok);
    QCOMPARE(str(eve->waitFor(QStringLiteral("unmuted")), "room"), QStringLiteral("general"));
    eve->send(say(QStringLiteral("general"), QStringLiteral("back"), QStringLiteral("e1")));
    QCOMPARE(str(answerTo(eve, QStringLiteral("e1")), "type"), QStringLiteral("ack"));
    QCOMPARE(result(m_hub->unmute(QStringLiteral("eve"), QStringLiteral("general"))).error,
             QStringLiteral("no_such_mute"));
}

void TestHubModeration::slowMode()
{
    TestClient *alice = member(QStringLiteral("alice"));
    alice->join(QStringLiteral("random"));
    TestClient *bob = member(QStringLiteral("bob"));
    RoomSettingsChange change;
    change.slowModeS = 30;
    QVERIFY(result(m_hub->setRoomSettings(QStringLiteral("general"), change)).ok);
    const QJsonObject notice = alice->waitFor(QStringLiteral("room_settings"));
    QCOMPARE(notice.value(QStringLiteral("settings"))
                 .toObject()
                 .value(QStringLiteral("slow_mode_s"))
                 .toInt(),
             30);

    alice->send(say(QStringLiteral("general"), QStringLiteral("one"), QStringLiteral("a1")));
    QCOMPARE(str(answerTo(alice, QStringLiteral("a1")), "type"), QStringLiteral("ack"));
    alice->send(say(QStringLiteral("general"), QStringLiteral("two"), QStringLiteral("a2")));
    const QJsonObject refused = answerTo(alice, QStringLiteral("a2"));
    QCOMPARE(str(refused, "code"), QStringLiteral("slow_mode"));
    const int retry = refused.value(QStringLiteral("retry_after_s")).toInt();
    QVERIFY2(retry >= 1 && retry <= 30, qPrintable(QString::number(retry)));

    // Per user and per room: bob may speak, and alice may elsewhere.
    bob->send(say(QStringLiteral("general"), QStringLiteral("mine"), QStringLiteral("b1")));
    QCOMPARE(str(answerTo(bob, QStringLiteral("b1")), "type"), QStringLiteral("ack"));
    alice->send(say(QStringLiteral("random"), QStringLiteral("there"), QStringLiteral("a3")));
    QCOMPARE(str(answerTo(alice, QStringLiteral("a3")), "type"), QStringLiteral("ack"));

    // Off again: at once.
    change.slowModeS = 0;
    QVERIFY(result(m_hub->setRoomSettings(QStringLiteral("general"), change)).ok);
    alice->send(say(QStringLiteral("general"), QStringLiteral("three"), QStringLiteral("a4")));
    QCOMPARE(str(answerTo(alice, QStringLiteral("a4")), "type"), QStringLiteral("ack"));
}

void TestHubModeration::roomSettingsRules_data()
{
    QTest::addColumn<int>("maxMembers");
    QTest::addColumn<bool>("locked");
    QTest::addColumn<QString>("password"); // the room's; empty: none
    QTest::addColumn<QString>("given"); // in join; "-" for none
    QTest::addColumn<QString>("expect"); // joined or an error code

    QTest::addRow("full") << 1 << false << ""
                          << "-"
                          << "room_full";
    QTest::addRow("room for two") << 2 << false << ""
                                  << "-"
                                  << "joined";
    QTest::addRow("locked") << 0 << true << ""
                            << "-"
                            << "room_locked";
    QTest::addRow("password missing") << 0 << false << "s3cret"
                                      << "-"
                                      << "bad_room_password";
    QTest::addRow("password wrong") << 0 << false << "s3cret"
                                    << "S3CRET"
                                    << "bad_room_password";
    QTest::addRow("password right") << 0 << false << "s3cret"
                                    << "s3cret"
                                    << "joined";
    QTest::addRow("locked beats password") << 0 << true << "s3cret"
                                           << "s3cret"
                                           << "room_locked";
}

void TestHubModeration::roomSettingsRules()
{
    QFETCH(int, maxMembers);
    QFETCH(bool, locked);
    QFETCH(QString, password);
    QFETCH(QString, given);
    QFETCH(QString, expect);

    TestClient *first = member(QStringLiteral("first")); // already in general
    RoomSettingsChange change;
    change.maxMembers = maxMembers;
    change.locked = locked;
    change.password = password;
    QVERIFY(result(m_hub->setRoomSettings(QStringLiteral("general"), change)).ok);
    const QJsonObject settings = first->waitFor(QStringLiteral("room_settings"))
                                     .value(QStringLiteral("settings"))
                                     .toObject();
    QCOMPARE(settings.value(QStringLiteral("password")).toBool(), !password.isEmpty());
    QCOMPARE(settings.value(QStringLiteral("locked")).toBool(), locked);

    TestClient *second = connected();
    second->hello(QStringLiteral("second"));
    QJsonObject join {{QStringLiteral("room"), QStringLiteral("general")}};
    if (given != QLatin1String("-"))
        join.insert(QStringLiteral("password"), given);
    second->send(frame(QStringLiteral("join"), join));

    if (expect == QLatin1String("joined")) {
        const QJsonObject joined = second->waitFor(QStringLiteral("joined"));
        QCOMPARE(joined.value(QStringLiteral("count")).toInt(), 2);
        return;
    }
    const QJsonObject error = second->waitFor(QStringLiteral("error"));
    QCOMPARE(str(error, "code"), expect);
    QCOMPARE(str(error, "ref"), QStringLiteral("join"));
    QVERIFY(!str(error, "message").isEmpty());
    QCOMPARE(m_hub->snapshot().result().rooms.size(), 2);
    for (const RoomInfo &room : m_hub->snapshot().result().rooms) {
        if (room.name == QLatin1String("general"))
            QCOMPARE(room.members, QStringList {QStringLiteral("first")});
    }
}

void TestHubModeration::memberKeepsJoiningLockedRoomOnAnotherDevice()
{
    TestClient *phone = member(QStringLiteral("alice"), QStringLiteral("phone"));
    RoomSettingsChange change;
    change.locked = true;
    change.maxMembers = 1;
    QVERIFY(result(m_hub->setRoomSettings(QStringLiteral("general"), change)).ok);

    TestClient *laptop = connected();
    laptop->hello(QStringLiteral("alice"), QStringLiteral("laptop"), phone->token);
    QVERIFY(!laptop->join(QStringLiteral("general")).isEmpty());
}

void TestHubModeration::deletedMessageBecomesTombstone()
{
    TestClient *alice = member(QStringLiteral("alice"));
    TestClient *bob = member(QStringLiteral("bob"));
    for (int i = 1; i <= 3; ++i) {
        const QString cid = QStringLiteral("m%1").arg(i);
        alice->send(say(QStringLiteral("general"), QStringLiteral("text %1").arg(i), cid));
        QCOMPARE(str(answerTo(alice, cid), "type"), QStringLiteral("ack"));
    }

    const OperatorResult deleted =
        result(m_hub->deleteMessage(QStringLiteral("general"), 2, QStringLiteral("rude")));
    QVERIFY2(deleted.ok, qPrintable(deleted.message));
    const QJsonObject notice = bob->waitFor(QStringLiteral("deleted"));
    QCOMPARE(str(notice, "room"), QStringLiteral("general"));
    QCOMPARE(notice.value(QStringLiteral("seq")).toInt(), 2);

    bob->send(
        frame(QStringLiteral("history"), {{QStringLiteral("room"), QStringLiteral("general")}}));
    const QJsonArray messages =
        bob->waitFor(QStringLiteral("history")).value(QStringLiteral("messages")).toArray();
    QCOMPARE(messages.size(), 3);
    const QJsonObject tombstone = messages.at(1).toObject();
    QCOMPARE(tombstone.value(QStringLiteral("seq")).toInt(), 2);
    QVERIFY(tombstone.value(QStringLiteral("deleted")).toBool());
    QVERIFY(!tombstone.contains(QStringLiteral("text")));
    QVERIFY(!tombstone.contains(QStringLiteral("from")));
    QCOMPARE(str(messages.at(2).toObject(), "text"), QStringLiteral("text 3"));

    const HistoryPage page = result(m_hub->history(QStringLiteral("general"), 0, 0, 10));
    QVERIFY(page.messages.at(1).deleted);
    QCOMPARE(result(m_hub->deleteMessage(QStringLiteral("general"), 9)).error,
             QStringLiteral("no_such_message"));
    QCOMPARE(result(m_hub->deleteMessage(QStringLiteral("general"), 2)).error,
             QStringLiteral("no_such_message")); // a tombstone cannot be deleted again
    QCOMPARE(bob->count(QStringLiteral("deleted")), 0);
}

void TestHubModeration::auditEntriesFieldByField()
{
    TestClient *phone = member(QStringLiteral("mallory"), QStringLiteral("phone"));
    TestClient *laptop = member(QStringLiteral("mallory"), QStringLiteral("laptop"), phone->token);
    laptop->join(QStringLiteral("random"));
    const quint64 phoneId = phone->connectionId;
    const quint64 laptopId = laptop->connectionId;

    const QDateTime before = QDateTime::currentDateTimeUtc();
    QVERIFY(result(m_hub->ban({false, QStringLiteral("mallory"), QStringLiteral("spam"), 7200},
                              QStringLiteral("ann")))
                .ok);
    QVERIFY(result(m_hub->unbanTarget(false, QStringLiteral("mallory"), QStringLiteral("ben"))).ok);
    RoomSettingsChange change;
    change.slowModeS = 10;
    QVERIFY(
        result(m_hub->setRoomSettings(QStringLiteral("random"), change, QStringLiteral("ann"))).ok);

    const QList<AuditEntry> entries = result(m_hub->audit({}));
    QCOMPARE(entries.size(), 3); // newest first
    const AuditEntry &ban = entries.at(2);
    QCOMPARE(ban.action, QStringLiteral("ban"));
    QCOMPARE(ban.actor, QStringLiteral("ann"));
    QCOMPARE(ban.target, QStringLiteral("mallory"));
    QCOMPARE(ban.reason, QStringLiteral("spam"));
    QCOMPARE(ban.detail, QStringLiteral("closed 2 connections in 2 rooms"));
    QList<quint64> ids = ban.connections;
    std::sort(ids.begin(), ids.end());
    QCOMPARE(ids, (QList<quint64> {qMin(phoneId, laptopId), qMax(phoneId, laptopId)}));
    QVERIFY(ban.ts >= before.addSecs(-1) && ban.ts <= QDateTime::currentDateTimeUtc());
    QVERIFY(qAbs(ban.until.secsTo(before.addSecs(7200))) <= 5);

    QCOMPARE(entries.at(1).action, QStringLiteral("unban"));
    QCOMPARE(entries.at(1).actor, QStringLiteral("ben"));
    QCOMPARE(entries.at(1).target, QStringLiteral("mallory"));
    QCOMPARE(entries.at(0).action, QStringLiteral("room_settings"));
    QCOMPARE(entries.at(0).room, QStringLiteral("random"));
    QCOMPARE(entries.at(0).detail, QStringLiteral("slow mode 10 s"));

    AuditFilter byBen;
    byBen.actor = QStringLiteral("BEN");
    QCOMPARE(result(m_hub->audit(byBen)).size(), 1);
    AuditFilter bans;
    bans.action = QStringLiteral("ban");
    QCOMPARE(result(m_hub->audit(bans)).size(), 1);
}

void TestHubModeration::badOperatorInputRefused_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("code");

    QTest::addRow("ban a bad address") << "ban-ip:300.1.1.1"
                                       << "bad_field";
    QTest::addRow("ban a bad name") << "ban: bad name "
                                    << "bad_name";
    QTest::addRow("mute a stranger") << "mute:nobody"
                                     << "no_such_user";
    QTest::addRow("slow mode past a day") << "slow:100000"
                                          << "bad_field";
    QTest::addRow("negative max members") << "max:-1"
                                          << "bad_field";
    QTest::addRow("unban an unknown id") << "unban:999"
                                         << "no_such_ban";
    QTest::addRow("room settings with nothing set") << "settings:"
                                                    << "missing_field";
}

void TestHubModeration::badOperatorInputRefused()
{
    QFETCH(QString, command);
    QFETCH(QString, code);

    TestClient *bob = member(QStringLiteral("bob"));
    const QString verb = command.section(QLatin1Char(':'), 0, 0);
    const QString arg = command.section(QLatin1Char(':'), 1);
    OperatorResult outcome;
    RoomSettingsChange change;
    if (verb == QLatin1String("ban-ip"))
        outcome = result(m_hub->ban({true, arg, {}, 0}));
    else if (verb == QLatin1String("ban"))
        outcome = result(m_hub->ban({false, arg, {}, 0}));
    else if (verb == QLatin1String("mute"))
        outcome = result(m_hub->mute({arg, {}, {}, 0}));
    else if (verb == QLatin1String("slow")) {
        change.slowModeS = arg.toInt();
        outcome = result(m_hub->setRoomSettings(QStringLiteral("general"), change));
    } else if (verb == QLatin1String("settings")) {
        outcome = result(m_hub->setRoomSettings(QStringLiteral("general"), change));
    } else if (verb == QLatin1String("max")) {
        change.maxMembers = arg.toInt();
        outcome = result(m_hub->setRoomSettings(QStringLiteral("general"), change));
    } else {
        outcome = result(m_hub->unban(arg.toLongLong()));
    }
    QVERIFY(!outcome.ok);
    QCOMPARE(outcome.error, code);
    QVERIFY(!outcome.message.isEmpty());

    // Nothing happened to anyone.
    bob->send(say(QStringLiteral("general"), QStringLiteral("fine"), QStringLiteral("b1")));
    QCOMPARE(str(answerTo(bob, QStringLiteral("b1")), "type"), QStringLiteral("ack"));
    QVERIFY(m_hub->snapshot().result().bans.isEmpty());
    QVERIFY(result(m_hub->audit({})).isEmpty());
}

QTEST_GUILESS_MAIN(TestHubModeration)
#include "tst_hubmoderation.moc"
