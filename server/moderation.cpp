// Moderation: bans, mutes, slow mode, room settings, deleted messages, and the audit log that
// records every one of them.
#include <QDeadlineTimer>
#include <QHostAddress>
#include <QSet>

#include "gateway.h"
#include "hub.h"
#include "logging.h"
#include "store.h"

using namespace Protocol;

namespace {

constexpr int MaxSlowModeS = 24 * 60 * 60;
constexpr int MaxRoomMembers = 1000000;

bool inForce(const QDateTime &until, const QDateTime &now)
{
    return !until.isValid() || until > now;
}

QDateTime untilFor(qint64 durationS)
{
    return durationS > 0 ? QDateTime::currentDateTimeUtc().addSecs(durationS) : QDateTime();
}

QString clip(const QString &text)
{
    return text.size() <= MaxReasonChars ? text : text.left(MaxReasonChars);
}

// For people: the audit log, ctl and error messages. Frames carry the ISO time in `until`.
QString untilText(const QDateTime &until)
{
    return until.isValid()
               ? QObject::tr("until %1 UTC").arg(until.toString(QStringLiteral("yyyy-MM-dd HH:mm")))
               : QObject::tr("permanently");
}

QList<quint64> idsOf(const std::vector<Connection *> &connections)
{
    QList<quint64> ids;
    for (const Connection *connection : connections)
        ids.append(connection->id);
    return ids;
}

} // namespace

// ---- checks on the client paths

bool Hub::refuseBannedAddress(Connection *connection)
{
    const auto found = m_addressBans.constFind(connection->address);
    if (found == m_addressBans.constEnd()
        || !inForce(found->until, QDateTime::currentDateTimeUtc()))
        return false;
    closeBanned(connection, *found);
    return true;
}

const BanRecord *Hub::userBan(const QString &userKey) const
{
    const auto found = m_userBans.constFind(userKey);
    if (found == m_userBans.constEnd() || !inForce(found->until, QDateTime::currentDateTimeUtc()))
        return nullptr;
    return &found.value();
}

// A browser cannot read why an HTTP 403 refused its WebSocket, so a banned client is let in
// just far enough to be told.
void Hub::closeBanned(Connection *connection, const BanRecord &ban)
{
    const QString why = ban.reason.isEmpty() ? tr("banned by %1").arg(ban.issuer)
                                             : tr("banned by %1: %2").arg(ban.issuer, ban.reason);
    QJsonObject error = errorObject(Error::Banned, why, QStringLiteral("hello"));
    error.insert(QStringLiteral("until"), timestampOrNull(ban.until));
    ++m_totals.rejectedFrames;
    send(connection, WsFrame::text(encode(error)));
    record(HubEvent::Kind::Rejected, connection, {}, tr("banned: %1").arg(ban.display));
    closeConnection(connection, CloseBanned, tr("banned"));
}

const MuteRecord *Hub::muteFor(const User *user, const Room *room) const
{
    if (m_mutes.isEmpty())
        return nullptr; // the common case, on every say
    const auto found = m_mutes.constFind(user->key);
    if (found == m_mutes.constEnd())
        return nullptr;

    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (const MuteRecord &mute : *found) {
        const bool covers = mute.roomKey.isEmpty() || (room && mute.roomKey == room->key);
        if (covers && inForce(mute.until, now))
            return &mute;
    }
    return nullptr;
}

bool Hub::refuseMuted(Connection *connection, const Room *room, const QJsonValue &ref)
{
    const MuteRecord *mute = muteFor(connection->user, room);
    if (!mute)
        return false;

    const QString where = mute->room.isEmpty() ? tr("everywhere") : tr("in %1").arg(mute->room);
    QJsonObject error = errorObject(
        Error::Muted, tr("you are muted %1 %2").arg(where, untilText(mute->until)), ref);
    error.insert(QStringLiteral("until"), timestampOrNull(mute->until));
    ++m_totals.rejectedFrames;
    send(connection, WsFrame::text(encode(error)));
    return true;
}

bool Hub::refuseSlowMode(Connection *connection, Room *room, const QJsonValue &ref)
{
    if (room->slowModeS <= 0)
        return false;

    const qint64 now = QDeadlineTimer::current().deadline();
    const qint64 windowMs = qint64(room->slowModeS) * 1000;
    const auto last = room->lastSayMs.constFind(connection->user->key);
    if (last != room->lastSayMs.constEnd() && now - last.value() < windowMs) {
        const qint64 waitMs = windowMs - (now - last.value());
        const int retryS = int(qMax<qint64>(1, (waitMs + 999) / 1000));
        QJsonObject error = errorObject(Error::SlowMode,
                                        tr("%1 is in slow mode: one message every %2 s; wait %3 s")
                                            .arg(room->name)
                                            .arg(room->slowModeS)
                                            .arg(retryS),
                                        ref);
        error.insert(QStringLiteral("retry_after_s"), retryS);
        ++m_totals.rejectedFrames;
        send(connection, WsFrame::text(encode(error)));
        return true;
    }

    room->lastSayMs.insert(connection->user->key, now);
    return false;
}

// A user already in the room on another device may always add one more.
bool Hub::refuseJoin(Connection *connection, const Room *room, const ClientFrame &frame)
{
    if (room->members.contains(connection->user))
        return false;

    auto refuse = [&](const QString &code, const QString &message) {
        rejectFrame(connection, code, message, frame.typeName);
        return true;
    };
    if (room->locked)
        return refuse(Error::RoomLocked,
                      tr("%1 is locked: it takes no new members").arg(room->name));
    if (!room->passwordHash.isEmpty()
        && !Store::checkPassword(frame.roomPassword, room->passwordHash))
        return refuse(Error::BadRoomPassword, frame.roomPassword.isEmpty()
                                                  ? tr("%1 needs a password").arg(room->name)
                                                  : tr("wrong password for %1").arg(room->name));
    if (room->maxMembers > 0 && room->members.size() >= room->maxMembers)
        return refuse(
            Error::RoomFull,
            tr("%1 is full (%2)").arg(room->name, countText(room->maxMembers, Noun::Member)));
    return false;
}

// Once a tick: bans and mutes whose time is up end by themselves.
void Hub::expireModeration(const QDateTime &now)
{
    auto expireBans = [&](QHash<QString, BanRecord> &bans) {
        for (auto it = bans.begin(); it != bans.end();) {
            if (inForce(it->until, now)) {
                ++it;
                continue;
            }
            qCInfo(lcModeration).noquote() << "ban of" << it->display << "ended";
            record(HubEvent::Kind::Moderation, nullptr, {}, tr("ban of %1 ended").arg(it->display));
            m_store->dropBan(it->id);
            it = bans.erase(it);
        }
    };
    expireBans(m_userBans);
    expireBans(m_addressBans);

    for (auto user = m_mutes.begin(); user != m_mutes.end();) {
        QList<MuteRecord> &mutes = user.value();
        for (qsizetype i = mutes.size() - 1; i >= 0; --i) {
            if (inForce(mutes.at(i).until, now))
                continue;
            const MuteRecord ended = mutes.takeAt(i);
            m_store->dropMute(ended.id);
            notifyUnmuted(ended);
            record(HubEvent::Kind::Moderation, nullptr, ended.room,
                   tr("mute of %1 ended").arg(ended.user));
        }
        user = mutes.isEmpty() ? m_mutes.erase(user) : std::next(user);
    }
}

void Hub::notifyUnmuted(const MuteRecord &mute)
{
    User *user = m_users.value(mute.userKey);
    if (!user)
        return;
    QJsonObject frame {{QStringLiteral("type"), QStringLiteral("unmuted")}};
    if (!mute.room.isEmpty())
        frame.insert(QStringLiteral("room"), mute.room);
    for (Connection *device : user->connections)
        sendJson(device, frame);
}

// ---- the audit log

void Hub::audit(const QString &action, const QString &by, const QString &target,
                const QString &room, const QString &reason, const QString &detail,
                const QList<quint64> &connections, const QDateTime &until)
{
    AuditEntry entry;
    entry.ts = QDateTime::currentDateTimeUtc();
    entry.actor = operatorName(by);
    entry.action = action;
    entry.target = target;
    entry.room = room;
    entry.reason = reason;
    entry.until = until;
    entry.detail = detail;
    entry.connections = connections;
    m_store->addAudit(entry);

    qCInfo(lcModeration).noquote()
        << entry.actor << action << target << (room.isEmpty() ? QString() : tr("in %1").arg(room))
        << detail << (reason.isEmpty() ? QString() : QStringLiteral("(%1)").arg(reason));
    record(HubEvent::Kind::Moderation, nullptr, room,
           tr("%1: %2 %3 %4").arg(entry.actor, action, target, detail).trimmed());
}

QList<AuditEntry> Hub::audit(const AuditFilter &filter)
{
    return m_store->audit(filter);
}

// Whole words rather than "connection(s)": these lines are read in the audit log and ctl.
// Known limitation: English plural rules only, until the engine has translations.
QString Hub::countText(int count, Noun noun)
{
    const bool one = count == 1;
    switch (noun) {
    case Noun::Connection:
        return (one ? tr("%1 connection") : tr("%1 connections")).arg(count);
    case Noun::Room:
        return (one ? tr("%1 room") : tr("%1 rooms")).arg(count);
    case Noun::Member:
        return (one ? tr("%1 member") : tr("%1 members")).arg(count);
    case Noun::Delivery:
        return (one ? tr("%1 delivery") : tr("%1 deliveries")).arg(count);
    }
    return QString::number(count);
}

QString Hub::impact(const std::vector<Connection *> &connections) const
{
    QSet<const Room *> rooms;
    for (const Connection *connection : connections) {
        for (const Room *room : connection->rooms)
            rooms.insert(room);
    }
    return tr("%1 in %2")
        .arg(countText(int(connections.size()), Noun::Connection),
             countText(int(rooms.size()), Noun::Room));
}

// ---- operator commands

OperatorResult Hub::ban(const BanRequest &request, const QString &by)
{
    BanRecord ban;
    ban.kind = request.address ? BanRecord::Kind::Address : BanRecord::Kind::User;
    if (request.address) {
        const QHostAddress address(request.target.trimmed());
        if (address.isNull())
            return OperatorResult::failure(Error::BadField,
                                           tr("%1 is not an IP address").arg(request.target));
        ban.value = addressString(address);
        ban.display = ban.value;
    } else {
        QString why;
        if (!isValidUserName(request.target, &why))
            return OperatorResult::failure(Error::BadName, why);
        ban.value = nameKey(request.target);
        const User *known = m_users.value(ban.value);
        ban.display = known ? known->name : request.target;
    }
    if (request.durationS < 0)
        return OperatorResult::failure(Error::BadField, tr("a ban lasts a positive time"));
    ban.reason = clip(request.reason);
    ban.issuer = operatorName(by);
    ban.createdAt = QDateTime::currentDateTimeUtc();
    ban.until = untilFor(request.durationS);

    // A new ban of the same target replaces the old one: its time and reason are the ones meant.
    QHash<QString, BanRecord> &bans = request.address ? m_addressBans : m_userBans;
    if (bans.contains(ban.value))
        m_store->dropBan(bans.value(ban.value).id);
    ban.id = m_store->addBan(ban);
    bans.insert(ban.value, ban);

    std::vector<Connection *> covered;
    for (Connection *connection : std::as_const(m_connections)) {
        if (connection->state == Connection::State::Closing)
            continue;
        const bool hit = request.address ? connection->address == ban.value
                                         : connection->user && connection->user->key == ban.value;
        if (hit)
            covered.push_back(connection);
    }
    // Counted before closing: a close can free a connection at once.
    const QString detail = tr("closed %1").arg(impact(covered));
    const QList<quint64> ids = idsOf(covered);
    for (Connection *connection : covered)
        closeBanned(connection, ban);

    audit(QStringLiteral("ban"), by, ban.display, {}, ban.reason, detail, ids, ban.until);
    OperatorResult result = OperatorResult::success(int(covered.size()));
    result.message = detail;
    result.id = ban.id;
    return result;
}

OperatorResult Hub::unban(qint64 id, const QString &by)
{
    for (QHash<QString, BanRecord> *bans : {&m_userBans, &m_addressBans}) {
        for (auto it = bans->begin(); it != bans->end(); ++it) {
            if (it->id != id)
                continue;
            const BanRecord lifted = it.value();
            bans->erase(it);
            m_store->dropBan(lifted.id);
            audit(QStringLiteral("unban"), by, lifted.display, {}, {}, tr("ban lifted"));
            return OperatorResult::success();
        }
    }
    return OperatorResult::failure(Error::NoSuchBan, tr("there is no ban %1").arg(id));
}

OperatorResult Hub::unbanTarget(bool address, const QString &target, const QString &by)
{
    const QString value = address ? addressString(QHostAddress(target.trimmed())) : nameKey(target);
    const QHash<QString, BanRecord> &bans = address ? m_addressBans : m_userBans;
    if (!bans.contains(value))
        return OperatorResult::failure(Error::NoSuchBan, tr("%1 is not banned").arg(target));
    return unban(bans.value(value).id, by);
}

OperatorResult Hub::mute(const MuteRequest &request, const QString &by)
{
    User *user = findUser(request.user);
    if (!user)
        return OperatorResult::failure(Error::NoSuchUser,
                                       tr("nobody here is called %1").arg(request.user));
    QString why;
    if (!request.room.isEmpty() && !isValidRoomName(request.room, &why))
        return OperatorResult::failure(Error::BadRoom, why);
    Room *room = request.room.isEmpty() ? nullptr : findRoom(request.room);
    if (!request.room.isEmpty() && !room)
        return OperatorResult::failure(Error::NoSuchRoom,
                                       tr("there is no room %1").arg(request.room));
    if (request.durationS < 0)
        return OperatorResult::failure(Error::BadField, tr("a mute lasts a positive time"));

    MuteRecord mute;
    mute.userKey = user->key;
    mute.user = user->name;
    mute.roomKey = room ? room->key : QString();
    mute.room = room ? room->name : QString();
    mute.reason = clip(request.reason);
    mute.issuer = operatorName(by);
    mute.createdAt = QDateTime::currentDateTimeUtc();
    mute.until = untilFor(request.durationS);

    QList<MuteRecord> &mutes = m_mutes[user->key];
    for (qsizetype i = mutes.size() - 1; i >= 0; --i) {
        if (mutes.at(i).roomKey == mute.roomKey)
            m_store->dropMute(mutes.takeAt(i).id);
    }
    mute.id = m_store->addMute(mute);
    mutes.append(mute);

    QJsonObject frame {{QStringLiteral("type"), QStringLiteral("muted")},
                       {QStringLiteral("until"), timestampOrNull(mute.until)},
                       {QStringLiteral("reason"), mute.reason},
                       {QStringLiteral("by"), mute.issuer}};
    if (room)
        frame.insert(QStringLiteral("room"), room->name);
    const std::vector<Connection *> devices = user->connections.items();
    for (Connection *device : devices)
        sendJson(device, frame);

    const QString where = room ? tr("in %1").arg(room->name) : tr("hub-wide");
    audit(QStringLiteral("mute"), by, user->name, mute.room, mute.reason,
          tr("%1 %2; %3 online").arg(where, untilText(mute.until), impact(devices)), idsOf(devices),
          mute.until);
    OperatorResult result = OperatorResult::success(int(devices.size()));
    result.id = mute.id;
    return result;
}

OperatorResult Hub::unmute(const QString &userName, const QString &roomName, const QString &by)
{
    const QString userKey = nameKey(userName);
    const QString roomKey = roomName.isEmpty() ? QString() : nameKey(roomName);
    auto found = m_mutes.find(userKey);
    if (found != m_mutes.end()) {
        for (qsizetype i = 0; i < found->size(); ++i) {
            if (found->at(i).roomKey != roomKey)
                continue;
            const MuteRecord lifted = found->takeAt(i);
            if (found->isEmpty())
                m_mutes.erase(found);
            m_store->dropMute(lifted.id);
            notifyUnmuted(lifted);
            audit(QStringLiteral("unmute"), by, lifted.user, lifted.room, {}, tr("mute lifted"));
            return OperatorResult::success();
        }
    }
    return OperatorResult::failure(Error::NoSuchMute,
                                   roomName.isEmpty()
                                       ? tr("%1 is not muted hub-wide").arg(userName)
                                       : tr("%1 is not muted in %2").arg(userName, roomName));
}

OperatorResult Hub::setRoomSettings(const QString &name, const RoomSettingsChange &change,
                                    const QString &by)
{
    Room *room = findRoom(name);
    if (!room)
        return OperatorResult::failure(Error::NoSuchRoom, tr("there is no room %1").arg(name));
    if (change.maxMembers && (*change.maxMembers < 0 || *change.maxMembers > MaxRoomMembers))
        return OperatorResult::failure(
            Error::BadField, tr("max members is from 0 (no limit) to %1").arg(MaxRoomMembers));
    if (change.slowModeS && (*change.slowModeS < 0 || *change.slowModeS > MaxSlowModeS))
        return OperatorResult::failure(
            Error::BadField, tr("slow mode is from 0 (off) to %1 seconds").arg(MaxSlowModeS));
    if (change.password && change.password->size() > MaxPasswordChars)
        return OperatorResult::failure(
            Error::TooLarge, tr("a room password has at most %1 characters").arg(MaxPasswordChars));

    if (!change.maxMembers && !change.locked && !change.slowModeS && !change.password)
        return OperatorResult::failure(Error::MissingField, tr("no setting to change"));

    QStringList changed;
    if (change.maxMembers) {
        room->maxMembers = *change.maxMembers;
        changed << tr("max members %1")
                       .arg(room->maxMembers ? QString::number(room->maxMembers) : tr("unlimited"));
    }
    if (change.locked) {
        room->locked = *change.locked;
        changed << (room->locked ? tr("locked") : tr("unlocked"));
    }
    if (change.slowModeS) {
        room->slowModeS = *change.slowModeS;
        changed << (room->slowModeS ? tr("slow mode %1 s").arg(room->slowModeS)
                                    : tr("slow mode off"));
    }
    if (change.password) {
        room->passwordHash =
            change.password->isEmpty() ? QString() : Store::hashPassword(*change.password);
        changed << (change.password->isEmpty() ? tr("password removed") : tr("password set"));
    }
    saveRoom(room);

    sendToRoom(room, {{QStringLiteral("type"), QStringLiteral("room_settings")},
                      {QStringLiteral("room"), room->name},
                      {QStringLiteral("settings"), roomSettings(room)}});
    audit(QStringLiteral("room_settings"), by, room->name, room->name, {},
          changed.join(QStringLiteral(", ")));
    return OperatorResult::success(int(room->connections.size()));
}

OperatorResult Hub::deleteMessage(const QString &name, quint64 seq, const QString &reason,
                                  const QString &by)
{
    Room *room = findRoom(name);
    if (!room)
        return OperatorResult::failure(Error::NoSuchRoom, tr("there is no room %1").arg(name));
    if (seq == 0 || seq > room->lastSeq || !m_store->deleteMessage(room->key, seq))
        return OperatorResult::failure(
            Error::NoSuchMessage,
            tr("%1 holds no message %2, or it is deleted already").arg(room->name).arg(seq));

    sendToRoom(room, {{QStringLiteral("type"), QStringLiteral("deleted")},
                      {QStringLiteral("room"), room->name},
                      {QStringLiteral("seq"), double(seq)}});
    audit(QStringLiteral("delete_message"), by, tr("message %1").arg(seq), room->name, clip(reason),
          tr("removed for %1").arg(countText(int(room->connections.size()), Noun::Connection)));
    return OperatorResult::success(int(room->connections.size()));
}
