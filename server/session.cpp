// Client frames: one small handler per frame type. Each reads as validate, act, notify.
#include <QDeadlineTimer>
#include <QRandomGenerator>
#include <QScopeGuard>

#include "hub.h"
#include "logging.h"
#include "store.h"

using namespace Protocol;

namespace {

QString newToken()
{
    quint32 words[6];
    QRandomGenerator::system()->fillRange(words);
    const QByteArray bytes(reinterpret_cast<const char *>(words), sizeof(words));
    return QString::fromLatin1(
        bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

// Compares secrets in time independent of where they differ.
bool sameSecret(const QString &a, const QString &b)
{
    const QByteArray x = a.toUtf8();
    const QByteArray y = b.toUtf8();
    if (x.size() != y.size())
        return false;
    uchar difference = 0;
    for (qsizetype i = 0; i < x.size(); ++i)
        difference |= uchar(x.at(i) ^ y.at(i));
    return difference == 0;
}

QJsonValue cidRef(const ClientFrame &frame)
{
    return frame.cid.isNull() || frame.cid.isUndefined() ? QJsonValue(frame.typeName) : frame.cid;
}

} // namespace

void Hub::handleText(Connection *connection, const QByteArray &utf8)
{
    // A connection over its outbound bound waits for its 4008: what it asks for now could only
    // be refused at send time, after the work of answering it (a history page, say) was done.
    if (connection->state == Connection::State::Closing || connection->overBound)
        return;

    connection->lastInboundMs = QDeadlineTimer::current().deadline();
    connection->lastActivity = QDateTime::currentDateTimeUtc();
    connection->bytesIn += utf8.size();
    ++connection->messagesIn;
    m_totals.bytesIn += utf8.size();
    ++m_totals.messagesIn;

    // Answers to this frame keep their place behind any that wait for the store.
    const auto restore =
        qScopeGuard([this, was = std::exchange(m_answering, connection)] { m_answering = was; });

    const ParseLimits limits {m_config.maxTextChars, m_config.maxMulticastUsers};
    ClientFrame frame;
    ParseError error;
    if (!parseClientFrame(utf8, limits, &frame, &error)) {
        rejectFrame(connection, error.code, error.message, error.ref);
        return;
    }
    dispatch(connection, frame);
}

void Hub::handleBinary(Connection *connection, const QByteArray &data)
{
    if (connection->state == Connection::State::Closing)
        return;
    connection->lastInboundMs = QDeadlineTimer::current().deadline();
    connection->bytesIn += data.size();
    ++connection->messagesIn;
    const auto restore =
        qScopeGuard([this, was = std::exchange(m_answering, connection)] { m_answering = was; });
    rejectFrame(connection, Error::BadJson,
                tr("binary frames are not understood; send JSON in text frames"), {});
}

void Hub::dispatch(Connection *connection, const ClientFrame &frame)
{
    const bool helloDone = connection->state == Connection::State::Active;
    if (frame.type == FrameType::Hello) {
        if (helloDone)
            rejectFrame(connection, Error::AlreadyHello, tr("hello was already accepted"),
                        frame.typeName);
        else
            handleHello(connection, frame);
        return;
    }

    if (!helloDone) {
        rejectFrame(connection, Error::NotHello, tr("send hello first"), frame.typeName);
        return;
    }

    switch (frame.type) {
    case FrameType::Join:
        return handleJoin(connection, frame);
    case FrameType::Leave:
        return handleLeave(connection, frame);
    case FrameType::Say:
        return handleSay(connection, frame);
    case FrameType::Dm:
        return handleDm(connection, frame);
    case FrameType::Multicast:
        return handleMulticast(connection, frame);
    case FrameType::Status:
        return handleStatus(connection, frame);
    case FrameType::Typing:
        return handleTyping(connection, frame);
    case FrameType::Rooms:
        return handleRooms(connection);
    case FrameType::Who:
        return handleWho(connection, frame);
    case FrameType::Pair:
        return handlePair(connection);
    case FrameType::History:
        return handleHistory(connection, frame);
    case FrameType::Hello:
        break;
    }
}

void Hub::rejectFrame(Connection *connection, const QString &code, const QString &message,
                      const QJsonValue &ref)
{
    ++m_totals.rejectedFrames;
    qCWarning(lcProtocol).noquote() << "connection" << connection->id << "from" << connection->peer
                                    << "sent a bad frame:" << code << '-' << message;
    send(connection, WsFrame::text(errorFrame(code, message, ref)));
}

void Hub::refuseHello(Connection *connection, const QString &code, const QString &message,
                      quint16 closeCode)
{
    rejectFrame(connection, code, message, QStringLiteral("hello"));
    record(HubEvent::Kind::Rejected, connection, {}, tr("hello refused: %1").arg(code));
    closeConnection(connection, closeCode, message);
}

void Hub::handleHello(Connection *connection, const ClientFrame &frame)
{
    if (frame.protocol != Version)
        return refuseHello(connection, Error::UnsupportedProtocol,
                           tr("this hub speaks protocol %1 only").arg(Version),
                           CloseUnsupportedProtocol);

    // A pairing code stands for the user and their token: the token itself never travels in a
    // URL, only this short-lived, single-use code does.
    if (!frame.pairing.isEmpty()) {
        User *paired = redeemPairing(frame.pairing);
        if (!paired || (!frame.user.isEmpty() && nameKey(frame.user) != paired->key))
            return refuseHello(connection, Error::BadPairing,
                               tr("that pairing code is unknown, used or expired; ask your "
                                  "other device for a new one"),
                               CloseBadPairing);
        // The code was asked for by a device that got past the password, so it stands in
        // for the password too.
        ClientFrame asUser = frame;
        asUser.user = paired->name;
        asUser.token = paired->token;
        asUser.password = m_config.password;
        asUser.pairing.clear();
        return handleHello(connection, asUser);
    }

    if (!m_config.password.isEmpty() && !sameSecret(frame.password, m_config.password))
        return refuseHello(connection, Error::BadPassword, tr("wrong hub password"),
                           CloseBadPassword);

    QString why;
    if (!isValidUserName(frame.user, &why) || nameKey(frame.user) == nameKey(m_config.operatorName))
        return refuseHello(connection, Error::BadName,
                           why.isEmpty() ? tr("that name is reserved") : why, CloseBadName);

    if (const BanRecord *ban = userBan(nameKey(frame.user)))
        return closeBanned(connection, *ban);

    // A claimed name is its token holder's, online or not, until the claim lapses.
    User *user = findUser(frame.user);
    if (user && !user->token.isEmpty() && !sameSecret(frame.token, user->token))
        return refuseHello(
            connection, Error::NameTaken,
            tr("the name %1 is taken; pick another or use its token").arg(user->name),
            CloseNameTaken);

    if (!user) {
        user = new User;
        user->name = frame.user.normalized(QString::NormalizationForm_C);
        user->key = nameKey(frame.user);
        m_users.insert(user->key, user);
    }
    if (user->token.isEmpty())
        user->token = newToken();

    const QString device =
        frame.device.isEmpty() ? QStringLiteral("device-%1").arg(connection->id) : frame.device;
    admit(connection, user, device);
}

void Hub::admit(Connection *connection, User *user, const QString &device)
{
    Connection *previous = nullptr;
    for (Connection *other : user->connections) {
        if (other->device == device)
            previous = other;
    }

    const bool cameOnline = !user->isOnline();
    connection->state = Connection::State::Active;
    connection->user = user;
    connection->device = device;
    user->connections.insert(connection);

    const QJsonObject limits {{QStringLiteral("max_message_bytes"), m_config.maxMessageBytes},
                              {QStringLiteral("max_text_chars"), m_config.maxTextChars},
                              {QStringLiteral("max_multicast_users"), m_config.maxMulticastUsers},
                              {QStringLiteral("member_list_cap"), m_config.memberListCap}};
    sendJson(connection, {{QStringLiteral("type"), QStringLiteral("welcome")},
                          {QStringLiteral("connection"), double(connection->id)},
                          {QStringLiteral("user"), user->name},
                          {QStringLiteral("device"), device},
                          {QStringLiteral("token"), user->token},
                          {QStringLiteral("status"), user->status},
                          {QStringLiteral("protocol"), Version},
                          {QStringLiteral("heartbeat_s"), m_config.heartbeatIntervalS},
                          {QStringLiteral("limits"), limits}});

    qCInfo(lcHub).noquote() << "connection" << connection->id << "is" << user->name << "on"
                            << device;
    if (previous)
        takeOver(connection, previous);
    else if (cameOnline)
        announcePresence(user);
    saveUser(user);
    deliverStored(connection);
}

// Same user, device and token as a live connection: a client reconnecting before the hub
// noticed the old connection die. The new one inherits the rooms silently, so the room sees
// no leave and join, and the old one is closed with 4002.
void Hub::takeOver(Connection *connection, Connection *previous)
{
    const std::vector<Room *> rooms = previous->rooms.items();
    for (Room *room : rooms) {
        room->connections.remove(previous);
        previous->rooms.remove(room);
        room->connections.insert(connection);
        connection->rooms.insert(room);
        sendJson(connection, joinedFrame(room));
    }

    previous->user->connections.remove(previous);
    previous->state = Connection::State::AwaitingHello; // detached: closing it notifies no one
    closeConnection(previous, CloseReplaced, tr("replaced by a new connection"));
}

void Hub::handleJoin(Connection *connection, const ClientFrame &frame)
{
    Room *room = findRoom(frame.room);
    if (!room && !m_config.allowUserRooms)
        return rejectFrame(connection, Error::NoSuchRoom, tr("there is no room %1").arg(frame.room),
                           frame.typeName);
    if (!room) {
        room = addRoom(frame.room, {});
        record(HubEvent::Kind::RoomCreated, connection, room->name, tr("created by a user"));
    }

    if (!connection->rooms.contains(room)) {
        if (refuseJoin(connection, room, frame))
            return;
        enterRoom(connection, room);
    }

    QJsonObject joined = joinedFrame(room);
    if (frame.historyCount > 0) {
        // Only accepted messages: those below lastSeq + 1 have been acked and fanned out.
        const QList<ChatMessage> recent =
            m_store->messages(room->key, 0, room->lastSeq + 1, frame.historyCount, true);
        bool cut = false;
        joined.insert(QStringLiteral("history"), historyEntries(recent, true, &cut));
    }
    sendJson(connection, joined);

    if (frame.hasSince)
        sendRecovery(connection, room, frame.sinceSeq, frame.sinceEpoch);
}

void Hub::handleLeave(Connection *connection, const ClientFrame &frame)
{
    Room *room = findRoom(frame.room);
    if (!room || !connection->rooms.contains(room))
        return rejectFrame(connection, room ? Error::NotInRoom : Error::NoSuchRoom,
                           tr("you are not in %1").arg(frame.room), frame.typeName);

    exitRoom(connection, room);
    sendJson(connection, {{QStringLiteral("type"), QStringLiteral("left")},
                          {QStringLiteral("room"), room->name}});
}

void Hub::handleSay(Connection *connection, const ClientFrame &frame)
{
    Room *room = findRoom(frame.room);
    if (!room || !connection->rooms.contains(room))
        return rejectFrame(connection, room ? Error::NotInRoom : Error::NoSuchRoom,
                           tr("join %1 before you speak there").arg(frame.room), cidRef(frame));
    if (refuseMuted(connection, room, cidRef(frame))
        || refuseSlowMode(connection, room, cidRef(frame)))
        return;

    ChatMessage message {
        room->key, 0, connection->user->name, frame.text, QDateTime::currentDateTimeUtc(), false};
    const quint64 connectionId = connection->id;
    const QJsonValue cid = frame.cid;

    holdAnswers(connection);
    m_store->append(message, [this, connectionId, cid](const ChatMessage &accepted) {
        const auto restore =
            qScopeGuard([this, was = std::exchange(m_answering, nullptr)] { m_answering = was; });
        Connection *sender = m_connections.value(connectionId);
        if (sender)
            releaseAnswer(sender);
        deliverAccepted(sender, accepted, cid);
        if (sender)
            flushHeld(sender);
    });
}

// A say, once the store has it: the ack to its sender, then the message to the room.
void Hub::deliverAccepted(Connection *sender, const ChatMessage &accepted, const QJsonValue &cid)
{
    if (accepted.seq == 0) { // the database refused it; lcStore has the details
        if (sender)
            rejectFrame(
                sender, Error::NotStored, tr("the hub could not store your message; send it again"),
                cid.isNull() || cid.isUndefined() ? QJsonValue(QStringLiteral("say")) : cid);
        return;
    }
    Room *room = m_rooms.value(accepted.roomKey);
    if (!room)
        return; // deleted while the store was writing; its members were told `left`

    room->lastSeq = accepted.seq;
    ++room->messagesSinceTick;
    if (m_feedEnabled)
        feed(room, accepted);

    if (sender && !cid.isNull() && !cid.isUndefined())
        sendJson(sender, {{QStringLiteral("type"), QStringLiteral("ack")},
                          {QStringLiteral("cid"), cid},
                          {QStringLiteral("room"), room->name},
                          {QStringLiteral("seq"), double(accepted.seq)}});

    const QJsonObject out {{QStringLiteral("type"), QStringLiteral("message")},
                           {QStringLiteral("room"), room->name},
                           {QStringLiteral("seq"), double(accepted.seq)},
                           {QStringLiteral("from"), accepted.from},
                           {QStringLiteral("text"), accepted.text},
                           {QStringLiteral("ts"), timestamp(accepted.ts)}};
    sendToConnections(room->connections.items(), WsFrame::text(encode(out)), true);
}

// Known: online, or offline with a claim that has not lapsed. Those get their dms later.
bool Hub::isKnown(const User *user) const
{
    return user && (user->isOnline() || !user->token.isEmpty());
}

void Hub::handleDm(Connection *connection, const ClientFrame &frame)
{
    User *target = findUser(frame.to);
    if (!isKnown(target))
        return rejectFrame(connection, Error::NoSuchUser,
                           tr("nobody here is called %1").arg(frame.to), cidRef(frame));
    if (refuseMuted(connection, nullptr, cidRef(frame)))
        return;

    DirectMessage message {0,
                           connection->user->name,
                           {target->name},
                           false,
                           frame.text,
                           QDateTime::currentDateTimeUtc(),
                           {}};
    sendPrivately(connection, {target}, message, frame.cid);
}

void Hub::handleMulticast(Connection *connection, const ClientFrame &frame)
{
    QList<User *> targets;
    QStringList missing;
    for (const QString &name : frame.toUsers) {
        User *user = findUser(name);
        if (isKnown(user)) {
            if (!targets.contains(user))
                targets.append(user);
        } else {
            missing.append(name);
        }
    }
    if (!missing.isEmpty())
        return rejectFrame(connection, Error::NoSuchUser,
                           tr("nobody here is called %1").arg(missing.join(QStringLiteral(", "))),
                           cidRef(frame));
    if (refuseMuted(connection, nullptr, cidRef(frame)))
        return;

    DirectMessage message {0,          connection->user->name,          {}, true,
                           frame.text, QDateTime::currentDateTimeUtc(), {}};
    for (const User *user : std::as_const(targets))
        message.to.append(user->name);
    sendPrivately(connection, targets, message, frame.cid);
}

QJsonObject Hub::privateFrame(const DirectMessage &message, bool stored) const
{
    QJsonObject frame {{QStringLiteral("type"),
                        message.multicast ? QStringLiteral("multicast") : QStringLiteral("dm")},
                       {QStringLiteral("from"), message.from},
                       {QStringLiteral("text"), message.text},
                       {QStringLiteral("ts"), timestamp(message.ts)}};
    frame.insert(QStringLiteral("to"), message.multicast
                                           ? QJsonValue(QJsonArray::fromStringList(message.to))
                                           : QJsonValue(message.to.value(0)));
    if (stored)
        frame.insert(QStringLiteral("stored"), true);
    return frame;
}

// dm and multicast: every device of each target, and a copy to the sender's other devices so
// all of them show the conversation. The sending connection gets the ack instead, even when it
// wrote to its own user.
// dm and multicast: kept by the store (for recipients who are offline, until they come back),
// then sent to every device of each online target, and a copy to the sender's other devices
// so all of them show the conversation. The sending connection gets the ack instead, even
// when it wrote to its own user.
void Hub::sendPrivately(Connection *sender, const QList<User *> &targets, DirectMessage message,
                        const QJsonValue &cid)
{
    QStringList stored;
    QStringList online; // name keys; only they get it live, the others at their next welcome
    for (const User *user : targets) {
        if (user->isOnline()) {
            online.append(user->key);
        } else {
            message.pending.append(user->key);
            stored.append(user->name);
        }
    }
    const bool written = m_store->addDirectMessage(message) != 0;

    // Like a room message: nothing is acked or delivered before it is on disk.
    const quint64 senderId = sender->id;
    const QString senderKey = sender->user->key;
    holdAnswers(sender);
    m_store->whenDurable([this, senderId, senderKey, online, stored, message, cid,
                          written](bool durable) {
        const auto restore =
            qScopeGuard([this, was = std::exchange(m_answering, nullptr)] { m_answering = was; });
        Connection *sending = m_connections.value(senderId);
        if (sending)
            releaseAnswer(sending);
        const auto flush = qScopeGuard([this, senderId] {
            if (Connection *sending = m_connections.value(senderId))
                flushHeld(sending);
        });
        if (!written || !durable) {
            if (sending)
                rejectFrame(sending, Error::NotStored,
                            tr("the hub could not store your message; send it again"),
                            cid.isNull()
                                ? QJsonValue(message.multicast ? QStringLiteral("multicast")
                                                               : QStringLiteral("dm"))
                                : cid);
            return;
        }
        if (sending && !cid.isNull()) {
            QJsonObject ack {{QStringLiteral("type"), QStringLiteral("ack")},
                             {QStringLiteral("cid"), cid}};
            if (!stored.isEmpty())
                ack.insert(QStringLiteral("stored"), QJsonArray::fromStringList(stored));
            sendJson(sending, ack);
        }

        std::vector<Connection *> recipients;
        const QStringList users = QStringList(online) << senderKey;
        for (const QString &key : users) {
            if (const User *user = m_users.value(key))
                recipients.insert(recipients.end(), user->connections.begin(),
                                  user->connections.end());
        }
        const quint64 mark = nextMark();
        if (sending)
            sending->mark = mark; // sendToConnections skips it, like a duplicate
        sendToConnections(recipients, WsFrame::text(encode(privateFrame(message, false))), true,
                          mark);
    });
}

void Hub::handleStatus(Connection *connection, const ClientFrame &frame)
{
    User *user = connection->user;
    if (user->status == frame.status)
        return;
    user->status = frame.status;
    saveUser(user);
    announcePresence(user);
}

void Hub::handleTyping(Connection *connection, const ClientFrame &frame)
{
    Room *room = findRoom(frame.room);
    if (!room || !connection->rooms.contains(room))
        return rejectFrame(connection, room ? Error::NotInRoom : Error::NoSuchRoom,
                           tr("you are not in %1").arg(frame.room), frame.typeName);
    if (muteFor(connection->user, room))
        return; // a muted user's typing goes nowhere, and saying so would only invite retries

    sendToRoom(room,
               {{QStringLiteral("type"), QStringLiteral("typing")},
                {QStringLiteral("room"), room->name},
                {QStringLiteral("user"), connection->user->name}},
               connection->user);
}

void Hub::handleRooms(Connection *connection)
{
    QList<const Room *> rooms;
    for (const Room *room : std::as_const(m_rooms))
        rooms.append(room);
    std::sort(rooms.begin(), rooms.end(),
              [](const Room *a, const Room *b) { return a->key < b->key; });

    QJsonArray list;
    for (const Room *room : std::as_const(rooms))
        list.append(QJsonObject {{QStringLiteral("room"), room->name},
                                 {QStringLiteral("topic"), room->topic},
                                 {QStringLiteral("count"), int(room->members.size())}});
    sendJson(connection,
             {{QStringLiteral("type"), QStringLiteral("rooms")}, {QStringLiteral("rooms"), list}});
}

void Hub::handleWho(Connection *connection, const ClientFrame &frame)
{
    Room *room = findRoom(frame.room);
    if (!room)
        return rejectFrame(connection, Error::NoSuchRoom, tr("there is no room %1").arg(frame.room),
                           frame.typeName);

    QString next;
    QJsonObject out {{QStringLiteral("type"), QStringLiteral("who")},
                     {QStringLiteral("room"), room->name},
                     {QStringLiteral("count"), int(room->members.size())},
                     {QStringLiteral("members"), memberList(room, frame.after, &next)}};
    if (!next.isEmpty())
        out.insert(QStringLiteral("next"), next);
    sendJson(connection, out);
}

void Hub::handlePair(Connection *connection)
{
    // Unambiguous characters only (no 0/O, 1/I/L): the code may be typed from a screen.
    static const QString alphabet = QStringLiteral("ABCDEFGHJKMNPQRSTUVWXYZ23456789");
    QString code;
    do {
        code.clear();
        for (int i = 0; i < 8; ++i)
            code += alphabet.at(QRandomGenerator::system()->bounded(int(alphabet.size())));
    } while (m_pairings.contains(code));

    const qint64 now = QDeadlineTimer::current().deadline();
    m_pairings.insert(code, {connection->user->key, now + PairingLifetimeS * 1000});

    const QDateTime expires = QDateTime::currentDateTimeUtc().addSecs(PairingLifetimeS);
    const QString host = pairingHost(connection);
    const QString url =
        QStringLiteral("http://%1:%2/#pair=%3")
            .arg(host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']')
                                                 : host)
            .arg(port())
            .arg(code);
    sendJson(connection, {{QStringLiteral("type"), QStringLiteral("pairing")},
                          {QStringLiteral("code"), code},
                          {QStringLiteral("expires"), timestamp(expires)},
                          {QStringLiteral("url"), url}});
}

// The address the asking device reached, unless that was loopback: a phone cannot reach
// 127.0.0.1, so then the first address the hub listens on that others can reach.
QString Hub::pairingHost(const Connection *connection) const
{
    QHostAddress local = m_transport->localAddress(connection->link);
    bool isV4 = false;
    const quint32 v4 = local.toIPv4Address(&isV4);
    if (isV4)
        local = QHostAddress(v4);
    if (!local.isLoopback())
        return local.toString();

    const QList<QHostAddress> addresses = listenAddresses();
    for (const QHostAddress &address : addresses) {
        if (!address.isLoopback() && address.protocol() == QAbstractSocket::IPv4Protocol)
            return address.toString();
    }
    return local.toString();
}

User *Hub::redeemPairing(const QString &code)
{
    const Pairing pairing = m_pairings.take(code.trimmed().toUpper());
    if (pairing.userKey.isEmpty() || pairing.expiresMs < QDeadlineTimer::current().deadline())
        return nullptr;
    return m_users.value(pairing.userKey);
}
