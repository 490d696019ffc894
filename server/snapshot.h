#pragma once

#include <optional>

#include <QDateTime>
#include <QHostAddress>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

// Value types the engine hands to everyone outside its thread (console, ctl, tests). They hold
// no pointers into the engine, so they can be kept, copied and compared freely.

struct ConnectionInfo
{
    quint64 id = 0;
    QString user; // empty until hello
    QString device;
    QString peer; // address:port
    QDateTime connectedAt;
    QDateTime lastActivity;
    quint64 messagesIn = 0;
    quint64 messagesOut = 0;
    quint64 bytesIn = 0;
    quint64 bytesOut = 0;
    qint64 queuedBytes = 0; // ours plus Qt's bytesToWrite()
    QStringList rooms;
};

struct UserInfo
{
    QString name;
    QString status; // online, away, busy, offline
    int devices = 0;
    QStringList rooms;
    QDateTime lastSeen;
};

struct RoomInfo
{
    QString name;
    QString topic;
    quint64 lastSeq = 0;
    QString epoch; // changes when the room's history is lost or the room is made again
    double messagesPerSecond = 0;
    QStringList members; // user names, sorted

    int maxMembers = 0; // 0: no limit
    bool locked = false;
    int slowModeS = 0; // 0: off
    bool hasPassword = false;
};

struct BanInfo
{
    qint64 id = 0;
    bool address = false; // an IP address ban; otherwise a user name ban
    QString target; // the name or address
    QString reason;
    QString issuer;
    QDateTime createdAt;
    QDateTime until; // invalid: permanent
};

struct MuteInfo
{
    qint64 id = 0;
    QString user;
    QString room; // empty: hub-wide
    QString reason;
    QString issuer;
    QDateTime createdAt;
    QDateTime until; // invalid: permanent
};

struct HubTotals
{
    int connections = 0;
    int users = 0; // online users
    int rooms = 0;
    quint64 connectionsAccepted = 0;
    quint64 messagesIn = 0; // frames from clients after hello
    quint64 messagesOut = 0; // frames written to clients
    quint64 deliveries = 0; // chat frames (message, dm, multicast, announcement) written
    quint64 bytesIn = 0;
    quint64 bytesOut = 0;
    quint64 slowConsumerCloses = 0;
    quint64 heartbeatTimeouts = 0;
    quint64 helloTimeouts = 0;
    quint64 kicks = 0;
    quint64 rejectedFrames = 0; // frames answered with an error
    double messagesInPerSecond = 0;
    double messagesOutPerSecond = 0;
    double deliveriesPerSecond = 0;
};

struct HubSnapshot
{
    QDateTime takenAt;
    bool running = false;
    quint16 port = 0;
    QList<QHostAddress> listenAddresses; // every address people can connect to
    QList<ConnectionInfo> connections;
    QList<UserInfo> users; // online users and recently seen offline ones
    QList<RoomInfo> rooms;
    QList<BanInfo> bans; // in force now
    QList<MuteInfo> mutes; // in force now
    HubTotals totals;
    QString storage; // the database file, or "memory"
    bool persistent = false;
};

// Something the operator would want in an event log. Batched; never one per chat message.
struct HubEvent
{
    enum class Kind {
        Started,
        Stopped,
        Connected,
        Disconnected,
        Joined, // user's first connection into a room
        Left, // user's last connection out of a room
        HelloTimeout,
        HeartbeatTimeout,
        SlowConsumer,
        Kicked,
        Broadcast,
        RoomCreated,
        RoomDeleted,
        TopicChanged,
        Rejected, // bad input answered with an error or a close
        Moderation, // a ban, mute, deletion or room setting, as written to the audit log
        Error,
    };

    QDateTime time;
    Kind kind = Kind::Error;
    quint64 connection = 0;
    QString user;
    QString room;
    QString detail; // readable; never a message body, password or token
};

// A room message as the console's live view shows it. Batched with the events, at most
// HubService::MaxFeedPerRoom per room per batch (the newest), never one signal per message.
struct RoomMessageInfo
{
    QString room;
    quint64 seq = 0;
    QString from;
    QString text;
    QDateTime ts;
    bool deleted = false; // a tombstone: from and text are empty
};

// One page of a room's history, oldest first.
struct HistoryPage
{
    bool ok = false;
    QString error; // as OperatorResult::error
    QString message;
    QString room;
    QString epoch;
    QList<RoomMessageInfo> messages;
    bool more = false; // further messages lie beyond this page in the direction asked
};

// One moderation action: who did what to whom, when, why, and what it touched. Kept by the
// store; the console and ctl show it.
struct AuditEntry
{
    qint64 id = 0; // given by the store
    QDateTime ts;
    QString actor; // operator name, or the ctl caller's --as / login name
    QString action; // ban, unban, mute, unmute, kick, room_settings, delete_message,
                    // room_create, room_delete, topic, broadcast (moderation.cpp, operator.cpp)
    QString target; // user name, address, connection id or room
    QString room;
    QString reason;
    QDateTime until; // for timed bans and mutes
    QString detail; // readable: "closed 3 connections in 2 rooms"
    QList<quint64> connections; // connection ids closed or touched
};

struct AuditFilter
{
    QString actor; // exact, case-insensitive; empty: any
    QString action; // exact
    QString target; // substring, case-insensitive
    QDateTime since; // invalid: no bound
    int limit = 1000; // newest first
};

// Operator requests for the moderation commands.
struct BanRequest
{
    bool address = false; // target is an IP address; otherwise a user name
    QString target;
    QString reason;
    qint64 durationS = 0; // 0: permanent
};

struct MuteRequest
{
    QString user;
    QString room; // empty: hub-wide
    QString reason;
    qint64 durationS = 0; // 0: permanent
};

// Only the fields that are set change.
struct RoomSettingsChange
{
    std::optional<int> maxMembers; // 0: no limit
    std::optional<bool> locked;
    std::optional<int> slowModeS; // 0: off
    std::optional<QString> password; // empty: no password
};

// What an operator command did, for the console, ctl and tests.
struct OperatorResult
{
    bool ok = false;
    QString error; // a protocol-style code: no_such_user, no_such_room, room_exists, ...
    QString message; // readable
    int affected = 0; // connections closed, deliveries made, ...
    qint64 id = 0; // the ban or mute made, for a later unban

    static OperatorResult success(int affected = 0) { return {true, {}, {}, affected}; }
    static OperatorResult failure(const QString &code, const QString &message)
    {
        return {false, code, message, 0};
    }
};

Q_DECLARE_METATYPE(HubSnapshot)
Q_DECLARE_METATYPE(HubEvent)
Q_DECLARE_METATYPE(RoomMessageInfo)
Q_DECLARE_METATYPE(OperatorResult)
Q_DECLARE_METATYPE(HistoryPage)
Q_DECLARE_METATYPE(AuditEntry)
