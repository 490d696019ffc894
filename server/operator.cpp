// Operator commands, for the console, `confab ctl` and tests. Each validates, acts, records.
#include "hub.h"
#include "logging.h"
#include "store.h"

using namespace Protocol;

namespace {

QString clip(const QString &text, int maxChars)
{
    return text.size() <= maxChars ? text : text.left(maxChars);
}

} // namespace

OperatorResult Hub::kickConnection(quint64 id, const QString &reason, const QString &by)
{
    Connection *connection = m_connections.value(id);
    if (!connection || connection->state == Connection::State::Closing)
        return OperatorResult::failure(QStringLiteral("no_such_connection"),
                                       tr("there is no connection %1").arg(id));

    const QString why =
        clip(reason.isEmpty() ? tr("kicked by the operator") : reason, MaxReasonChars);
    const QString target = connection->user
                               ? tr("%1 (connection %2)").arg(connection->user->name).arg(id)
                               : tr("connection %1").arg(id);
    const QString detail = tr("closed %1").arg(impact({connection}));
    kickOne(connection, why, by);
    audit(QStringLiteral("kick"), by, target, {}, why, detail, {id});
    return OperatorResult::success(1);
}

void Hub::kickOne(Connection *connection, const QString &why, const QString &by)
{
    ++m_totals.kicks;
    qCInfo(lcHub).noquote() << "kicking connection" << connection->id << "of"
                            << (connection->user ? connection->user->name : tr("(no hello)"))
                            << "by" << operatorName(by);
    record(HubEvent::Kind::Kicked, connection, {}, tr("by %1: %2").arg(operatorName(by), why));

    // The whole reason travels in this frame; the close reason is cut to 123 bytes.
    sendJson(connection, {{QStringLiteral("type"), QStringLiteral("kicked")},
                          {QStringLiteral("reason"), why},
                          {QStringLiteral("by"), operatorName(by)}});
    closeConnection(connection, CloseKicked, why);
}

QString Hub::connectionUser(quint64 id) const
{
    const Connection *connection = m_connections.value(id);
    return connection && connection->user ? connection->user->name : QString();
}

OperatorResult Hub::kickUser(const QString &name, const QString &reason, const QString &by)
{
    User *user = findUser(name);
    if (!user || !user->isOnline())
        return OperatorResult::failure(Error::NoSuchUser, tr("%1 is not connected").arg(name));

    const QString why =
        clip(reason.isEmpty() ? tr("kicked by the operator") : reason, MaxReasonChars);
    const std::vector<Connection *> devices = user->connections.items();
    const QString detail = tr("closed %1").arg(impact(devices));
    QList<quint64> ids;
    for (Connection *connection : devices) {
        ids.append(connection->id);
        kickOne(connection, why, by);
    }
    audit(QStringLiteral("kick"), by, user->name, {}, why, detail, ids);
    OperatorResult result = OperatorResult::success(int(devices.size()));
    result.message = detail;
    return result;
}

OperatorResult Hub::broadcast(const QString &text, const QString &roomName, const QString &by)
{
    if (text.trimmed().isEmpty())
        return OperatorResult::failure(Error::BadField, tr("an announcement needs some text"));
    if (text.size() > m_config.maxTextChars)
        return OperatorResult::failure(
            Error::TooLarge,
            tr("an announcement has at most %1 characters").arg(m_config.maxTextChars));

    Room *room = roomName.isEmpty() ? nullptr : findRoom(roomName);
    if (!roomName.isEmpty() && !room)
        return OperatorResult::failure(Error::NoSuchRoom, tr("there is no room %1").arg(roomName));

    QJsonObject frame {{QStringLiteral("type"), QStringLiteral("announcement")},
                       {QStringLiteral("from"), operatorName(by)},
                       {QStringLiteral("text"), text},
                       {QStringLiteral("ts"), timestamp(QDateTime::currentDateTimeUtc())}};
    if (room)
        frame.insert(QStringLiteral("room"), room->name);

    const quint64 before = m_totals.deliveries;
    if (room)
        sendToConnections(room->connections.items(), WsFrame::text(encode(frame)), true);
    else
        sendToAll(frame, true);

    record(HubEvent::Kind::Broadcast, nullptr, room ? room->name : QString(),
           tr("by %1").arg(operatorName(by)));
    const int deliveries = int(m_totals.deliveries - before);
    audit(QStringLiteral("broadcast"), by, room ? room->name : tr("everyone"),
          room ? room->name : QString(), {}, countText(deliveries, Noun::Delivery));
    return OperatorResult::success(deliveries);
}

OperatorResult Hub::createRoom(const QString &name, const QString &topic, const QString &by)
{
    QString why;
    if (!isValidRoomName(name, &why))
        return OperatorResult::failure(Error::BadRoom, why);
    if (findRoom(name))
        return OperatorResult::failure(Error::RoomExists, tr("room %1 exists already").arg(name));
    if (topic.size() > MaxTopicChars)
        return OperatorResult::failure(Error::TooLarge,
                                       tr("a topic has at most %1 characters").arg(MaxTopicChars));

    Room *room = addRoom(name, topic);
    qCInfo(lcHub).noquote() << "room" << room->name << "created";
    record(HubEvent::Kind::RoomCreated, nullptr, room->name, {});
    audit(QStringLiteral("room_create"), by, room->name, room->name, {}, topic);
    return OperatorResult::success();
}

OperatorResult Hub::deleteRoom(const QString &name, const QString &by)
{
    Room *room = findRoom(name);
    if (!room)
        return OperatorResult::failure(Error::NoSuchRoom, tr("there is no room %1").arg(name));

    // Members are told they left; the room goes silently, with no member_left storm.
    const QByteArray left = WsFrame::text(encode(
        {{QStringLiteral("type"), QStringLiteral("left")}, {QStringLiteral("room"), room->name}}));
    const std::vector<Connection *> members = room->connections.items();
    for (Connection *connection : members) {
        send(connection, left);
        connection->rooms.remove(room);
    }

    m_rooms.remove(room->key);
    m_store->dropRoom(room->key);
    sendToAll({{QStringLiteral("type"), QStringLiteral("room_deleted")},
               {QStringLiteral("room"), room->name}},
              false);

    qCInfo(lcHub).noquote() << "room" << room->name << "deleted," << members.size()
                            << "connections removed";
    record(HubEvent::Kind::RoomDeleted, nullptr, room->name, {});
    QList<quint64> ids;
    for (const Connection *connection : members)
        ids.append(connection->id);
    audit(QStringLiteral("room_delete"), by, room->name, room->name, {},
          tr("removed %1").arg(countText(int(members.size()), Noun::Connection)), ids);
    delete room;
    return OperatorResult::success(int(members.size()));
}

OperatorResult Hub::setTopic(const QString &name, const QString &topic, const QString &by)
{
    Room *room = findRoom(name);
    if (!room)
        return OperatorResult::failure(Error::NoSuchRoom, tr("there is no room %1").arg(name));
    if (topic.size() > MaxTopicChars)
        return OperatorResult::failure(Error::TooLarge,
                                       tr("a topic has at most %1 characters").arg(MaxTopicChars));

    room->topic = topic;
    saveRoom(room);
    sendToRoom(room, {{QStringLiteral("type"), QStringLiteral("topic")},
                      {QStringLiteral("room"), room->name},
                      {QStringLiteral("topic"), topic}});
    record(HubEvent::Kind::TopicChanged, nullptr, room->name, topic);
    audit(QStringLiteral("topic"), by, room->name, room->name, {}, topic);
    return OperatorResult::success();
}
