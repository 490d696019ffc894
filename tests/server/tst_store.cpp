// SqliteStore against real files in a temporary directory: what survives a reopen and a
// kill -9, when Accepted comes, paging, retention, and what happens to old, newer and foreign
// files.
//
// The kill -9 test runs this same binary as a child: with WriterEnv set, main() runs
// runWriter() instead of the tests, and the child prints each seq as it is accepted.

#include <cstdio>
#include <memory>

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QFile>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include "sqlitestore.h"

namespace {

const char WriterEnv[] = "CONFAB_TST_STORE_WRITER";
const QString Room = QStringLiteral("general");
constexpr int KillAfterAccepted = 300;

QDateTime now()
{
    return QDateTime::currentDateTimeUtc();
}

ChatMessage chat(const QString &text, const QDateTime &ts = now(), const QString &room = Room)
{
    ChatMessage message;
    message.roomKey = room;
    message.from = QStringLiteral("ann");
    message.text = text;
    message.ts = ts;
    return message;
}

RoomRecord room(const QString &key = Room)
{
    RoomRecord record;
    record.key = key;
    record.name = key;
    record.topic = QStringLiteral("what we talk about");
    record.epoch = Store::newEpoch();
    record.createdAt = QDateTime::fromMSecsSinceEpoch(1700000000123, Qt::UTC);
    return record;
}

// Null when it cannot open; the reason goes to the test log.
std::unique_ptr<SqliteStore> openStore(const QString &path, int commitIntervalMs = 0)
{
    auto store = std::make_unique<SqliteStore>(path, commitIntervalMs);
    QString error;
    if (store->open(&error))
        return store;
    qWarning().noquote() << "open failed:" << error;
    return nullptr;
}

// A separate connection sees only what was committed.
QVariant queryFile(const QString &path, const QString &sql)
{
    static int counter = 0;
    const QString name = QStringLiteral("tst_store.reader.%1").arg(++counter);
    QVariant value;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        if (db.open()) {
            QSqlQuery query(db);
            if (query.exec(sql) && query.next())
                value = query.value(0);
            else
                qWarning().noquote() << sql << query.lastError().text();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return value;
}

bool execFile(const QString &path, const QStringList &statements)
{
    static int counter = 0;
    const QString name = QStringLiteral("tst_store.writer.%1").arg(++counter);
    bool ok = true;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        ok = db.open();
        QSqlQuery query(db);
        for (const QString &sql : statements) {
            if (ok && !query.exec(sql)) {
                qWarning().noquote() << sql << query.lastError().text();
                ok = false;
            }
        }
        query.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

QByteArray fileBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QList<quint64> seqsOf(const QList<ChatMessage> &messages)
{
    QList<quint64> seqs;
    for (const ChatMessage &message : messages)
        seqs.append(message.seq);
    return seqs;
}

QList<quint64> range(quint64 first, quint64 last)
{
    QList<quint64> seqs;
    for (quint64 seq = first; seq <= last; ++seq)
        seqs.append(seq);
    return seqs;
}

// The child of killedWriterKeepsAcceptedMessages: appends until killed, printing
// "seq<TAB>text" for every message once it is accepted.
int runWriter(const QString &path)
{
    SqliteStore store(path, 2);
    QString error;
    if (!store.open(&error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 2;
    }
    store.saveRoom(room());

    int sent = 0;
    QTimer writer;
    QObject::connect(&writer, &QTimer::timeout, [&] {
        for (int i = 0; i < 50; ++i) {
            store.append(chat(QStringLiteral("message %1").arg(++sent)), [](const ChatMessage &m) {
                std::printf("%llu\t%s\n", m.seq, qPrintable(m.text));
                std::fflush(stdout);
            });
        }
    });
    writer.start(0);
    return QCoreApplication::exec();
}

} // namespace

class TestStore : public QObject
{
    Q_OBJECT

private slots:
    void init();

    void freshDatabaseIsNew();
    void reopenKeepsRecords();
    void seqsContinueAfterReopen_data();
    void seqsContinueAfterReopen();
    void acceptedOnlyAfterCommitInOrder();
    void flushCommitsAtOnce();
    void fullGroupCommitsWithoutWaiting();
    void messagesPage_data();
    void messagesPage();
    void deleteMakesTombstone();
    void dropRoomRestartsSeqs();
    void retentionByCount();
    void retentionByAge();
    void directMessagesPendUntilDelivered();
    void expiredBansAndMutesLeftOut();
    void auditFilter_data();
    void auditFilter();
    void migratesFromVersion1_data();
    void migratesFromVersion1();
    void refusesNewerSchema();
    void refusesForeignFile_data();
    void refusesForeignFile();
    void killedWriterKeepsAcceptedMessages();

private:
    QString dbPath() const { return m_dir->filePath(QStringLiteral("confab.db")); }

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestStore::freshDatabaseIsNew()
{
    auto store = openStore(dbPath());
    QVERIFY(store);
    QVERIFY(store->isNew());
    QVERIFY(store->isPersistent());
    QCOMPARE(store->location(), dbPath());
    QCOMPARE(queryFile(dbPath(), QStringLiteral("PRAGMA user_version")).toInt(),
             SqliteStore::SchemaVersion);
    QCOMPARE(queryFile(dbPath(), QStringLiteral("PRAGMA journal_mode")).toString(),
             QStringLiteral("wal"));

    store.reset();
    store = openStore(dbPath());
    QVERIFY(store);
    QVERIFY(!store->isNew());
}

void TestStore::reopenKeepsRecords()
{
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(1700000000456, Qt::UTC);
    RoomRecord savedRoom = room();
    savedRoom.maxMembers = 12;
    savedRoom.locked = true;
    savedRoom.slowModeS = 5;
    savedRoom.passwordHash = Store::hashPassword(QStringLiteral("secret"));
    const UserRecord user {QStringLiteral("ann"), QStringLiteral("Ann"), QStringLiteral("tok"),
                           QStringLiteral("away"), t};
    BanRecord ban;
    ban.kind = BanRecord::Kind::Address;
    ban.value = ban.display = QStringLiteral("192.0.2.7");
    ban.reason = QStringLiteral("spam");
    ban.issuer = QStringLiteral("operator");
    ban.createdAt = t;
    MuteRecord mute;
    mute.userKey = QStringLiteral("bob");
    mute.user = QStringLiteral("Bob");
    mute.roomKey = Room;
    mute.room = Room;
    mute.issuer = QStringLiteral("operator");
    mute.createdAt = t;
    mute.until = now().addDays(1);
    AuditEntry entry;
    entry.ts = t;
    entry.actor = QStringLiteral("operator");
    entry.action = QStringLiteral("ban");
    entry.target = QStringLiteral("192.0.2.7");
    entry.detail = QStringLiteral("closed 2 connections");
    entry.connections = {3, 17};
    DirectMessage dm;
    dm.from = QStringLiteral("Ann");
    dm.to = QStringList {QStringLiteral("Bob"), QStringLiteral("Cy")};
    dm.multicast = true;
    dm.text = QStringLiteral("hello both");
    dm.ts = t;
    dm.pending = QStringList {QStringLiteral("bob"), QStringLiteral("cy")};

    {
        auto store = openStore(dbPath());
        QVERIFY(store);
        store->saveRoom(savedRoom);
        store->saveUser(user);
        ban.id = store->addBan(ban);
        mute.id = store->addMute(mute);
        entry.id = store->addAudit(entry);
        dm.id = store->addDirectMessage(dm);
        QVERIFY(ban.id > 0 && mute.id > 0 && entry.id > 0 && dm.id > 0);
    }

    auto store = openStore(dbPath());
    QVERIFY(store);
    QVERIFY(!store->isNew());
    const QList<RoomRecord> rooms = store->rooms();
    QCOMPARE(rooms.size(), 1);
    QCOMPARE(rooms[0].key, savedRoom.key);
    QCOMPARE(rooms[0].topic, savedRoom.topic);
    QCOMPARE(rooms[0].epoch, savedRoom.epoch);
    QCOMPARE(rooms[0].createdAt, savedRoom.createdAt);
    QCOMPARE(rooms[0].maxMembers, 12);
    QVERIFY(rooms[0].locked);
    QCOMPARE(rooms[0].slowModeS, 5);
    QVERIFY(Store::checkPassword(QStringLiteral("secret"), rooms[0].passwordHash));

    const QList<UserRecord> users = store->users();
    QCOMPARE(users.size(), 1);
    QCOMPARE(users[0].token, user.token);
    QCOMPARE(users[0].status, user.status);
    QCOMPARE(users[0].lastSeen, t);

    const QList<BanRecord> bans = store->bans();
    QCOMPARE(bans.size(), 1);
    QCOMPARE(bans[0].id, ban.id);
    QVERIFY(bans[0].kind == BanRecord::Kind::Address);
    QCOMPARE(bans[0].value, ban.value);
    QCOMPARE(bans[0].reason, ban.reason);
    QVERIFY(!bans[0].until.isValid());

    const QList<MuteRecord> mutes = store->mutes();
    QCOMPARE(mutes.size(), 1);
    QCOMPARE(mutes[0].userKey, mute.userKey);
    QCOMPARE(mutes[0].roomKey, mute.roomKey);
    QCOMPARE(mutes[0].until.toMSecsSinceEpoch(), mute.until.toMSecsSinceEpoch());

    const QList<AuditEntry> audit = store->audit({});
    QCOMPARE(audit.size(), 1);
    QCOMPARE(audit[0].id, entry.id);
    QCOMPARE(audit[0].detail, entry.detail);
    QCOMPARE(audit[0].connections, entry.connections);
    QVERIFY(!audit[0].until.isValid());

    const QList<DirectMessage> pending = store->pendingFor(QStringLiteral("cy"));
    QCOMPARE(pending.size(), 1);
    QCOMPARE(pending[0].id, dm.id);
    QCOMPARE(pending[0].to, dm.to);
    QVERIFY(pending[0].multicast);
    QCOMPARE(pending[0].text, dm.text);
    QCOMPARE(pending[0].ts, t);
    QCOMPARE(pending[0].pending, dm.pending);
}

void TestStore::seqsContinueAfterReopen_data()
{
    QTest::addColumn<bool>("withRoomRow");
    QTest::addRow("room saved") << true;
    QTest::addRow("messages for a room the store has no row for") << false;
}

void TestStore::seqsContinueAfterReopen()
{
    QFETCH(bool, withRoomRow);

    {
        auto store = openStore(dbPath());
        QVERIFY(store);
        if (withRoomRow)
            store->saveRoom(room());
        for (int i = 0; i < 5; ++i)
            store->append(chat(QStringLiteral("m")), {});
        store->flush();
        // Retention dropping everything must not bring the numbering back.
        store->setRetention({1, 0});
        store->prune(now());
    }

    auto store = openStore(dbPath());
    QVERIFY(store);
    if (withRoomRow)
        QCOMPARE(store->rooms().value(0).lastSeq, quint64(5));
    quint64 seq = 0;
    store->append(chat(QStringLiteral("after")), [&](const ChatMessage &m) { seq = m.seq; });
    store->flush();
    QCOMPARE(seq, quint64(6));
}

void TestStore::acceptedOnlyAfterCommitInOrder()
{
    auto store = openStore(dbPath(), 50);
    QVERIFY(store);
    store->saveRoom(room());
    store->flush();

    QList<quint64> accepted;
    for (int i = 0; i < 3; ++i)
        store->append(chat(QString::number(i)),
                      [&](const ChatMessage &m) { accepted.append(m.seq); });

    QVERIFY(accepted.isEmpty());
    QCOMPARE(queryFile(dbPath(), QStringLiteral("SELECT count(*) FROM messages")).toInt(), 0);
    QCOMPARE(store->messages(Room, 0, 0, 10, true).size(), 3); // its own connection sees them

    QTRY_COMPARE(accepted, (QList<quint64> {1, 2, 3}));
    QCOMPARE(queryFile(dbPath(), QStringLiteral("SELECT count(*) FROM messages")).toInt(), 3);
    QCOMPARE(queryFile(dbPath(), QStringLiteral("SELECT last_seq FROM rooms")).toInt(), 3);
}

void TestStore::flushCommitsAtOnce()
{
    auto store = openStore(dbPath(), 60 * 60 * 1000);
    QVERIFY(store);

    int accepted = 0;
    store->append(chat(QStringLiteral("x")), [&](const ChatMessage &) { ++accepted; });
    QCOMPARE(accepted, 0);
    store->flush();
    QCOMPARE(accepted, 1);
    QCOMPARE(queryFile(dbPath(), QStringLiteral("SELECT count(*) FROM messages")).toInt(), 1);
}

void TestStore::fullGroupCommitsWithoutWaiting()
{
    auto store = openStore(dbPath(), 60 * 60 * 1000);
    QVERIFY(store);

    // Each append is two writes: the message and the room's last seq.
    const int perGroup = SqliteStore::MaxGroupWrites / 2;
    QList<quint64> accepted;
    for (int i = 0; i < perGroup + 10; ++i)
        store->append(chat(QStringLiteral("x")),
                      [&](const ChatMessage &m) { accepted.append(m.seq); });

    QCOMPARE(accepted, range(1, perGroup));
    store->flush();
    QCOMPARE(accepted, range(1, perGroup + 10));
}

void TestStore::messagesPage_data()
{
    QTest::addColumn<quint64>("after");
    QTest::addColumn<quint64>("before");
    QTest::addColumn<int>("limit");
    QTest::addColumn<bool>("newest");
    QTest::addColumn<QList<quint64>>("expected");

    // Seqs 1 to 10 are kept.
    QTest::addRow("newest of all") << quint64(0) << quint64(0) << 3 << true << range(8, 10);
    QTest::addRow("oldest of all") << quint64(0) << quint64(0) << 3 << false << range(1, 3);
    QTest::addRow("newest below before") << quint64(0) << quint64(5) << 3 << true << range(2, 4);
    QTest::addRow("oldest above after") << quint64(6) << quint64(0) << 3 << false << range(7, 9);
    QTest::addRow("bounds are exclusive") << quint64(3) << quint64(6) << 10 << false << range(4, 5);
    QTest::addRow("limit larger than what is kept")
        << quint64(0) << quint64(0) << 50 << true << range(1, 10);
    QTest::addRow("nothing between") << quint64(4) << quint64(5) << 10 << true << QList<quint64>();
    QTest::addRow("past the end") << quint64(10) << quint64(0) << 10 << false << QList<quint64>();
    QTest::addRow("limit 0") << quint64(0) << quint64(0) << 0 << true << QList<quint64>();
}

void TestStore::messagesPage()
{
    QFETCH(quint64, after);
    QFETCH(quint64, before);
    QFETCH(int, limit);
    QFETCH(bool, newest);
    QFETCH(QList<quint64>, expected);

    auto store = openStore(dbPath());
    QVERIFY(store);
    for (int i = 1; i <= 10; ++i)
        store->append(chat(QStringLiteral("m%1").arg(i)), {});
    store->append(chat(QStringLiteral("elsewhere"), now(), QStringLiteral("other")), {});
    store->flush();

    const QList<ChatMessage> page = store->messages(Room, after, before, limit, newest);
    QCOMPARE(seqsOf(page), expected);
    for (const ChatMessage &message : page) {
        QCOMPARE(message.text, QStringLiteral("m%1").arg(message.seq));
        QCOMPARE(message.roomKey, Room);
    }
}

void TestStore::deleteMakesTombstone()
{
    const QDateTime ts = QDateTime::fromMSecsSinceEpoch(1700000000789, Qt::UTC);
    {
        auto store = openStore(dbPath());
        QVERIFY(store);
        for (int i = 0; i < 3; ++i)
            store->append(chat(QStringLiteral("m"), ts), {});
        QVERIFY(store->deleteMessage(Room, 2));
        QVERIFY(!store->deleteMessage(Room, 9));
        QVERIFY(!store->deleteMessage(QStringLiteral("nowhere"), 1));
    }

    auto store = openStore(dbPath());
    QVERIFY(store);
    const QList<ChatMessage> kept = store->messages(Room, 0, 0, 10, false);
    QCOMPARE(seqsOf(kept), range(1, 3));
    QVERIFY(!kept[0].deleted);
    QVERIFY(kept[1].deleted);
    QVERIFY(kept[1].from.isEmpty());
    QVERIFY(kept[1].text.isEmpty());
    QCOMPARE(kept[1].ts, ts);
    QCOMPARE(queryFile(dbPath(), QStringLiteral("SELECT count(*) FROM messages WHERE seq = 2"
                                                " AND sender IS NULL AND text IS NULL"))
                 .toInt(),
             1);
}

void TestStore::dropRoomRestartsSeqs()
{
    auto store = openStore(dbPath());
    QVERIFY(store);
    store->saveRoom(room());
    store->append(chat(QStringLiteral("a")), {});
    store->append(chat(QStringLiteral("b")), {});
    store->dropRoom(Room);
    store->flush();
    QVERIFY(store->rooms().isEmpty());
    QCOMPARE(store->oldestSeq(Room), quint64(0));

    store->saveRoom(room());
    quint64 seq = 0;
    store->append(chat(QStringLiteral("again")), [&](const ChatMessage &m) { seq = m.seq; });
    store->flush();
    QCOMPARE(seq, quint64(1));
}

void TestStore::retentionByCount()
{
    auto store = openStore(dbPath());
    QVERIFY(store);
    store->setRetention({5, 0});
    for (int i = 0; i < 12; ++i)
        store->append(chat(QStringLiteral("m")), {});
    store->flush();

    // Trimmed as the group committed, before any prune().
    QCOMPARE(seqsOf(store->messages(Room, 0, 0, 100, false)), range(8, 12));
    QCOMPARE(store->oldestSeq(Room), quint64(8));

    store->setRetention({2, 0});
    store->prune(now());
    store->flush();
    QCOMPARE(seqsOf(store->messages(Room, 0, 0, 100, false)), range(11, 12));
}

void TestStore::retentionByAge()
{
    auto store = openStore(dbPath());
    QVERIFY(store);
    store->setRetention({0, 2});
    const QDateTime old = now().addDays(-3);
    store->append(chat(QStringLiteral("old"), old), {});
    store->append(chat(QStringLiteral("old"), old), {});
    store->append(chat(QStringLiteral("new")), {});
    DirectMessage oldDm;
    oldDm.from = QStringLiteral("Ann");
    oldDm.to = QStringList {QStringLiteral("Bob")};
    oldDm.ts = old;
    oldDm.pending = QStringList {QStringLiteral("bob")};
    store->addDirectMessage(oldDm);
    DirectMessage newDm = oldDm;
    newDm.ts = now();
    const qint64 newId = store->addDirectMessage(newDm);

    store->prune(now());
    store->flush();

    QCOMPARE(seqsOf(store->messages(Room, 0, 0, 100, false)), QList<quint64> {3});
    const QList<DirectMessage> pending = store->pendingFor(QStringLiteral("bob"));
    QCOMPARE(pending.size(), 1);
    QCOMPARE(pending[0].id, newId);
    QCOMPARE(queryFile(dbPath(), QStringLiteral("SELECT count(*) FROM dm_pending")).toInt(), 1);
}

void TestStore::directMessagesPendUntilDelivered()
{
    auto store = openStore(dbPath());
    QVERIFY(store);
    DirectMessage dm;
    dm.from = QStringLiteral("Ann");
    dm.to = QStringList {QStringLiteral("Bob"), QStringLiteral("Cy")};
    dm.multicast = true;
    dm.ts = now();
    dm.text = QStringLiteral("first");
    dm.pending = QStringList {QStringLiteral("bob"), QStringLiteral("cy")};
    const qint64 first = store->addDirectMessage(dm);
    dm.text = QStringLiteral("second");
    dm.pending = QStringList {QStringLiteral("bob")};
    const qint64 second = store->addDirectMessage(dm);
    dm.pending.clear();
    store->addDirectMessage(dm); // everyone was online

    QList<DirectMessage> forBob = store->pendingFor(QStringLiteral("bob"));
    QCOMPARE(forBob.size(), 2);
    QCOMPARE(forBob[0].id, first);
    QCOMPARE(forBob[1].id, second);

    store->markDelivered(first, QStringLiteral("bob"));
    forBob = store->pendingFor(QStringLiteral("bob"));
    QCOMPARE(forBob.size(), 1);
    QCOMPARE(forBob[0].text, QStringLiteral("second"));
    const QList<DirectMessage> forCy = store->pendingFor(QStringLiteral("cy"));
    QCOMPARE(forCy.size(), 1);
    QCOMPARE(forCy[0].pending, QStringList {QStringLiteral("cy")});
    QVERIFY(store->pendingFor(QStringLiteral("dee")).isEmpty());
}

void TestStore::expiredBansAndMutesLeftOut()
{
    auto store = openStore(dbPath());
    QVERIFY(store);
    BanRecord ban;
    ban.value = ban.display = QStringLiteral("eve");
    ban.createdAt = now().addDays(-2);
    ban.until = now().addSecs(-60);
    store->addBan(ban);
    ban.value = QStringLiteral("mallory");
    ban.until = now().addSecs(3600);
    const qint64 timed = store->addBan(ban);
    MuteRecord mute;
    mute.userKey = QStringLiteral("eve");
    mute.createdAt = now().addDays(-2);
    mute.until = now().addSecs(-1);
    store->addMute(mute);

    QCOMPARE(store->bans().size(), 1);
    QCOMPARE(store->bans()[0].id, timed);
    QVERIFY(store->mutes().isEmpty());

    store->prune(now());
    store->flush();
    QCOMPARE(queryFile(dbPath(), QStringLiteral("SELECT count(*) FROM bans")).toInt(), 1);
    QCOMPARE(queryFile(dbPath(), QStringLiteral("SELECT count(*) FROM mutes")).toInt(), 0);

    store->dropBan(timed);
    QVERIFY(store->bans().isEmpty());
}

void TestStore::auditFilter_data()
{
    QTest::addColumn<AuditFilter>("filter");
    QTest::addColumn<QStringList>("expected"); // details, newest first

    const auto filter = [](const char *actor, const char *action, const char *target,
                           int sinceDaysAgo, int limit) {
        AuditFilter f;
        f.actor = QString::fromUtf8(actor);
        f.action = QString::fromUtf8(action);
        f.target = QString::fromUtf8(target);
        if (sinceDaysAgo > 0)
            f.since = QDateTime::currentDateTimeUtc().addDays(-sinceDaysAgo);
        f.limit = limit;
        return f;
    };
    const auto details = [](const char *joined) {
        return QString::fromUtf8(joined).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    };

    QTest::addRow("everything") << filter("", "", "", 0, 100) << details("e4 e3 e2 e1");
    QTest::addRow("limit keeps the newest") << filter("", "", "", 0, 2) << details("e4 e3");
    QTest::addRow("actor, any case") << filter("ÖPERATOR", "", "", 0, 100) << details("e3 e1");
    QTest::addRow("action") << filter("", "mute", "", 0, 100) << details("e4 e2");
    QTest::addRow("target substring") << filter("", "", "BO", 0, 100) << details("e2");
    QTest::addRow("since") << filter("", "", "", 5, 100) << details("e4 e3");
    QTest::addRow("all at once") << filter("öperator", "ban", "eve", 5, 100) << details("e3");
    QTest::addRow("no match") << filter("nobody", "", "", 0, 100) << QStringList();
}

void TestStore::auditFilter()
{
    QFETCH(AuditFilter, filter);
    QFETCH(QStringList, expected);

    auto store = openStore(dbPath());
    QVERIFY(store);
    const auto add = [&](const char *actor, const char *action, const char *target, int daysAgo,
                         const char *detail) {
        AuditEntry entry;
        entry.actor = QString::fromUtf8(actor);
        entry.action = QString::fromUtf8(action);
        entry.target = QString::fromUtf8(target);
        entry.ts = now().addDays(-daysAgo);
        entry.detail = QString::fromUtf8(detail);
        store->addAudit(entry);
    };
    add("öperator", "ban", "eve", 10, "e1");
    add("ctl", "mute", "Bob", 10, "e2");
    add("Öperator", "ban", "eve2", 1, "e3");
    add("ctl", "mute", "cy", 1, "e4");
    store->flush();

    QStringList found;
    for (const AuditEntry &entry : store->audit(filter))
        found.append(entry.detail);
    QCOMPARE(found, expected);
}

void TestStore::migratesFromVersion1_data()
{
    QTest::addColumn<bool>("backupExists");
    QTest::addRow("first upgrade") << false;
    QTest::addRow("an older backup is kept, not overwritten") << true;
}

void TestStore::migratesFromVersion1()
{
    QFETCH(bool, backupExists);

    QString error;
    QVERIFY2(SqliteStore::createAtVersion(dbPath(), 1, &error), qPrintable(error));
    QVERIFY(execFile(
        dbPath(),
        {QStringLiteral("INSERT INTO rooms (key, name, topic, epoch, last_seq, created_at)"
                        " VALUES ('general', 'General', 'old topic', '0123456789abcdef', 2, 17)"),
         QStringLiteral("INSERT INTO messages (room_key, seq, sender, text, ts)"
                        " VALUES ('general', 1, 'ann', 'one', 1000), ('general', 2, 'bob', 'two',"
                        " 2000)")}));
    const QString oldBackup = dbPath() + QStringLiteral(".v1.bak");
    if (backupExists) {
        QFile file(oldBackup);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("an older backup");
    }

    auto store = openStore(dbPath());
    QVERIFY(store);
    QVERIFY(!store->isNew());

    const QList<RoomRecord> rooms = store->rooms();
    QCOMPARE(rooms.size(), 1);
    QCOMPARE(rooms[0].name, QStringLiteral("General"));
    QCOMPARE(rooms[0].topic, QStringLiteral("old topic"));
    QCOMPARE(rooms[0].epoch, QStringLiteral("0123456789abcdef"));
    QCOMPARE(rooms[0].lastSeq, quint64(2));
    QCOMPARE(rooms[0].maxMembers, 0);
    QVERIFY(!rooms[0].locked);
    QVERIFY(rooms[0].passwordHash.isEmpty());
    const QList<ChatMessage> kept = store->messages(Room, 0, 0, 10, false);
    QCOMPARE(seqsOf(kept), range(1, 2));
    QCOMPARE(kept[1].text, QStringLiteral("two"));

    const QString backup = backupExists ? dbPath() + QStringLiteral(".v1.2.bak") : oldBackup;
    QVERIFY(QFile::exists(backup));
    QCOMPARE(queryFile(backup, QStringLiteral("PRAGMA user_version")).toInt(), 1);
    QCOMPARE(queryFile(backup, QStringLiteral("SELECT count(*) FROM messages")).toInt(), 2);
    if (backupExists)
        QCOMPARE(fileBytes(oldBackup), QByteArray("an older backup"));

    // The moderation tables of step 2 work, and numbering goes on.
    BanRecord ban;
    ban.value = ban.display = QStringLiteral("eve");
    ban.createdAt = now();
    QVERIFY(store->addBan(ban) > 0);
    quint64 seq = 0;
    store->append(chat(QStringLiteral("three")), [&](const ChatMessage &m) { seq = m.seq; });
    store->flush();
    QCOMPARE(seq, quint64(3));
    QCOMPARE(store->bans().size(), 1);
    QCOMPARE(queryFile(dbPath(), QStringLiteral("PRAGMA user_version")).toInt(),
             SqliteStore::SchemaVersion);
}

void TestStore::refusesNewerSchema()
{
    QVERIFY(execFile(dbPath(), {QStringLiteral("CREATE TABLE future (x INTEGER)"),
                                QStringLiteral("INSERT INTO future VALUES (1)"),
                                QStringLiteral("PRAGMA user_version = 99")}));
    const QByteArray before = fileBytes(dbPath());
    QVERIFY(!before.isEmpty());

    SqliteStore store(dbPath(), 0);
    QString error;
    QVERIFY(!store.open(&error));
    QCOMPARE(error,
             QStringLiteral("confab.db was written by a newer Confab (schema 99; this one "
                            "understands up to 2). It was left untouched; run the newer Confab "
                            "or move the file aside."));
    QCOMPARE(fileBytes(dbPath()), before);
    QVERIFY(!QFile::exists(dbPath() + QStringLiteral(".v99.bak")));
}

void TestStore::refusesForeignFile_data()
{
    QTest::addColumn<QByteArray>("contents");
    QTest::addColumn<QString>("expected"); // part of the error

    QTest::addRow("a text file") << QByteArray("rooms: general\n")
                                 << QStringLiteral("is not a Confab database");
    QTest::addRow("shorter than a header")
        << QByteArray("SQLite") << QStringLiteral("is not a Confab database");
    QTest::addRow("another program's SQLite database")
        << QByteArray() << QStringLiteral("is an SQLite database but not a Confab one");
}

void TestStore::refusesForeignFile()
{
    QFETCH(QByteArray, contents);
    QFETCH(QString, expected);

    if (contents.isEmpty()) {
        QVERIFY(execFile(dbPath(), {QStringLiteral("CREATE TABLE photos (id INTEGER)")}));
    } else {
        QFile file(dbPath());
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(contents);
    }
    const QByteArray before = fileBytes(dbPath());

    SqliteStore store(dbPath(), 0);
    QString error;
    QVERIFY(!store.open(&error));
    QVERIFY2(error.contains(expected), qPrintable(error));
    QVERIFY2(error.contains(dbPath()), qPrintable(error));
    QCOMPARE(fileBytes(dbPath()), before);
}

void TestStore::killedWriterKeepsAcceptedMessages()
{
    QProcess writer;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QString::fromLatin1(WriterEnv), dbPath());
    writer.setProcessEnvironment(env);
    writer.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    writer.start(QCoreApplication::applicationFilePath(), {});
    QVERIFY2(writer.waitForStarted(), qPrintable(writer.errorString()));

    QHash<quint64, QString> accepted;
    const auto readLines = [&] {
        while (writer.canReadLine()) {
            const QList<QByteArray> fields = writer.readLine().trimmed().split('\t');
            QCOMPARE(fields.size(), 2);
            accepted.insert(fields[0].toULongLong(), QString::fromUtf8(fields[1]));
        }
    };
    const QDeadlineTimer deadline(20000);
    while (accepted.size() < KillAfterAccepted && !deadline.hasExpired()
           && writer.state() == QProcess::Running) {
        writer.waitForReadyRead(100);
        readLines();
    }
    QVERIFY2(accepted.size() >= KillAfterAccepted, "the writer accepted too few messages");

    writer.kill(); // SIGKILL: no flush, no destructor
    QVERIFY(writer.waitForFinished(5000));
    QCOMPARE(writer.exitStatus(), QProcess::CrashExit);
    readLines(); // printed before the kill, so accepted too

    auto store = openStore(dbPath());
    QVERIFY(store);
    quint64 highest = 0;
    for (auto it = accepted.cbegin(); it != accepted.cend(); ++it) {
        const QList<ChatMessage> found =
            store->messages(Room, it.key() - 1, it.key() + 1, 1, false);
        QVERIFY2(found.size() == 1, qPrintable(QStringLiteral("seq %1 lost").arg(it.key())));
        QCOMPARE(found[0].text, it.value());
        highest = qMax(highest, it.key());
    }
    quint64 next = 0;
    store->append(chat(QStringLiteral("after the crash")),
                  [&](const ChatMessage &m) { next = m.seq; });
    store->flush();
    QVERIFY2(next > highest, qPrintable(QStringLiteral("%1 after %2").arg(next).arg(highest)));
    qInfo() << accepted.size() << "accepted before the kill; the next seq is" << next;
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QString writerPath = qEnvironmentVariable(WriterEnv);
    if (!writerPath.isEmpty())
        return runWriter(writerPath);

    TestStore test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_store.moc"
