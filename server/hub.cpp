#include "hub.h"

#include <QDeadlineTimer>
#include <QNetworkInterface>
#include <QTimer>

#include "gateway.h"
#include "logging.h"
#include "store.h"

namespace {

constexpr int TickMs = 1000;
constexpr int EventFlushMs = 250;
constexpr int CloseGraceMs = 5000; // a closed peer that never answers is cut off after this
constexpr int MaxPendingEvents = 10000;
constexpr qint64 PruneEveryMs = 60 * 1000; // retention is in days; once a minute is plenty

qint64 monotonicMs()
{
    return QDeadlineTimer::current().deadline();
}

Connection *connectionOf(const Link *link)
{
    return static_cast<Connection *>(link->owner);
}

} // namespace

Hub::Hub(const HubConfig &config, Store *store, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_store(store ? store : new MemoryStore)
    , m_transport(new Transport(this, this))
    , m_tickTimer(new QTimer(this))
    , m_eventTimer(new QTimer(this))
{
    m_transport->setMaxMessageBytes(m_config.maxMessageBytes);
    m_transport->setWriteThreads(m_config.writeThreads);
    m_transport->setMaxQueuedBytes(m_config.maxOutboundBytes);

    m_tickTimer->setInterval(TickMs);
    connect(m_tickTimer, &QTimer::timeout, this, &Hub::tick);
    m_eventTimer->setInterval(EventFlushMs);
    connect(m_eventTimer, &QTimer::timeout, this, &Hub::flushEvents);

    loadState();
}

Hub::~Hub()
{
    // Commit callbacks reach into the hub, so they run while all of it is still here.
    m_store->flush();

    // Reached with clients still connected when a stop times out: their descriptors are closed
    // without calling back into a hub that is going away.
    m_transport->abortAll();
    qDeleteAll(m_connections);
    m_connections.clear();
    qDeleteAll(m_users);
    qDeleteAll(m_rooms);
}

bool Hub::listen()
{
    if (!m_transport->listen(m_config.listenAddress, m_config.port, m_config.listenBacklog)) {
        m_errorString = tr("Cannot listen on %1 port %2: %3")
                            .arg(m_config.listenAddress.toString())
                            .arg(m_config.port)
                            .arg(m_transport->errorString());
        qCCritical(lcHub).noquote() << m_errorString;
        return false;
    }

    for (const QHostAddress &address : listenAddresses())
        qCInfo(lcHub).noquote() << "listening on" << peerString(address, port());

    m_lastTickMs = monotonicMs();
    m_tickTimer->start();
    m_eventTimer->start();
    record(HubEvent::Kind::Started, nullptr, {}, tr("listening on port %1").arg(port()));
    return true;
}

QString Hub::errorString() const
{
    return m_errorString;
}

quint16 Hub::port() const
{
    return m_transport->port();
}

QList<QHostAddress> Hub::listenAddresses() const
{
    const QHostAddress &listen = m_config.listenAddress;
    const bool any = listen == QHostAddress(QHostAddress::Any)
                     || listen == QHostAddress(QHostAddress::AnyIPv4)
                     || listen == QHostAddress(QHostAddress::AnyIPv6);
    if (!any)
        return {listen};

    QList<QHostAddress> addresses;
    for (const QHostAddress &address : QNetworkInterface::allAddresses()) {
        const bool wanted = listen == QHostAddress(QHostAddress::Any)
                            || (listen == QHostAddress(QHostAddress::AnyIPv4)
                                && address.protocol() == QAbstractSocket::IPv4Protocol)
                            || (listen == QHostAddress(QHostAddress::AnyIPv6)
                                && address.protocol() == QAbstractSocket::IPv6Protocol);
        if (wanted && !address.isLinkLocal())
            addresses.append(address);
    }
    return addresses;
}

void Hub::shutdown()
{
    if (m_shuttingDown)
        return;
    m_shuttingDown = true;
    qCInfo(lcHub).noquote() << "shutting down;"
                            << tr("%n connection(s) to close", nullptr, int(m_connections.size()));

    m_transport->stopListening();
    const QList<Connection *> connections = m_connections.values();
    for (Connection *connection : connections)
        closeConnection(connection, Protocol::CloseGoingAway, tr("hub shutting down"));
    m_transport->flushAll();

    m_store->flush(); // what clients were acked for is on disk before the process may end
    record(HubEvent::Kind::Stopped, nullptr, {}, tr("hub stopped"));
    flushEvents();

    // drained() comes from handleDisconnected() when the last client has gone, or from here
    // for clients that never answer the close.
    if (m_connections.isEmpty())
        QTimer::singleShot(0, this, &Hub::drained);
    else
        QTimer::singleShot(CloseGraceMs / 2, this, &Hub::drained);
}

HttpAnswer Hub::answerRequest(const HttpRequest &request)
{
    HttpAnswer answer = Gateway::answer(request);
    if (answer.upgrade && m_shuttingDown) {
        answer = {};
        answer.status = 503;
        answer.body = "the hub is shutting down\n";
    }
    return answer;
}

void Hub::linkOpened(Link *link)
{
    auto *connection = new Connection;
    connection->id = m_nextConnectionId++;
    connection->link = link;
    link->owner = connection;
    connection->peer = peerString(link->peerAddress, link->peerPort);
    connection->address = addressString(link->peerAddress);
    connection->connectedAt = QDateTime::currentDateTimeUtc();
    connection->lastActivity = connection->connectedAt;
    connection->lastInboundMs = monotonicMs();
    connection->lastPingMs = connection->lastInboundMs;
    m_connections.insert(connection->id, connection);
    ++m_totals.connectionsAccepted;

    qCInfo(lcHub).noquote() << "connection" << connection->id << "from" << connection->peer;
    record(HubEvent::Kind::Connected, connection, {}, connection->peer);
    refuseBannedAddress(connection);
}

void Hub::textReceived(Link *link, const QByteArray &utf8)
{
    handleText(connectionOf(link), utf8);
}

void Hub::binaryReceived(Link *link, const QByteArray &data)
{
    handleBinary(connectionOf(link), data);
}

void Hub::pongReceived(Link *link)
{
    connectionOf(link)->lastInboundMs = monotonicMs();
}

void Hub::queueOverflowed(Link *link)
{
    Connection *connection = connectionOf(link);
    if (connection->overBound)
        return;
    connection->overBound = true; // closed with 4008 like any reader that fell behind
    m_slowConsumers.push_back(connection->id);
    scheduleSlowConsumerCloses();
}

void Hub::linkClosed(Link *link, quint16 code)
{
    handleDisconnected(connectionOf(link), code);
}

void Hub::handleDisconnected(Connection *connection, quint16 code)
{
    // A say or dm still waiting for the database was sent before the close: its ack goes out
    // ahead of the close frame, and the room hears the message before it hears the sender left.
    if (!connection->held.empty())
        m_store->flush();

    const bool closedByPeer = connection->state != Connection::State::Closing;
    if (closedByPeer) {
        if (code == Protocol::CloseTooLarge) {
            ++m_totals.rejectedFrames;
            qCWarning(lcProtocol) << "connection" << connection->id
                                  << "closed: frame or message over" << m_config.maxMessageBytes
                                  << "bytes";
            record(HubEvent::Kind::Rejected, connection, {},
                   tr("frame over %1 bytes, closed with 1009").arg(m_config.maxMessageBytes));
        }
        detach(connection);
    }

    qCInfo(lcHub) << "connection" << connection->id << "from" << connection->peer << "disconnected"
                  << (closedByPeer ? "by the client" : "by the hub");
    record(HubEvent::Kind::Disconnected, connection, {}, {});

    m_connections.remove(connection->id);
    delete connection;

    if (m_shuttingDown && m_connections.isEmpty())
        emit drained();
}

void Hub::closeConnection(Connection *connection, quint16 code, const QString &reason)
{
    if (connection->state == Connection::State::Closing)
        return;

    detach(connection);
    connection->state = Connection::State::Closing;
    connection->closingSinceMs = monotonicMs();

    // Frames queued for this connection (a `kicked`, say) reach it before the close frame; a
    // slow consumer's backlog is dropped, or the close would wait behind megabytes.
    if (code == Protocol::CloseSlowConsumer)
        m_transport->discardQueued(connection->link);
    // Cut on a character boundary: a split character makes browsers fail the connection with
    // 1006 and drop the reason.
    m_transport->close(connection->link, code,
                       Protocol::truncateUtf8(reason, Transport::MaxCloseReasonBytes));
}

void Hub::detach(Connection *connection)
{
    if (connection->state != Connection::State::Active)
        return;
    connection->state = Connection::State::Closing; // nothing more is queued for it

    // The last device going makes the user offline; say so while the rooms still list them,
    // so everyone who shared a room hears it, then the member_left frames follow.
    User *user = connection->user;
    user->connections.remove(connection);
    if (!user->isOnline()) {
        user->lastSeen = QDateTime::currentDateTimeUtc();
        if (m_config.nameRetentionDays == 0)
            user->token.clear(); // the name is free again once its last device is gone
        saveUser(user);
        if (!m_shuttingDown) // everyone is leaving: telling each about all others is n squared
            announcePresence(user);
    }

    const std::vector<Room *> rooms = connection->rooms.items();
    for (Room *room : rooms)
        exitRoom(connection, room);
}

void Hub::tick()
{
    const qint64 now = monotonicMs();
    m_transport->expire(now, qint64(m_config.helloTimeoutS) * 1000, CloseGraceMs);

    const QList<Connection *> connections = m_connections.values();
    for (Connection *connection : connections)
        checkHeartbeat(connection, now);

    for (Room *room : std::as_const(m_rooms))
        flushMemberChanges(room);

    for (auto it = m_pairings.begin(); it != m_pairings.end();)
        it = it->expiresMs < now ? m_pairings.erase(it) : std::next(it);

    expireModeration(QDateTime::currentDateTimeUtc());
    if (now - m_lastPruneMs >= PruneEveryMs) {
        m_lastPruneMs = now;
        pruneState();
    }

    updateRates(now);
}

void Hub::checkHeartbeat(Connection *connection, qint64 now)
{
    switch (connection->state) {
    case Connection::State::Closing:
        if (now - connection->closingSinceMs > CloseGraceMs)
            m_transport->abort(connection->link); // linkClosed() frees it before this returns
        return;
    case Connection::State::AwaitingHello:
        if (now - connection->link->acceptedMs > qint64(m_config.helloTimeoutS) * 1000) {
            ++m_totals.helloTimeouts;
            qCWarning(lcProtocol) << "connection" << connection->id << "sent no hello within"
                                  << m_config.helloTimeoutS << "s";
            record(HubEvent::Kind::HelloTimeout, connection, {}, {});
            closeConnection(connection, Protocol::CloseHelloTimeout, tr("no hello in time"));
            return;
        }
        break;
    case Connection::State::Active:
        break;
    }

    // A ping stuck behind a backlog cannot be answered yet, so a connection whose backlog is
    // still draining counts as alive.
    const qint64 timeoutMs = qint64(m_config.heartbeatTimeoutS) * 1000;
    const bool heardFrom = now - connection->lastInboundMs < timeoutMs;
    const bool draining =
        queuedBytes(connection) > 0 && now - connection->link->lastWriteMs < timeoutMs;
    if (!heardFrom && !draining) {
        ++m_totals.heartbeatTimeouts;
        qCInfo(lcHub) << "connection" << connection->id << "timed out after"
                      << m_config.heartbeatTimeoutS << "s of silence";
        record(HubEvent::Kind::HeartbeatTimeout, connection, {}, {});
        closeConnection(connection, Protocol::CloseHeartbeatTimeout, tr("heartbeat timeout"));
        return;
    }

    // Each connection pings on its own phase (counted from its accept), so pings spread out.
    if (now - connection->lastPingMs >= qint64(m_config.heartbeatIntervalS) * 1000) {
        connection->lastPingMs = now;
        m_transport->ping(connection->link);
    }
}

void Hub::updateRates(qint64 now)
{
    const double seconds = qMax<qint64>(now - m_lastTickMs, 1) / 1000.0;
    auto rate = [seconds](quint64 current, quint64 previous) {
        return double(current - previous) / seconds;
    };
    m_totals.messagesInPerSecond = rate(m_totals.messagesIn, m_totalsAtLastTick.messagesIn);
    m_totals.messagesOutPerSecond = rate(m_totals.messagesOut, m_totalsAtLastTick.messagesOut);
    m_totals.deliveriesPerSecond = rate(m_totals.deliveries, m_totalsAtLastTick.deliveries);

    for (Room *room : std::as_const(m_rooms)) {
        room->messagesPerSecond = room->messagesSinceTick / seconds;
        room->messagesSinceTick = 0;
    }

    m_totalsAtLastTick = m_totals;
    m_lastTickMs = now;
}

void Hub::record(HubEvent::Kind kind, const Connection *connection, const QString &room,
                 const QString &detail)
{
    if (m_events.size() >= MaxPendingEvents) {
        ++m_eventsDropped;
        return;
    }

    HubEvent event;
    event.time = QDateTime::currentDateTimeUtc();
    event.kind = kind;
    event.room = room;
    event.detail = detail;
    if (connection) {
        event.connection = connection->id;
        if (connection->user)
            event.user = connection->user->name;
    }
    m_events.append(event);
}

void Hub::flushEvents()
{
    if (m_eventsDropped > 0) {
        HubEvent summary;
        summary.time = QDateTime::currentDateTimeUtc();
        summary.kind = HubEvent::Kind::Error;
        summary.detail = tr("%n events not shown (too many at once)", nullptr, m_eventsDropped);
        m_events.append(summary);
        m_eventsDropped = 0;
    }

    if (!m_feed.isEmpty()) {
        QList<RoomMessageInfo> messages;
        for (const QList<RoomMessageInfo> &room : std::as_const(m_feed))
            messages += room;
        m_feed.clear();
        emit roomMessagesArrived(messages);
    }

    if (m_events.isEmpty())
        return;
    emit eventsOccurred(m_events);
    m_events.clear();
}

void Hub::setRoomFeedEnabled(bool enabled)
{
    m_feedEnabled = enabled;
    if (!enabled)
        m_feed.clear();
}

void Hub::feed(const Room *room, const ChatMessage &message)
{
    QList<RoomMessageInfo> &recent = m_feed[room->key];
    if (recent.size() >= MaxFeedPerRoom)
        recent.removeFirst(); // a busy room shows its newest messages; the rest are history
    recent.append({room->name, message.seq, message.from, message.text, message.ts, false});
}

QString Hub::operatorName(const QString &by) const
{
    return by.isEmpty() ? m_config.operatorName : by;
}

HubSnapshot Hub::takeSnapshot() const
{
    HubSnapshot snapshot;
    snapshot.takenAt = QDateTime::currentDateTimeUtc();
    snapshot.running = !m_shuttingDown && m_transport->port() != 0;
    snapshot.port = port();
    snapshot.listenAddresses = listenAddresses();
    snapshot.totals = m_totals;

    snapshot.connections.reserve(m_connections.size());
    for (const Connection *connection : m_connections) {
        if (connection->state == Connection::State::Closing)
            continue;
        ConnectionInfo info;
        info.id = connection->id;
        info.user = connection->user ? connection->user->name : QString();
        info.device = connection->device;
        info.peer = connection->peer;
        info.connectedAt = connection->connectedAt;
        info.lastActivity = connection->lastActivity;
        info.messagesIn = connection->messagesIn;
        info.messagesOut = connection->messagesOut;
        info.bytesIn = connection->bytesIn;
        info.bytesOut = connection->bytesOut;
        info.queuedBytes = queuedBytes(connection);
        for (const Room *room : connection->rooms)
            info.rooms.append(room->name);
        info.rooms.sort(Qt::CaseInsensitive);
        snapshot.connections.append(info);
    }

    for (const User *user : m_users) {
        UserInfo info;
        info.name = user->name;
        info.status = user->presence();
        info.devices = int(user->connections.size());
        info.lastSeen = user->isOnline() ? snapshot.takenAt : user->lastSeen;
        // A user's rooms are their devices' rooms: one walk per device, not per room.
        for (const Connection *device : user->connections) {
            for (const Room *room : device->rooms) {
                if (!info.rooms.contains(room->name))
                    info.rooms.append(room->name);
            }
        }
        info.rooms.sort(Qt::CaseInsensitive);
        snapshot.users.append(info);
        if (user->isOnline())
            ++snapshot.totals.users;
    }

    for (const Room *room : m_rooms) {
        RoomInfo info;
        info.name = room->name;
        info.topic = room->topic;
        info.lastSeq = room->lastSeq;
        info.epoch = room->epoch;
        info.messagesPerSecond = room->messagesPerSecond;
        info.maxMembers = room->maxMembers;
        info.locked = room->locked;
        info.slowModeS = room->slowModeS;
        info.hasPassword = !room->passwordHash.isEmpty();
        for (auto it = room->members.cbegin(); it != room->members.cend(); ++it)
            info.members.append(it.key()->name);
        info.members.sort(Qt::CaseInsensitive);
        snapshot.rooms.append(info);
    }

    auto banInfo = [](const BanRecord &ban) {
        return BanInfo {ban.id,      ban.kind == BanRecord::Kind::Address,
                        ban.display, ban.reason,
                        ban.issuer,  ban.createdAt,
                        ban.until};
    };
    for (const BanRecord &ban : m_userBans)
        snapshot.bans.append(banInfo(ban));
    for (const BanRecord &ban : m_addressBans)
        snapshot.bans.append(banInfo(ban));
    for (const QList<MuteRecord> &mutes : m_mutes) {
        for (const MuteRecord &mute : mutes)
            snapshot.mutes.append({mute.id, mute.user, mute.room, mute.reason, mute.issuer,
                                   mute.createdAt, mute.until});
    }
    snapshot.storage = m_store->location();
    snapshot.persistent = m_store->isPersistent();

    snapshot.totals.connections = snapshot.connections.size();
    snapshot.totals.rooms = snapshot.rooms.size();
    return snapshot;
}
