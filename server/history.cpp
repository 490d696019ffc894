// What the hub keeps: loading it at start, room history and recovery, stored dms, retention.
#include <QDeadlineTimer>

#include "hub.h"
#include "logging.h"
#include "store.h"

using namespace Protocol;

namespace {

// Roughly what an entry adds to its frame: the text, the name and the JSON around them.
qsizetype entryBytes(const ChatMessage &message)
{
    return message.text.size() * 3 + message.from.size() * 3 + 64;
}

QJsonObject entry(const ChatMessage &message)
{
    QJsonObject object {{QStringLiteral("seq"), double(message.seq)},
                        {QStringLiteral("ts"), timestamp(message.ts)}};
    if (message.deleted) {
        object.insert(QStringLiteral("deleted"), true);
    } else {
        object.insert(QStringLiteral("from"), message.from);
        object.insert(QStringLiteral("text"), message.text);
    }
    return object;
}

} // namespace

void Hub::loadState()
{
    m_store->setRetention({m_config.historyMaxMessages, m_config.historyMaxDays});
    const QDateTime now = QDateTime::currentDateTimeUtc();

    for (const RoomRecord &record : m_store->rooms()) {
        auto *room = new Room;
        room->key = record.key;
        room->name = record.name;
        room->topic = record.topic;
        room->epoch = record.epoch.isEmpty() ? Store::newEpoch() : record.epoch;
        room->lastSeq = record.lastSeq;
        room->createdAt = record.createdAt;
        room->maxMembers = record.maxMembers;
        room->locked = record.locked;
        room->slowModeS = record.slowModeS;
        room->passwordHash = record.passwordHash;
        m_rooms.insert(room->key, room);
    }

    for (const UserRecord &record : m_store->users()) {
        if (claimLapsed(record.lastSeen, now)) {
            m_store->dropUser(record.key);
            continue;
        }
        auto *user = new User;
        user->key = record.key;
        user->name = record.name;
        user->token = record.token;
        user->status = record.status.isEmpty() ? QStringLiteral("online") : record.status;
        user->lastSeen = record.lastSeen;
        m_users.insert(user->key, user);
    }

    for (const BanRecord &ban : m_store->bans())
        (ban.kind == BanRecord::Kind::Address ? m_addressBans : m_userBans).insert(ban.value, ban);
    for (const MuteRecord &mute : m_store->mutes())
        m_mutes[mute.userKey].append(mute);

    // Configured rooms are made once, in a new store: a room the operator deleted stays gone.
    if (m_store->isNew()) {
        for (const QString &room : std::as_const(m_config.rooms)) {
            if (Protocol::isValidRoomName(room) && !findRoom(room))
                addRoom(room, {});
            else if (!Protocol::isValidRoomName(room))
                qCWarning(lcHub) << "ignoring configured room with an invalid name:" << room;
        }
    }

    qCInfo(lcStore).noquote() << "storage:" << m_store->location() << '-' << m_rooms.size()
                              << "rooms," << m_users.size() << "names,"
                              << m_userBans.size() + m_addressBans.size() << "bans";
}

bool Hub::claimLapsed(const QDateTime &lastSeen, const QDateTime &now) const
{
    if (m_config.nameRetentionDays == 0)
        return true;
    return lastSeen.isValid() && lastSeen.addDays(m_config.nameRetentionDays) < now;
}

RoomRecord Hub::roomRecord(const Room *room) const
{
    RoomRecord record;
    record.key = room->key;
    record.name = room->name;
    record.topic = room->topic;
    record.epoch = room->epoch;
    record.lastSeq = room->lastSeq;
    record.createdAt = room->createdAt;
    record.maxMembers = room->maxMembers;
    record.locked = room->locked;
    record.slowModeS = room->slowModeS;
    record.passwordHash = room->passwordHash;
    return record;
}

void Hub::saveRoom(const Room *room)
{
    m_store->saveRoom(roomRecord(room));
}

void Hub::saveUser(const User *user)
{
    const QDateTime seen = user->isOnline() ? QDateTime::currentDateTimeUtc() : user->lastSeen;
    m_store->saveUser({user->key, user->name, user->token, user->status, seen});
}

QJsonArray Hub::historyEntries(const QList<ChatMessage> &messages, bool fromEnd, bool *cut) const
{
    // Walk from the end that must be kept, so a cut drops the far end.
    QList<QJsonObject> kept;
    qsizetype bytes = 0;
    *cut = false;
    for (qsizetype i = 0; i < messages.size(); ++i) {
        const ChatMessage &message = messages.at(fromEnd ? messages.size() - 1 - i : i);
        bytes += entryBytes(message);
        if (bytes > MaxListBytes && !kept.isEmpty()) {
            *cut = true;
            break;
        }
        kept.append(entry(message));
    }
    if (fromEnd)
        std::reverse(kept.begin(), kept.end());

    QJsonArray list;
    for (const QJsonObject &object : std::as_const(kept))
        list.append(object);
    return list;
}

// After `joined`, before any later message of the room: exactly what the client missed, or an
// explicit refusal saying why and how much. Never a silent gap.
void Hub::sendRecovery(Connection *connection, Room *room, quint64 seq, const QString &epoch)
{
    QJsonObject out {{QStringLiteral("type"), QStringLiteral("recovery")},
                     {QStringLiteral("room"), room->name},
                     {QStringLiteral("epoch"), room->epoch}};
    auto refuse = [&](const QString &reason, const QJsonValue &missing) {
        out.insert(QStringLiteral("ok"), false);
        out.insert(QStringLiteral("reason"), reason);
        out.insert(QStringLiteral("missing"), missing);
        sendJson(connection, out);
    };

    if (epoch != room->epoch || seq > room->lastSeq)
        return refuse(QStringLiteral("epoch_changed"), QJsonValue::Null);

    const quint64 missed = room->lastSeq - seq;
    const quint64 oldest = missed > 0 ? m_store->oldestSeq(room->key) : 0;
    if (missed > 0 && (oldest == 0 || oldest > seq + 1)) {
        const quint64 firstKept = oldest == 0 ? room->lastSeq + 1 : oldest;
        return refuse(QStringLiteral("retention"), double(firstKept - seq - 1));
    }
    if (missed > quint64(MaxRecovery))
        return refuse(QStringLiteral("too_many"), double(missed));

    const QList<ChatMessage> messages =
        missed > 0 ? m_store->messages(room->key, seq, room->lastSeq + 1, MaxRecovery, false)
                   : QList<ChatMessage>();
    bool cut = false;
    const QJsonArray entries = historyEntries(messages, false, &cut);
    if (cut)
        return refuse(QStringLiteral("too_many"), double(missed));

    out.insert(QStringLiteral("ok"), true);
    out.insert(QStringLiteral("messages"), entries);
    sendJson(connection, out);
}

void Hub::handleHistory(Connection *connection, const ClientFrame &frame)
{
    Room *room = findRoom(frame.room);
    if (!room || !connection->rooms.contains(room))
        return rejectFrame(connection, room ? Error::NotInRoom : Error::NoSuchRoom,
                           tr("join %1 to read its history").arg(frame.room), frame.typeName);

    bool more = false;
    const QList<ChatMessage> messages =
        pageOf(room, frame.beforeSeq, frame.hasAfter ? frame.afterSeq : 0, frame.limit,
               frame.hasAfter, &more);
    bool cut = false;
    const QJsonArray entries = historyEntries(messages, !frame.hasAfter, &cut);
    sendJson(connection, {{QStringLiteral("type"), QStringLiteral("history")},
                          {QStringLiteral("room"), room->name},
                          {QStringLiteral("epoch"), room->epoch},
                          {QStringLiteral("messages"), entries},
                          {QStringLiteral("more"), more || cut}});
}

// For the operator (console, ctl): the same page as a client's `history`, as values.
HistoryPage Hub::history(const QString &roomName, quint64 before, quint64 after, int limit)
{
    HistoryPage page;
    Room *room = findRoom(roomName);
    if (!room) {
        page.error = Error::NoSuchRoom;
        page.message = tr("there is no room %1").arg(roomName);
        return page;
    }

    const QList<ChatMessage> messages = pageOf(room, before, after, limit, after > 0, &page.more);
    page.ok = true;
    page.room = room->name;
    page.epoch = room->epoch;
    for (const ChatMessage &message : messages)
        page.messages.append(
            {room->name, message.seq, message.from, message.text, message.ts, message.deleted});
    return page;
}

// One page of kept messages, ascending: the oldest above `after` when oldestFirst, otherwise
// the newest below `before` (0: no bound).
QList<ChatMessage> Hub::pageOf(const Room *room, quint64 before, quint64 after, int limit,
                               bool oldestFirst, bool *more)
{
    // Never past what was accepted: later seqs may still be waiting for their commit.
    quint64 upper = room->lastSeq + 1;
    if (before > 0 && before < upper)
        upper = before;
    limit = qBound(1, limit, MaxHistoryLimit);

    QList<ChatMessage> messages =
        m_store->messages(room->key, oldestFirst ? after : 0, upper, limit + 1, !oldestFirst);
    *more = messages.size() > limit;
    if (*more) {
        if (oldestFirst)
            messages.removeLast();
        else
            messages.removeFirst();
    }
    return messages;
}

// Dms kept while the user was offline, right after their welcome.
void Hub::deliverStored(Connection *connection)
{
    User *user = connection->user;
    const QList<DirectMessage> pending = m_store->pendingFor(user->key);
    for (const DirectMessage &message : pending) {
        send(connection, WsFrame::text(encode(privateFrame(message, true))), true);
        m_store->markDelivered(message.id, user->key);
    }
    if (!pending.isEmpty())
        qCInfo(lcHub).noquote() << "delivered" << pending.size() << "stored messages to"
                                << user->name;
}

// Once a minute: retention in the store, and names whose claim has lapsed.
void Hub::pruneState()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    m_store->prune(now);

    for (auto it = m_users.begin(); it != m_users.end();) {
        User *user = it.value();
        if (user->isOnline() || !claimLapsed(user->lastSeen, now)) {
            ++it;
            continue;
        }
        m_store->dropUser(user->key);
        it = m_users.erase(it);
        delete user;
    }

    const qint64 nowMs = QDeadlineTimer::current().deadline();
    for (Room *room : std::as_const(m_rooms)) {
        const qint64 window = qint64(room->slowModeS) * 1000;
        room->lastSayMs.removeIf([&](const auto &said) { return nowMs - said.value() > window; });
    }
}
