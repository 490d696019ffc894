#include "controlserver.h"

#include <algorithm>
#include <optional>

#include <QDir>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalServer>
#include <QLocalSocket>

#include "hub.h"
#include "logging.h"

namespace {

constexpr qint64 MaxRequestBytes = 64 * 1024;

QString iso(const QDateTime &time)
{
    return Protocol::timestamp(time);
}

QJsonArray connectionsJson(const HubSnapshot &snapshot)
{
    QJsonArray list;
    for (const ConnectionInfo &c : snapshot.connections) {
        list.append(QJsonObject {{QStringLiteral("id"), double(c.id)},
                                 {QStringLiteral("user"), c.user},
                                 {QStringLiteral("device"), c.device},
                                 {QStringLiteral("peer"), c.peer},
                                 {QStringLiteral("connected_at"), iso(c.connectedAt)},
                                 {QStringLiteral("last_activity"), iso(c.lastActivity)},
                                 {QStringLiteral("messages_in"), double(c.messagesIn)},
                                 {QStringLiteral("messages_out"), double(c.messagesOut)},
                                 {QStringLiteral("bytes_in"), double(c.bytesIn)},
                                 {QStringLiteral("bytes_out"), double(c.bytesOut)},
                                 {QStringLiteral("queued_bytes"), double(c.queuedBytes)},
                                 {QStringLiteral("rooms"), QJsonArray::fromStringList(c.rooms)}});
    }
    return list;
}

QJsonArray roomsJson(const HubSnapshot &snapshot)
{
    QJsonArray list;
    for (const RoomInfo &r : snapshot.rooms) {
        list.append(QJsonObject {{QStringLiteral("room"), r.name},
                                 {QStringLiteral("topic"), r.topic},
                                 {QStringLiteral("count"), int(r.members.size())},
                                 {QStringLiteral("seq"), double(r.lastSeq)},
                                 {QStringLiteral("max_members"), r.maxMembers},
                                 {QStringLiteral("locked"), r.locked},
                                 {QStringLiteral("slow_mode_s"), r.slowModeS},
                                 {QStringLiteral("password"), r.hasPassword}});
    }
    return list;
}

QJsonArray usersJson(const HubSnapshot &snapshot)
{
    QJsonArray list;
    for (const UserInfo &u : snapshot.users) {
        list.append(QJsonObject {{QStringLiteral("user"), u.name},
                                 {QStringLiteral("status"), u.status},
                                 {QStringLiteral("devices"), u.devices},
                                 {QStringLiteral("rooms"), QJsonArray::fromStringList(u.rooms)},
                                 {QStringLiteral("last_seen"), iso(u.lastSeen)}});
    }
    return list;
}

QJsonArray bansJson(const HubSnapshot &snapshot)
{
    QJsonArray list;
    for (const BanInfo &b : snapshot.bans) {
        list.append(QJsonObject {
            {QStringLiteral("id"), double(b.id)},
            {QStringLiteral("kind"), b.address ? QStringLiteral("ip") : QStringLiteral("user")},
            {QStringLiteral("target"), b.target},
            {QStringLiteral("reason"), b.reason},
            {QStringLiteral("issuer"), b.issuer},
            {QStringLiteral("created_at"), iso(b.createdAt)},
            {QStringLiteral("until"), Protocol::timestampOrNull(b.until)}});
    }
    return list;
}

QJsonArray mutesJson(const HubSnapshot &snapshot)
{
    QJsonArray list;
    for (const MuteInfo &m : snapshot.mutes) {
        list.append(QJsonObject {{QStringLiteral("id"), double(m.id)},
                                 {QStringLiteral("user"), m.user},
                                 {QStringLiteral("room"), m.room},
                                 {QStringLiteral("reason"), m.reason},
                                 {QStringLiteral("issuer"), m.issuer},
                                 {QStringLiteral("created_at"), iso(m.createdAt)},
                                 {QStringLiteral("until"), Protocol::timestampOrNull(m.until)}});
    }
    return list;
}

QJsonObject historyJson(const HistoryPage &page)
{
    QJsonArray messages;
    for (const RoomMessageInfo &m : page.messages) {
        QJsonObject entry {{QStringLiteral("seq"), double(m.seq)},
                           {QStringLiteral("ts"), iso(m.ts)}};
        if (m.deleted) {
            entry.insert(QStringLiteral("deleted"), true);
        } else {
            entry.insert(QStringLiteral("from"), m.from);
            entry.insert(QStringLiteral("text"), m.text);
        }
        messages.append(entry);
    }
    return {{QStringLiteral("room"), page.room},
            {QStringLiteral("epoch"), page.epoch},
            {QStringLiteral("messages"), messages},
            {QStringLiteral("more"), page.more}};
}

QJsonArray auditJson(const QList<AuditEntry> &entries)
{
    QJsonArray list;
    for (const AuditEntry &e : entries) {
        QJsonArray connections;
        for (quint64 id : e.connections)
            connections.append(double(id));
        list.append(QJsonObject {{QStringLiteral("id"), double(e.id)},
                                 {QStringLiteral("ts"), iso(e.ts)},
                                 {QStringLiteral("actor"), e.actor},
                                 {QStringLiteral("action"), e.action},
                                 {QStringLiteral("target"), e.target},
                                 {QStringLiteral("room"), e.room},
                                 {QStringLiteral("reason"), e.reason},
                                 {QStringLiteral("until"), Protocol::timestampOrNull(e.until)},
                                 {QStringLiteral("detail"), e.detail},
                                 {QStringLiteral("connections"), connections}});
    }
    return list;
}

QJsonObject reply(const OperatorResult &result, const QJsonValue &value)
{
    if (!result.ok)
        return {{QStringLiteral("ok"), false},
                {QStringLiteral("error"), result.error},
                {QStringLiteral("message"), result.message}};
    return {{QStringLiteral("ok"), true}, {QStringLiteral("result"), value}};
}

QJsonObject failure(const QString &code, const QString &message)
{
    return reply(OperatorResult::failure(code, message), QJsonValue());
}

// A ban or mute lasts duration_s seconds; absent is permanent. Anything but a positive whole
// number is refused: read as 0 it would make a timed ban permanent.
bool durationOf(const QJsonObject &request, qint64 *seconds, QJsonObject *bad)
{
    const QJsonValue field = request.value(QStringLiteral("duration_s"));
    if (field.isUndefined() || field.isNull())
        return true;
    const double value = field.toDouble();
    if (!field.isDouble() || value < 1 || value > 1e12 || value != double(qint64(value))) {
        *bad = failure(QStringLiteral("bad_field"),
                       ControlServer::tr("duration_s must be a positive whole number"));
        return false;
    }
    *seconds = qint64(value);
    return true;
}

// Reads an optional whole-number field. False (with a reply in *bad) when it is present but
// not a number, so a script's typo is refused rather than read as 0.
bool optionalInt(const QJsonObject &request, const char *key, std::optional<int> *value,
                 QJsonObject *bad)
{
    const QJsonValue field = request.value(QLatin1String(key));
    if (field.isUndefined() || field.isNull())
        return true;
    if (!field.isDouble() || field.toDouble() != double(field.toInt())) {
        *bad = failure(QStringLiteral("bad_field"),
                       ControlServer::tr("%1 must be a whole number").arg(QLatin1String(key)));
        return false;
    }
    *value = field.toInt();
    return true;
}

QString arg(const QJsonObject &request, const char *key)
{
    return request.value(QLatin1String(key)).toString();
}

// One function per command. Each runs on the engine thread and calls the Hub directly; `as`
// is the name the caller acts under (empty: the configured operator name).
using Handler = QJsonObject (*)(Hub *hub, const QJsonObject &request, const QString &as);

QJsonObject listConnections(Hub *hub, const QJsonObject &, const QString &)
{
    return reply(OperatorResult::success(), connectionsJson(hub->takeSnapshot()));
}

QJsonObject listRooms(Hub *hub, const QJsonObject &, const QString &)
{
    return reply(OperatorResult::success(), roomsJson(hub->takeSnapshot()));
}

QJsonObject listUsers(Hub *hub, const QJsonObject &, const QString &)
{
    return reply(OperatorResult::success(), usersJson(hub->takeSnapshot()));
}

QJsonObject listBans(Hub *hub, const QJsonObject &, const QString &)
{
    return reply(OperatorResult::success(), bansJson(hub->takeSnapshot()));
}

QJsonObject listMutes(Hub *hub, const QJsonObject &, const QString &)
{
    return reply(OperatorResult::success(), mutesJson(hub->takeSnapshot()));
}

QJsonObject kick(Hub *hub, const QJsonObject &request, const QString &as)
{
    const QJsonValue connection = request.value(QStringLiteral("connection"));
    const OperatorResult result =
        connection.isDouble()
            ? hub->kickConnection(quint64(connection.toDouble()), arg(request, "reason"), as)
            : hub->kickUser(arg(request, "user"), arg(request, "reason"), as);
    return reply(result, QJsonObject {{QStringLiteral("closed"), result.affected}});
}

QJsonObject broadcast(Hub *hub, const QJsonObject &request, const QString &as)
{
    const OperatorResult result = hub->broadcast(arg(request, "text"), arg(request, "room"), as);
    return reply(result, QJsonObject {{QStringLiteral("deliveries"), result.affected}});
}

QJsonObject createRoom(Hub *hub, const QJsonObject &request, const QString &as)
{
    return reply(hub->createRoom(arg(request, "room"), arg(request, "topic"), as), QJsonObject());
}

QJsonObject deleteRoom(Hub *hub, const QJsonObject &request, const QString &as)
{
    return reply(hub->deleteRoom(arg(request, "room"), as), QJsonObject());
}

QJsonObject setTopic(Hub *hub, const QJsonObject &request, const QString &as)
{
    return reply(hub->setTopic(arg(request, "room"), arg(request, "topic"), as), QJsonObject());
}

// The reply names the new ban's id, for `unban --id`, and the engine's account of what it
// closed ("closed 2 connections in 1 room").
QJsonObject ban(Hub *hub, const QJsonObject &request, const QString &as)
{
    BanRequest ban;
    ban.address = request.contains(QStringLiteral("address"));
    ban.target = arg(request, ban.address ? "address" : "user");
    ban.reason = arg(request, "reason");
    QJsonObject bad;
    if (!durationOf(request, &ban.durationS, &bad))
        return bad;

    const OperatorResult result = hub->ban(ban, as);
    if (!result.ok)
        return reply(result, QJsonValue());

    return reply(result, QJsonObject {{QStringLiteral("id"), double(result.id)},
                                      {QStringLiteral("closed"), result.affected},
                                      {QStringLiteral("detail"), result.message}});
}

QJsonObject unban(Hub *hub, const QJsonObject &request, const QString &as)
{
    const QJsonValue id = request.value(QStringLiteral("id"));
    if (id.isDouble())
        return reply(hub->unban(qint64(id.toDouble()), as), QJsonObject());

    const bool address = request.contains(QStringLiteral("address"));
    const QString target = arg(request, address ? "address" : "user");
    return reply(hub->unbanTarget(address, target, as), QJsonObject());
}

QJsonObject mute(Hub *hub, const QJsonObject &request, const QString &as)
{
    MuteRequest mute;
    mute.user = arg(request, "user");
    mute.room = arg(request, "room");
    mute.reason = arg(request, "reason");
    QJsonObject bad;
    if (!durationOf(request, &mute.durationS, &bad))
        return bad;

    const OperatorResult result = hub->mute(mute, as);
    return reply(result, QJsonObject {{QStringLiteral("devices"), result.affected}});
}

QJsonObject unmute(Hub *hub, const QJsonObject &request, const QString &as)
{
    return reply(hub->unmute(arg(request, "user"), arg(request, "room"), as), QJsonObject());
}

QJsonObject setRoom(Hub *hub, const QJsonObject &request, const QString &as)
{
    RoomSettingsChange change;
    QJsonObject bad;
    if (!optionalInt(request, "max_members", &change.maxMembers, &bad)
        || !optionalInt(request, "slow_mode_s", &change.slowModeS, &bad))
        return bad;

    const QJsonValue locked = request.value(QStringLiteral("locked"));
    const QJsonValue password = request.value(QStringLiteral("password"));
    if (!locked.isUndefined() && !locked.isBool())
        return failure(QStringLiteral("bad_field"), ControlServer::tr("locked must be a bool"));
    if (!password.isUndefined() && !password.isString())
        return failure(QStringLiteral("bad_field"),
                       ControlServer::tr("password must be a string (empty: none)"));
    if (locked.isBool())
        change.locked = locked.toBool();
    if (password.isString())
        change.password = password.toString();

    // The engine takes an empty change and audits it with an empty detail; say no instead.
    if (!change.maxMembers && !change.locked && !change.slowModeS && !change.password)
        return failure(QStringLiteral("missing_field"),
                       ControlServer::tr("room.set names no setting to change"));

    const OperatorResult result = hub->setRoomSettings(arg(request, "room"), change, as);
    return reply(result, QJsonObject {{QStringLiteral("members"), result.affected}});
}

QJsonObject deleteMessage(Hub *hub, const QJsonObject &request, const QString &as)
{
    const quint64 seq = quint64(std::max(0.0, request.value(QStringLiteral("seq")).toDouble()));
    const OperatorResult result =
        hub->deleteMessage(arg(request, "room"), seq, arg(request, "reason"), as);
    return reply(result, QJsonObject {{QStringLiteral("members"), result.affected}});
}

QJsonObject history(Hub *hub, const QJsonObject &request, const QString &)
{
    auto seq = [&request](const char *key) {
        return quint64(std::max(0.0, request.value(QLatin1String(key)).toDouble()));
    };
    const int limit = request.value(QStringLiteral("limit")).toInt(50);

    const HistoryPage page = hub->history(arg(request, "room"), seq("before"), seq("after"), limit);
    if (!page.ok)
        return failure(page.error, page.message);
    return reply(OperatorResult::success(), historyJson(page));
}

QJsonObject audit(Hub *hub, const QJsonObject &request, const QString &)
{
    AuditFilter filter;
    filter.actor = arg(request, "actor");
    filter.action = arg(request, "action");
    filter.target = arg(request, "target");
    if (request.contains(QStringLiteral("since"))) {
        filter.since = QDateTime::fromString(arg(request, "since"), Qt::ISODateWithMs);
        if (!filter.since.isValid())
            return failure(QStringLiteral("bad_field"),
                           ControlServer::tr("since must be an ISO 8601 time"));
    }
    filter.limit = std::max(1, request.value(QStringLiteral("limit")).toInt(filter.limit));
    return reply(OperatorResult::success(), auditJson(hub->audit(filter)));
}

const QHash<QString, Handler> &handlers()
{
    static const QHash<QString, Handler> table = {
        {QStringLiteral("connections"), listConnections},
        {QStringLiteral("rooms"), listRooms},
        {QStringLiteral("users"), listUsers},
        {QStringLiteral("bans"), listBans},
        {QStringLiteral("mutes"), listMutes},
        {QStringLiteral("kick"), kick},
        {QStringLiteral("broadcast"), broadcast},
        {QStringLiteral("room.create"), createRoom},
        {QStringLiteral("room.delete"), deleteRoom},
        {QStringLiteral("room.topic"), setTopic},
        {QStringLiteral("room.set"), setRoom},
        {QStringLiteral("ban"), ban},
        {QStringLiteral("unban"), unban},
        {QStringLiteral("mute"), mute},
        {QStringLiteral("unmute"), unmute},
        {QStringLiteral("message.delete"), deleteMessage},
        {QStringLiteral("history"), history},
        {QStringLiteral("audit"), audit},
    };
    return table;
}

} // namespace

QString controlSocketPath(const QString &dataDir)
{
    return QDir(dataDir).absoluteFilePath(QStringLiteral("confab.ctl"));
}

ControlServer::ControlServer(Hub *hub, QObject *parent)
    : QObject(parent)
    , m_hub(hub)
    , m_server(new QLocalServer(this))
{
    // Owner only: anyone who can reach the socket can kick and broadcast.
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    connect(m_server, &QLocalServer::newConnection, this, &ControlServer::acceptClients);
}

ControlServer::~ControlServer() = default;

bool ControlServer::listen(const QString &dataDir)
{
    const QString path = controlSocketPath(dataDir);

    // The caller holds the data directory's lock, so a socket file here is a leftover of a hub
    // that died without cleaning up.
    QLocalServer::removeServer(path);
    if (!m_server->listen(path)) {
        m_errorString = tr("Cannot open the control socket %1: %2 (confab ctl will not reach "
                           "this hub)")
                            .arg(path, m_server->errorString());
        return false;
    }
    qCInfo(lcControl).noquote() << "control socket at" << path;
    return true;
}

QString ControlServer::errorString() const
{
    return m_errorString;
}

void ControlServer::acceptClients()
{
    while (QLocalSocket *socket = m_server->nextPendingConnection()) {
        connect(socket, &QLocalSocket::readyRead, this, [this, socket] { readRequests(socket); });
        connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        readRequests(socket);
    }
}

void ControlServer::readRequests(QLocalSocket *socket)
{
    while (socket->canReadLine()) {
        const QByteArray line = socket->readLine(MaxRequestBytes);
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(line, &error);
        const QJsonObject answer =
            document.isObject()
                ? handle(document.object())
                : failure(QStringLiteral("bad_json"), tr("a request is one JSON object per line"));
        socket->write(QJsonDocument(answer).toJson(QJsonDocument::Compact) + '\n');
    }

    if (socket->bytesAvailable() > MaxRequestBytes) {
        qCWarning(lcControl) << "control request too large; dropping the client";
        socket->abort();
    }
}

QJsonObject ControlServer::handle(const QJsonObject &request)
{
    const QString command = request.value(QStringLiteral("command")).toString();
    const QString as = request.value(QStringLiteral("as")).toString();
    qCInfo(lcControl).noquote() << "ctl command" << command << "as"
                                << (as.isEmpty() ? m_hub->config().operatorName : as);

    const Handler handler = handlers().value(command);
    if (!handler)
        return failure(QStringLiteral("unknown_command"), tr("unknown command '%1'").arg(command));
    return handler(m_hub, request, as);
}
