#include "controlserver.h"

#include <QDir>
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
                                 {QStringLiteral("seq"), double(r.lastSeq)}});
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
    auto arg = [&request](const char *key) {
        return request.value(QLatin1String(key)).toString();
    };
    qCInfo(lcControl).noquote() << "ctl command" << command << "as"
                                << (as.isEmpty() ? m_hub->config().operatorName : as);

    if (command == QLatin1String("connections"))
        return reply(OperatorResult::success(), connectionsJson(m_hub->takeSnapshot()));
    if (command == QLatin1String("rooms"))
        return reply(OperatorResult::success(), roomsJson(m_hub->takeSnapshot()));
    if (command == QLatin1String("users"))
        return reply(OperatorResult::success(), usersJson(m_hub->takeSnapshot()));

    if (command == QLatin1String("kick")) {
        const QJsonValue connection = request.value(QStringLiteral("connection"));
        const OperatorResult result =
            connection.isDouble()
                ? m_hub->kickConnection(quint64(connection.toDouble()), arg("reason"), as)
                : m_hub->kickUser(arg("user"), arg("reason"), as);
        return reply(result, QJsonObject {{QStringLiteral("closed"), result.affected}});
    }
    if (command == QLatin1String("broadcast")) {
        const OperatorResult result = m_hub->broadcast(arg("text"), arg("room"), as);
        return reply(result, QJsonObject {{QStringLiteral("deliveries"), result.affected}});
    }
    if (command == QLatin1String("room.create"))
        return reply(m_hub->createRoom(arg("room"), arg("topic")), QJsonObject());
    if (command == QLatin1String("room.delete"))
        return reply(m_hub->deleteRoom(arg("room")), QJsonObject());
    if (command == QLatin1String("room.topic"))
        return reply(m_hub->setTopic(arg("room"), arg("topic")), QJsonObject());

    return failure(QStringLiteral("unknown_command"), tr("unknown command '%1'").arg(command));
}
