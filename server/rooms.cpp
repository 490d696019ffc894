// Rooms, membership and presence.

#include <algorithm>

#include "hub.h"
#include "logging.h"
#include "store.h"

using namespace Protocol;

namespace {

// The first `cap` names in order of arrival; *cut says whether there were more.
QJsonArray nameArray(const QHash<QString, quint64> &names, int cap, bool *cut)
{
    QList<std::pair<quint64, QString>> ordered;
    ordered.reserve(names.size());
    for (auto it = names.cbegin(); it != names.cend(); ++it)
        ordered.append({it.value(), it.key()});
    std::sort(ordered.begin(), ordered.end());

    QJsonArray array;
    for (qsizetype i = 0; i < ordered.size() && i < cap; ++i)
        array.append(ordered.at(i).second);
    *cut = *cut || ordered.size() > cap;
    return array;
}

QJsonObject memberEntry(const User *user)
{
    return {{QStringLiteral("user"), user->name}, {QStringLiteral("status"), user->presence()}};
}

} // namespace

Room *Hub::findRoom(const QString &name) const
{
    return m_rooms.value(nameKey(name));
}

User *Hub::findUser(const QString &name) const
{
    return m_users.value(nameKey(name));
}

Room *Hub::addRoom(const QString &name, const QString &topic)
{
    auto *room = new Room;
    room->name = name.normalized(QString::NormalizationForm_C);
    room->key = nameKey(name);
    room->topic = topic;
    room->epoch = Store::newEpoch(); // a new room is a new history, even under an old name
    room->createdAt = QDateTime::currentDateTimeUtc();
    m_rooms.insert(room->key, room);
    saveRoom(room);

    sendToAll({{QStringLiteral("type"), QStringLiteral("room_created")},
               {QStringLiteral("room"), room->name},
               {QStringLiteral("topic"), room->topic}},
              false);
    return room;
}

void Hub::enterRoom(Connection *connection, Room *room)
{
    User *user = connection->user;
    room->connections.insert(connection);
    connection->rooms.insert(room);

    int &devicesInRoom = room->members[user];
    if (++devicesInRoom == 1) {
        room->membersByKey.insert(user->key, user);
        memberJoined(room, user);
    }
}

void Hub::exitRoom(Connection *connection, Room *room)
{
    User *user = connection->user;
    room->connections.remove(connection);
    connection->rooms.remove(room);

    auto member = room->members.find(user);
    if (member == room->members.end() || --member.value() > 0)
        return;
    room->members.erase(member);
    room->membersByKey.remove(user->key);
    if (!m_shuttingDown)
        memberLeft(room, user);
}

// Once per user per room, on their first device in: never per device. In big rooms the
// changes are gathered and sent once per tick, so a join storm costs members, not members
// squared, frames.
void Hub::memberJoined(Room *room, User *user)
{
    qCDebug(lcHub).noquote() << user->name << "joined" << room->name;
    record(HubEvent::Kind::Joined, nullptr, room->name, user->name);

    if (room->members.size() > m_config.coalesceAbove || !room->pendingJoined.isEmpty()
        || !room->pendingLeft.isEmpty()) {
        if (!room->pendingLeft.remove(user->name))
            room->pendingJoined.insert(user->name, ++room->pendingOrder);
        return;
    }

    sendToRoom(room,
               {{QStringLiteral("type"), QStringLiteral("member_joined")},
                {QStringLiteral("room"), room->name},
                {QStringLiteral("user"), user->name},
                {QStringLiteral("status"), user->presence()}},
               user);
}

void Hub::memberLeft(Room *room, User *user)
{
    qCDebug(lcHub).noquote() << user->name << "left" << room->name;
    record(HubEvent::Kind::Left, nullptr, room->name, user->name);

    if (room->members.size() >= m_config.coalesceAbove || !room->pendingJoined.isEmpty()
        || !room->pendingLeft.isEmpty()) {
        if (!room->pendingJoined.remove(user->name))
            room->pendingLeft.insert(user->name, ++room->pendingOrder);
        return;
    }

    sendToRoom(room, {{QStringLiteral("type"), QStringLiteral("member_left")},
                      {QStringLiteral("room"), room->name},
                      {QStringLiteral("user"), user->name}});
}

// Each list holds at most member_list_cap names: a join storm into a big room would otherwise
// send every member every name, members squared. Past the cap the frame says `truncated`.
void Hub::flushMemberChanges(Room *room)
{
    if (room->pendingJoined.isEmpty() && room->pendingLeft.isEmpty())
        return;

    const int cap = qMax(1, m_config.memberListCap);
    bool cut = false;
    QJsonObject frame {{QStringLiteral("type"), QStringLiteral("members_changed")},
                       {QStringLiteral("room"), room->name},
                       {QStringLiteral("joined"), nameArray(room->pendingJoined, cap, &cut)},
                       {QStringLiteral("left"), nameArray(room->pendingLeft, cap, &cut)},
                       {QStringLiteral("count"), int(room->members.size())}};
    if (cut)
        frame.insert(QStringLiteral("truncated"), true);
    sendToRoom(room, frame);
    room->pendingJoined.clear();
    room->pendingLeft.clear();
}

QJsonObject Hub::joinedFrame(const Room *room) const
{
    QString next;
    QJsonObject frame {{QStringLiteral("type"), QStringLiteral("joined")},
                       {QStringLiteral("room"), room->name},
                       {QStringLiteral("seq"), double(room->lastSeq)},
                       {QStringLiteral("epoch"), room->epoch},
                       {QStringLiteral("settings"), roomSettings(room)},
                       {QStringLiteral("topic"), room->topic},
                       {QStringLiteral("count"), int(room->members.size())},
                       {QStringLiteral("members"), memberList(room, {}, &next)}};
    if (!next.isEmpty())
        frame.insert(QStringLiteral("next"), next);
    return frame;
}

QJsonObject Hub::roomSettings(const Room *room) const
{
    return {{QStringLiteral("max_members"), room->maxMembers},
            {QStringLiteral("locked"), room->locked},
            {QStringLiteral("slow_mode_s"), room->slowModeS},
            {QStringLiteral("password"), !room->passwordHash.isEmpty()}};
}

// One page of members in name order, starting after the name key `after`. The room keeps its
// members sorted, so a page costs its own size, not the room's: a join storm into a big room
// stays linear.
QJsonArray Hub::memberList(const Room *room, const QString &after, QString *next) const
{
    const int cap = qMax(1, m_config.memberListCap);
    auto it = after.isEmpty() ? room->membersByKey.cbegin()
                              : room->membersByKey.upperBound(nameKey(after));

    QJsonArray list;
    QString lastKey;
    for (; it != room->membersByKey.cend() && list.size() < cap; ++it) {
        list.append(memberEntry(it.value()));
        lastKey = it.key();
    }
    if (it != room->membersByKey.cend())
        *next = lastKey;
    return list;
}

// To everyone who shares a room with the user, and to the user's own devices.
void Hub::announcePresence(User *user)
{
    const QByteArray wire =
        WsFrame::text(encode({{QStringLiteral("type"), QStringLiteral("presence")},
                              {QStringLiteral("user"), user->name},
                              {QStringLiteral("status"), user->presence()}}));

    const quint64 mark = nextMark();
    auto deliver = [this, mark, &wire](Connection *connection) {
        if (connection->mark == mark)
            return;
        connection->mark = mark;
        send(connection, wire);
    };

    for (Connection *own : user->connections)
        deliver(own);
    for (Room *room : std::as_const(m_rooms)) {
        if (!room->members.contains(user))
            continue;
        for (Connection *member : room->connections)
            deliver(member);
    }
}
