// The console's moderation models (bans, mutes, audit log, history) and the CSV writer, fed from
// a real hub's snapshots, audit log and history, each under QAbstractItemModelTester.
#include <memory>

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include "auditmodel.h"
#include "bansmodel.h"
#include "csv.h"
#include "historymodel.h"
#include "hubservice.h"
#include "modelformat.h"
#include "moderationimpact.h"
#include "mutesmodel.h"
#include "testclient.h"

namespace {

using Tester = QAbstractItemModelTester;
constexpr auto Fatal = QAbstractItemModelTester::FailureReportingMode::Fatal;

QString shown(const QAbstractItemModel &model, int row, int column)
{
    return model.data(model.index(row, column)).toString();
}

QJsonObject say(const QString &room, const QString &text)
{
    return frame(QStringLiteral("say"),
                 {{QStringLiteral("room"), room}, {QStringLiteral("text"), text}});
}

BanRequest banOf(bool address, const QString &target, qint64 durationS, const QString &reason)
{
    BanRequest request;
    request.address = address;
    request.target = target;
    request.durationS = durationS;
    request.reason = reason;
    return request;
}

} // namespace

class TestModerationModels : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void bansFollowTheHub();
    void mutesFollowTheHub();
    void auditFromTheHub();
    void historyPagesBack();
    void impactFromSnapshot();
    void csvField_data();
    void csvField();
    void csvAuditLog();
    void timeLeft_data();
    void timeLeft();

private:
    TestClient *connectClient(const QString &user, const QString &token = {});
    HubSnapshot snapshot() { return m_hub->snapshot().result(); }

    std::unique_ptr<HubService> m_hub;
    QList<TestClient *> m_clients;
};

void TestModerationModels::init()
{
    HubConfig config = testHubConfig();
    config.rooms = {QStringLiteral("general"), QStringLiteral("random")};
    config.operatorName = QStringLiteral("Front Desk");
    m_hub = std::make_unique<HubService>();
    QVERIFY2(m_hub->start(config), qPrintable(m_hub->errorString()));
}

void TestModerationModels::cleanup()
{
    qDeleteAll(m_clients);
    m_clients.clear();
    m_hub->stop();
    m_hub.reset();
}

TestClient *TestModerationModels::connectClient(const QString &user, const QString &token)
{
    auto *client = new TestClient(m_hub->port());
    m_clients.append(client);
    if (client->connectToHub())
        client->hello(user, {}, token);
    return client;
}

void TestModerationModels::bansFollowTheHub()
{
    BansModel model;
    Tester tester(&model, Fatal);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);

    QVERIFY(m_hub->ban(banOf(false, QStringLiteral("mallory"), 600, QStringLiteral("spam")))
                .result()
                .ok);
    model.setSnapshot(snapshot());
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(shown(model, 0, BansModel::Target), QStringLiteral("mallory"));
    QCOMPARE(shown(model, 0, BansModel::Kind), QStringLiteral("name"));
    QCOMPARE(shown(model, 0, BansModel::TimeLeft), QStringLiteral("10 min"));
    QCOMPARE(shown(model, 0, BansModel::Issuer), QStringLiteral("Front Desk"));
    QCOMPARE(shown(model, 0, BansModel::Reason), QStringLiteral("spam"));

    QVERIFY(m_hub->ban(banOf(true, QStringLiteral("10.1.2.3"), 0, {})).result().ok);
    model.setSnapshot(snapshot());
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(inserted.size(), 1); // the first fill is a reset, the second ban one insertion
    const int address = model.index(0, 0).data(BansModel::IsAddressRole).toBool() ? 0 : 1;
    QCOMPARE(shown(model, address, BansModel::Kind), QStringLiteral("IP address"));
    QCOMPARE(shown(model, address, BansModel::Until), QStringLiteral("permanent"));
    QCOMPARE(shown(model, address, BansModel::TimeLeft), QString());

    const qint64 id = model.banAt(1 - address).id;
    QVERIFY(m_hub->unban(id).result().ok);
    model.setSnapshot(snapshot());
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(removed.size(), 1);
    QCOMPARE(model.rowOfBan(id), -1);
    QCOMPARE(shown(model, 0, BansModel::Target), QStringLiteral("10.1.2.3"));
}

void TestModerationModels::mutesFollowTheHub()
{
    TestClient *alice = connectClient(QStringLiteral("alice"));
    QVERIFY(!alice->join(QStringLiteral("general")).isEmpty());
    MutesModel model;
    Tester tester(&model, Fatal);

    MuteRequest request;
    request.user = QStringLiteral("alice");
    request.room = QStringLiteral("general");
    request.durationS = 3600;
    QVERIFY(m_hub->mute(request).result().ok);
    request.room.clear();
    request.durationS = 0;
    QVERIFY(m_hub->mute(request).result().ok);
    QVERIFY(!alice->waitFor(QStringLiteral("muted")).isEmpty());

    model.setSnapshot(snapshot());
    QCOMPARE(model.rowCount(), 2);
    const int hubWide = model.muteAt(0).room.isEmpty() ? 0 : 1;
    QCOMPARE(shown(model, hubWide, MutesModel::Room), QStringLiteral("hub-wide"));
    QCOMPARE(shown(model, hubWide, MutesModel::Until), QStringLiteral("permanent"));
    QCOMPARE(shown(model, 1 - hubWide, MutesModel::Room), QStringLiteral("general"));
    QCOMPARE(shown(model, 1 - hubWide, MutesModel::TimeLeft), QStringLiteral("1 h"));

    QVERIFY(m_hub->unmute(QStringLiteral("alice"), QStringLiteral("general")).result().ok);
    model.setSnapshot(snapshot());
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.muteAt(0).room, QString());
}

void TestModerationModels::auditFromTheHub()
{
    TestClient *bob = connectClient(QStringLiteral("bob"));
    QVERIFY(bob->connectionId != 0);
    QVERIFY(m_hub->ban(banOf(false, QStringLiteral("bob"), 0, QStringLiteral("rude"))).result().ok);
    QVERIFY(m_hub->setTopic(QStringLiteral("general"), QStringLiteral("be kind")).result().ok);

    AuditModel model;
    Tester tester(&model, Fatal);
    AuditFilter filter;
    model.setEntries(m_hub->audit(filter).result());
    QVERIFY(model.rowCount() >= 2);
    int ban = -1;
    for (int row = 0; row < model.rowCount(); ++row) {
        if (model.entryAt(row).action == QLatin1String("ban"))
            ban = row;
    }
    QVERIFY(ban >= 0);
    QCOMPARE(shown(model, ban, AuditModel::Actor), QStringLiteral("Front Desk"));
    QCOMPARE(shown(model, ban, AuditModel::Target), QStringLiteral("bob"));
    QCOMPARE(shown(model, ban, AuditModel::Reason), QStringLiteral("rude"));
    QVERIFY2(shown(model, ban, AuditModel::Detail).contains(QLatin1String("1 connection")),
             qPrintable(shown(model, ban, AuditModel::Detail)));

    // A refresh that adds one entry inserts one row and keeps the others where they were.
    const QPersistentModelIndex banIndex(model.index(ban, 0));
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QVERIFY(m_hub->unbanTarget(false, QStringLiteral("bob")).result().ok);
    model.setEntries(m_hub->audit(filter).result());
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(reset.size(), 0);
    QCOMPARE(banIndex.row(), ban);

    filter.action = QStringLiteral("unban");
    model.setEntries(m_hub->audit(filter).result());
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(shown(model, 0, AuditModel::Action), QStringLiteral("lift ban"));
}

void TestModerationModels::historyPagesBack()
{
    TestClient *alice = connectClient(QStringLiteral("alice"));
    QVERIFY(!alice->join(QStringLiteral("general")).isEmpty());
    for (int i = 1; i <= 5; ++i)
        alice->send(say(QStringLiteral("general"), QStringLiteral("line %1").arg(i)));

    HistoryModel model;
    Tester tester(&model, Fatal);
    const QString general = QStringLiteral("general");
    QTRY_COMPARE(m_hub->history(general, 0, 0, 50).result().messages.size(), 5);

    model.setPage(m_hub->history(general, 0, 0, 2).result());
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.oldestSeq(), quint64(4));
    QVERIFY(model.hasOlder());
    QCOMPARE(shown(model, 1, HistoryModel::Text), QStringLiteral("line 5"));

    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.addOlderPage(m_hub->history(general, model.oldestSeq(), 0, 2).result());
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.oldestSeq(), quint64(2));
    QCOMPARE(shown(model, 0, HistoryModel::Text), QStringLiteral("line 2"));
    model.addOlderPage(m_hub->history(general, model.oldestSeq(), 0, 2).result());
    QCOMPARE(model.rowCount(), 5);
    QVERIFY(!model.hasOlder());

    // A deletion shows as the hub's tombstone, and as the local mark until the next fetch.
    QVERIFY(m_hub->deleteMessage(general, 3, QStringLiteral("oops")).result().ok);
    QVERIFY(model.markDeleted(3));
    QCOMPARE(shown(model, model.rowOfSeq(3), HistoryModel::Text), QStringLiteral("(deleted)"));
    model.setPage(m_hub->history(general, 0, 0, 50).result());
    QCOMPARE(model.rowCount(), 5);
    QVERIFY(model.index(model.rowOfSeq(3), 0).data(HistoryModel::DeletedRole).toBool());
    QCOMPARE(shown(model, model.rowOfSeq(3), HistoryModel::Text), QStringLiteral("(deleted)"));
    QCOMPARE(shown(model, model.rowOfSeq(3), HistoryModel::From), QString());
}

void TestModerationModels::impactFromSnapshot()
{
    TestClient *laptop = connectClient(QStringLiteral("alice"));
    TestClient *phone = connectClient(QStringLiteral("alice"), laptop->token);
    TestClient *bob = connectClient(QStringLiteral("bob"));
    QVERIFY(!laptop->join(QStringLiteral("general")).isEmpty());
    QVERIFY(!phone->join(QStringLiteral("random")).isEmpty());
    QVERIFY(!bob->join(QStringLiteral("general")).isEmpty());
    const HubSnapshot now = snapshot();

    const ModerationImpact alice = ModerationImpact::ofUser(now, QStringLiteral("ALICE"));
    QCOMPARE(alice.connections, 2);
    QCOMPARE(alice.rooms, 2);
    QCOMPARE(alice.banQuestion(false, QStringLiteral("alice")),
             QStringLiteral("Ban alice? This closes 2 connections in 2 rooms."));

    const ModerationImpact local = ModerationImpact::ofAddress(now, QStringLiteral("127.0.0.1"));
    QCOMPARE(local.connections, 3);
    QCOMPARE(local.users, QStringList({QStringLiteral("alice"), QStringLiteral("bob")}));
    QVERIFY(
        local.banQuestion(true, QStringLiteral("127.0.0.1"))
            .endsWith(QLatin1String("This closes 3 connections in 2 rooms. Users: alice, bob.")));

    const ModerationImpact nobody = ModerationImpact::ofUser(now, QStringLiteral("zed"));
    QCOMPARE(nobody.connections, 0);
    QCOMPARE(nobody.muteQuestion(QStringLiteral("zed"), QStringLiteral("general"), 600),
             QStringLiteral("Mute zed in general for 10 min? zed is not connected now."));

    QCOMPARE(ModerationImpact::addressOfPeer(QStringLiteral("[fe80::1]:4100")),
             QStringLiteral("fe80::1"));
    QCOMPARE(ModerationImpact::addressOfPeer(QStringLiteral("10.0.0.5:4100")),
             QStringLiteral("10.0.0.5"));
    QVERIFY(ModerationImpact::sameAddress(QStringLiteral("::ffff:10.0.0.5"),
                                          QStringLiteral("10.0.0.5")));
}

void TestModerationModels::csvField_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("field");
    QTest::addRow("plain text stays bare") << QStringLiteral("alice") << QStringLiteral("alice");
    QTest::addRow("empty stays empty") << QString() << QString();
    QTest::addRow("a comma is quoted") << QStringLiteral("a,b") << QStringLiteral("\"a,b\"");
    QTest::addRow("a quote is doubled inside quotes")
        << QStringLiteral("say \"hi\"") << QStringLiteral("\"say \"\"hi\"\"\"");
    QTest::addRow("a newline is quoted")
        << QStringLiteral("two\nlines") << QStringLiteral("\"two\nlines\"");
    QTest::addRow("a carriage return is quoted")
        << QStringLiteral("a\rb") << QStringLiteral("\"a\rb\"");
    QTest::addRow("spaces need no quotes")
        << QStringLiteral(" padded ") << QStringLiteral(" padded ");
}

void TestModerationModels::csvField()
{
    QFETCH(QString, value);
    QFETCH(QString, field);
    QCOMPARE(Csv::field(value), field);
}

void TestModerationModels::csvAuditLog()
{
    AuditEntry entry;
    entry.ts = QDateTime(QDate(2026, 3, 4), QTime(9, 30), Qt::UTC);
    entry.actor = QStringLiteral("Front Desk");
    entry.action = QStringLiteral("ban");
    entry.target = QStringLiteral("mallory");
    entry.reason = QStringLiteral("spam, \"again\"\nand again");
    entry.detail = QStringLiteral("closed 2 connections in 1 room");
    entry.connections = {4, 7};

    const QString csv = Csv::auditLog({entry});
    const QStringList records = csv.split(QStringLiteral("\r\n"));
    QCOMPARE(records.size(), 3); // header, one entry, and the empty rest after the last CRLF
    QCOMPARE(records.at(0),
             QStringLiteral("time,actor,action,target,room,reason,until,detail,connections"));
    QCOMPARE(records.at(1), QStringLiteral("2026-03-04T09:30:00.000Z,Front Desk,ban,mallory,,"
                                           "\"spam, \"\"again\"\"\nand again\",,"
                                           "closed 2 connections in 1 room,4 7"));
    QCOMPARE(records.at(2), QString());
}

void TestModerationModels::timeLeft_data()
{
    QTest::addColumn<qint64>("seconds");
    QTest::addColumn<QString>("text");
    QTest::addRow("due") << qint64(0) << QStringLiteral("ending");
    QTest::addRow("seconds") << qint64(45) << QStringLiteral("45 s");
    QTest::addRow("minutes round up") << qint64(9 * 60 + 1) << QStringLiteral("10 min");
    QTest::addRow("whole hours") << qint64(2 * 3600) << QStringLiteral("2 h");
    QTest::addRow("hours and minutes") << qint64(2 * 3600 + 300) << QStringLiteral("2 h 5 min");
    QTest::addRow("days and hours") << qint64(3 * 86400 + 4 * 3600) << QStringLiteral("3 d 4 h");
}

void TestModerationModels::timeLeft()
{
    QFETCH(qint64, seconds);
    QFETCH(QString, text);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QCOMPARE(ModelFormat::timeLeft(now.addSecs(seconds), now), text);
    QCOMPARE(ModelFormat::timeLeft(QDateTime(), now), QString());
}

QTEST_GUILESS_MAIN(TestModerationModels)
#include "tst_moderationmodels.moc"
