#pragma once

#include <functional>

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include "snapshot.h" // AuditEntry, AuditFilter

// What the hub keeps across restarts, as plain records, and the interface of the two places
// it can keep them: SqliteStore (a file in the data directory, the default) and MemoryStore
// (nothing survives the process; tests and `persist = false`).
//
// The hub's in-memory model stays the source of truth while it runs. It loads the records
// once at start and then tells the store about every change; the store never calls back into
// the hub except through Store::Accepted.

// A room message as the hub accepted it. A deleted message keeps its seq and timestamp and
// loses its sender and text: history shows a tombstone in its place.
struct ChatMessage
{
    QString roomKey;
    quint64 seq = 0;
    QString from;
    QString text;
    QDateTime ts;
    bool deleted = false;
};

struct RoomRecord
{
    QString key; // Protocol::nameKey(name)
    QString name;
    QString topic;
    QString epoch; // changes only when the room's history is lost or the room is made again
    quint64 lastSeq = 0; // the last seq handed out, kept even when retention drops messages
    QDateTime createdAt;

    int maxMembers = 0; // 0: no limit
    bool locked = false; // no new members
    int slowModeS = 0; // at most one message per this many seconds per user; 0: off
    QString passwordHash; // empty: no password; see Store::hashPassword
};

// A claimed name. The token proves the claim; it lasts nameRetentionDays past lastSeen.
struct UserRecord
{
    QString key;
    QString name;
    QString token;
    QString status;
    QDateTime lastSeen;
};

// A dm or multicast. Every one is kept (within retention); `pending` lists the name keys of
// recipients who were offline when it was sent and have not had it yet.
struct DirectMessage
{
    qint64 id = 0; // given by the store
    QString from; // display names
    QStringList to;
    bool multicast = false;
    QString text;
    QDateTime ts;
    QStringList pending; // name keys
};

struct BanRecord
{
    enum class Kind { User, Address };

    qint64 id = 0; // given by the store
    Kind kind = Kind::User;
    QString value; // a name key, or an address in QHostAddress::toString() form
    QString display; // the name as typed, or the address
    QString reason;
    QString issuer;
    QDateTime createdAt;
    QDateTime until; // invalid: permanent
};

struct MuteRecord
{
    qint64 id = 0; // given by the store
    QString userKey;
    QString user;
    QString roomKey; // empty: hub-wide
    QString room;
    QString reason;
    QString issuer;
    QDateTime createdAt;
    QDateTime until; // invalid: permanent
};

struct Retention
{
    int maxMessagesPerRoom = 10000; // 0: no count limit
    int maxAgeDays = 30; // 0: no age limit; also bounds kept dms
};

class Store
{
public:
    using Accepted = std::function<void(const ChatMessage &)>;

    virtual ~Store() = default;

    // Opens, creating or migrating as needed. False with a readable error when it cannot:
    // the file is from a newer Confab, unreadable, or locked.
    virtual bool open(QString *error) = 0;
    virtual bool isPersistent() const = 0;
    virtual QString location() const = 0; // the database file, or "memory"
    // True when open() found nothing to load: the hub then creates the configured rooms.
    virtual bool isNew() const = 0;

    virtual void setRetention(const Retention &retention) = 0;

    // Loaded once, at start. bans() and mutes() leave out those that have expired.
    virtual QList<RoomRecord> rooms() = 0;
    virtual QList<UserRecord> users() = 0;
    virtual QList<BanRecord> bans() = 0;
    virtual QList<MuteRecord> mutes() = 0;

    // Room messages. append() gives the message seq = the room's last seq + 1 and calls
    // accepted on the calling thread once the message is durable: later, after the group
    // commit that holds it, for SqliteStore. For one room, accepted comes in seq order. Nothing
    // of the message may reach a client before accepted. When the write or its commit fails,
    // accepted is still called, in order, with seq 0: the message reaches no one and the hub
    // tells its sender.
    virtual void append(ChatMessage message, Accepted accepted) = 0;

    // Calls done once every write made so far is durable (at once when none is waiting), in
    // order with the Accepted callbacks; with false when that commit failed. Dms go through it.
    virtual void whenDurable(std::function<void(bool stored)> done) = 0;

    // Kept messages of a room with after < seq < before (0 for before: no upper bound), in
    // ascending seq order, at most limit of them: the oldest ones when newest is false, the
    // newest ones when it is true. Tombstones included. Sees what was appended even before its
    // commit, so the caller bounds `before` by the seq it has seen accepted.
    virtual QList<ChatMessage> messages(const QString &roomKey, quint64 after, quint64 before,
                                        int limit, bool newest) = 0;
    // The lowest seq still kept for the room, 0 when none is.
    virtual quint64 oldestSeq(const QString &roomKey) = 0;
    // Turns a kept message into a tombstone. False when no such message is kept, or it is a
    // tombstone already.
    virtual bool deleteMessage(const QString &roomKey, quint64 seq) = 0;

    // Every other write is queued in order and committed with the next group. The caller's
    // model already holds the change, so nothing waits for these.
    virtual void saveRoom(const RoomRecord &room) = 0; // insert or replace, by key
    virtual void dropRoom(const QString &roomKey) = 0; // with its messages
    virtual void saveUser(const UserRecord &user) = 0;
    virtual void dropUser(const QString &userKey) = 0;

    virtual qint64 addDirectMessage(const DirectMessage &message) = 0; // returns the id
    virtual QList<DirectMessage> pendingFor(const QString &userKey) = 0; // oldest first
    virtual void markDelivered(qint64 id, const QString &userKey) = 0;

    virtual qint64 addBan(const BanRecord &ban) = 0; // returns the id
    virtual void dropBan(qint64 id) = 0;
    virtual qint64 addMute(const MuteRecord &mute) = 0;
    virtual void dropMute(qint64 id) = 0;

    virtual qint64 addAudit(const AuditEntry &entry) = 0;
    virtual QList<AuditEntry> audit(const AuditFilter &filter) = 0; // newest first

    // Drops messages and dms past retention, and bans and mutes past their end.
    virtual void prune(const QDateTime &now) = 0;

    // Commits whatever is queued now and calls the pending accepted callbacks. The hub calls
    // it when it stops; it is otherwise not needed.
    virtual void flush() = 0;

    // A salted hash for room passwords, and its check, in constant time.
    static QString hashPassword(const QString &password);
    static bool checkPassword(const QString &password, const QString &hash);
    // A fresh random epoch, 16 hex digits.
    static QString newEpoch();
};

// Everything in memory: the same behaviour as SqliteStore while the process lives, nothing
// after. Accepted is called at once.
class MemoryStore : public Store
{
public:
    bool open(QString *error) override;
    bool isPersistent() const override { return false; }
    QString location() const override { return QStringLiteral("memory"); }
    bool isNew() const override { return true; }
    void setRetention(const Retention &retention) override { m_retention = retention; }

    QList<RoomRecord> rooms() override { return {}; }
    QList<UserRecord> users() override { return {}; }
    QList<BanRecord> bans() override { return {}; }
    QList<MuteRecord> mutes() override { return {}; }

    void append(ChatMessage message, Accepted accepted) override;
    void whenDurable(std::function<void(bool stored)> done) override { done(true); }
    QList<ChatMessage> messages(const QString &roomKey, quint64 after, quint64 before, int limit,
                                bool newest) override;
    quint64 oldestSeq(const QString &roomKey) override;
    bool deleteMessage(const QString &roomKey, quint64 seq) override;

    void saveRoom(const RoomRecord &room) override;
    void dropRoom(const QString &roomKey) override;
    void saveUser(const UserRecord &) override { }
    void dropUser(const QString &) override { }

    qint64 addDirectMessage(const DirectMessage &message) override;
    QList<DirectMessage> pendingFor(const QString &userKey) override;
    void markDelivered(qint64 id, const QString &userKey) override;

    qint64 addBan(const BanRecord &) override { return m_nextId++; }
    void dropBan(qint64) override { }
    qint64 addMute(const MuteRecord &) override { return m_nextId++; }
    void dropMute(qint64) override { }

    qint64 addAudit(const AuditEntry &entry) override;
    QList<AuditEntry> audit(const AuditFilter &filter) override;

    void prune(const QDateTime &now) override;
    void flush() override { }

private:
    struct RoomLog
    {
        quint64 lastSeq = 0;
        QList<ChatMessage> messages; // ascending seq
    };

    void trim(RoomLog &log, const QDateTime &now);

    Retention m_retention;
    QHash<QString, RoomLog> m_rooms;
    QList<DirectMessage> m_directMessages;
    QList<AuditEntry> m_audit; // oldest first
    qint64 m_nextId = 1;
};

// Whether an audit entry passes a filter; shared by both stores and the console.
bool auditMatches(const AuditEntry &entry, const AuditFilter &filter);
