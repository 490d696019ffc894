#pragma once

#include <unordered_map>
#include <utility>

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QTimer>
#include <QVariant>

#include "store.h"

// The Store kept in one SQLite file (the hub uses DATA_DIR/confab.db).
//
// Writes are grouped: the first write of a group opens a transaction and starts a single-shot
// timer; every write runs at once inside that transaction, and the timer (or a group of
// MaxGroupWrites) commits it and only then calls the Accepted callbacks of the group's room
// messages, in order. One fsync-free commit per group is what makes thousands of messages a
// second affordable while keeping the promise that an acked message survives kill -9.
//
// If a commit fails, the group is rolled back and its Accepted callbacks are never called: the
// hub delivers none of those messages and their senders never get an ack (a client may send
// again). The error goes to lcStore as critical.
//
// Built and used on one thread (the engine thread), through its own uniquely named
// QSqlDatabase connection. The data directory's lock file keeps a second hub away from the
// file, so the store takes no exclusive lock of its own and sqlite3 can read the file live.
class SqliteStore
    : public QObject
    , public Store
{
    Q_OBJECT

public:
    SqliteStore(const QString &path, int commitIntervalMs, QObject *parent = nullptr);
    // Flushes, so Accepted callbacks may run from here: an owner they point into flushes first.
    ~SqliteStore() override;

    static constexpr int SchemaVersion = 2;
    static constexpr int MaxGroupWrites = 2000; // a group this large commits without waiting

    // For tests of migration: creates a new database at an older schema version, as that
    // version of Confab would have left it (empty).
    static bool createAtVersion(const QString &path, int version, QString *error);

    bool open(QString *error) override;
    bool isPersistent() const override { return true; }
    QString location() const override { return m_path; }
    bool isNew() const override { return m_isNew; }
    void setRetention(const Retention &retention) override { m_retention = retention; }

    QList<RoomRecord> rooms() override;
    QList<UserRecord> users() override;
    QList<BanRecord> bans() override;
    QList<MuteRecord> mutes() override;

    void append(ChatMessage message, Accepted accepted) override;
    void whenDurable(std::function<void(bool stored)> done) override;
    QList<ChatMessage> messages(const QString &roomKey, quint64 after, quint64 before, int limit,
                                bool newest) override;
    quint64 oldestSeq(const QString &roomKey) override;
    bool deleteMessage(const QString &roomKey, quint64 seq) override;

    void saveRoom(const RoomRecord &room) override;
    void dropRoom(const QString &roomKey) override;
    void saveUser(const UserRecord &user) override;
    void dropUser(const QString &userKey) override;

    qint64 addDirectMessage(const DirectMessage &message) override;
    QList<DirectMessage> pendingFor(const QString &userKey) override;
    void markDelivered(qint64 id, const QString &userKey) override;

    qint64 addBan(const BanRecord &ban) override;
    void dropBan(qint64 id) override;
    qint64 addMute(const MuteRecord &mute) override;
    void dropMute(qint64 id) override;

    qint64 addAudit(const AuditEntry &entry) override;
    QList<AuditEntry> audit(const AuditFilter &filter) override;

    void prune(const QDateTime &now) override;
    void flush() override;

private:
    bool fail(QString *error, const QString &message);
    bool ownerOnly(QString *error);
    bool queryValue(const QString &sql, QVariant *value, QString *why);
    bool checkHeader(QString *error);
    bool connectDatabase(QString *error);
    bool readVersion(int *version, QString *error);
    bool checkVersion(int version, QString *error);
    bool backUp(int version, QString *error);
    bool configure(QString *error);
    void loadLastSeqs();
    void close();

    QSqlQuery &statement(const char *sql);
    bool exec(const char *sql, const QVariantList &values);
    QSqlQuery &select(const char *sql, const QVariantList &values);
    bool write(const char *sql, const QVariantList &values);
    qint64 insert(const char *sql, const QVariantList &values);
    bool beginGroup();
    void commitIfFull();
    void commit();
    void trimByCount(const QString &roomKey);

    QString m_path;
    QString m_connectionName;
    QSqlDatabase m_db;
    bool m_isNew = false;
    Retention m_retention;

    // Prepared once, by the address of the SQL literal at the call site, and reused. A node
    // map, so a reference to one statement stays good while others are added.
    std::unordered_map<const char *, QSqlQuery> m_statements;

    QHash<QString, quint64> m_lastSeq; // per room key, including the open group's appends
    QTimer m_commitTimer;
    QElapsedTimer m_sinceCommit; // since the last commit
    int m_commitIntervalMs = 2;
    bool m_inGroup = false;
    int m_groupWrites = 0;
    QList<std::pair<ChatMessage, Accepted>> m_accepted; // the open group's, in append order
    QSet<QString> m_touchedRooms; // trimmed by count when the group commits
};
