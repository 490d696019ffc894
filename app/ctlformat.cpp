#include "ctlformat.h"

#include <algorithm>

#include <QJsonArray>
#include <QJsonDocument>

namespace CtlFormat {
namespace {

QString text(const QJsonObject &object, const char *key)
{
    const QString value = object.value(QLatin1String(key)).toString();
    return value.isEmpty() ? QStringLiteral("-") : value;
}

QString number(const QJsonObject &object, const char *key)
{
    return QString::number(object.value(QLatin1String(key)).toInteger());
}

QString list(const QJsonObject &object, const char *key)
{
    QStringList items;
    for (const QJsonValue &item : object.value(QLatin1String(key)).toArray())
        items.append(item.toString());
    return items.isEmpty() ? QStringLiteral("-") : items.join(QStringLiteral(", "));
}

QString plural(qint64 count, const char *one, const char *many)
{
    return QStringLiteral("%1 %2").arg(count).arg(QLatin1String(count == 1 ? one : many));
}

// The hub sends ISO 8601 text; numbers are taken as seconds or milliseconds since the epoch.
QDateTime timeOf(const QJsonValue &value)
{
    if (value.isString())
        return QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
    if (!value.isDouble())
        return {};

    const qint64 number = value.toInteger();
    return number > 100000000000 ? QDateTime::fromMSecsSinceEpoch(number, Qt::UTC)
                                 : QDateTime::fromSecsSinceEpoch(number, Qt::UTC);
}

QString since(const QJsonValue &value, const QDateTime &now)
{
    const QDateTime time = timeOf(value);
    if (!time.isValid())
        return QStringLiteral("-");
    return duration(std::max<qint64>(0, time.secsTo(now)));
}

QString connections(const QJsonArray &items, const QDateTime &now)
{
    if (items.isEmpty())
        return QStringLiteral("no connections");

    QList<QStringList> rows;
    for (const QJsonValue &item : items) {
        const QJsonObject c = item.toObject();
        rows.append({number(c, "id"), text(c, "user"), text(c, "device"), text(c, "peer"),
                     since(c.value(QLatin1String("connected_at")), now),
                     since(c.value(QLatin1String("last_activity")), now), number(c, "messages_in"),
                     number(c, "messages_out"),
                     bytes(c.value(QLatin1String("bytes_in")).toInteger()),
                     bytes(c.value(QLatin1String("bytes_out")).toInteger()),
                     bytes(c.value(QLatin1String("queued_bytes")).toInteger()), list(c, "rooms")});
    }
    return table({QStringLiteral("ID"), QStringLiteral("USER"), QStringLiteral("DEVICE"),
                  QStringLiteral("PEER"), QStringLiteral("UP"), QStringLiteral("IDLE"),
                  QStringLiteral("MSGS IN"), QStringLiteral("MSGS OUT"), QStringLiteral("BYTES IN"),
                  QStringLiteral("BYTES OUT"), QStringLiteral("QUEUED"), QStringLiteral("ROOMS")},
                 rows, {0, 4, 5, 6, 7, 8, 9, 10});
}

QString rooms(const QJsonArray &items)
{
    if (items.isEmpty())
        return QStringLiteral("no rooms");

    QList<QStringList> rows;
    for (const QJsonValue &item : items) {
        const QJsonObject r = item.toObject();
        rows.append({text(r, "room"), number(r, "count"), number(r, "seq"), text(r, "topic")});
    }
    return table({QStringLiteral("ROOM"), QStringLiteral("MEMBERS"), QStringLiteral("SEQ"),
                  QStringLiteral("TOPIC")},
                 rows, {1, 2});
}

QString users(const QJsonArray &items, const QDateTime &now)
{
    if (items.isEmpty())
        return QStringLiteral("no users");

    QList<QStringList> rows;
    for (const QJsonValue &item : items) {
        const QJsonObject u = item.toObject();
        const bool online = u.value(QLatin1String("devices")).toInteger() > 0;
        const QString ago = since(u.value(QLatin1String("last_seen")), now);
        const QString seen = ago == QLatin1String("-") ? ago : ago + QStringLiteral(" ago");
        rows.append({text(u, "user"), text(u, "status"), number(u, "devices"),
                     online ? QStringLiteral("now") : seen, list(u, "rooms")});
    }
    return table({QStringLiteral("USER"), QStringLiteral("STATUS"), QStringLiteral("DEVICES"),
                  QStringLiteral("LAST SEEN"), QStringLiteral("ROOMS")},
                 rows, {2, 3});
}

QString kicked(const QJsonObject &request, const QJsonObject &result)
{
    QString who = request.value(QLatin1String("user")).toString();
    if (request.contains(QLatin1String("connection")))
        who += QStringLiteral(" (connection %1)").arg(number(request, "connection"));

    const qint64 closed = result.value(QLatin1String("closed")).toInteger();
    return QStringLiteral("kicked %1: %2 closed")
        .arg(who, plural(closed, "connection", "connections"));
}

QString broadcasted(const QJsonObject &request, const QJsonObject &result)
{
    const QString room = request.value(QLatin1String("room")).toString();
    const QString where = room.isEmpty() ? QString() : QStringLiteral(" to room %1").arg(room);
    const qint64 deliveries = result.value(QLatin1String("deliveries")).toInteger();
    return QStringLiteral("broadcast sent%1: %2")
        .arg(where, plural(deliveries, "delivery", "deliveries"));
}

QString roomChanged(const QString &command, const QJsonObject &request)
{
    const QString room = request.value(QLatin1String("room")).toString();
    if (command == QLatin1String("room.create"))
        return QStringLiteral("created room %1").arg(room);
    if (command == QLatin1String("room.delete"))
        return QStringLiteral("deleted room %1").arg(room);
    if (request.value(QLatin1String("topic")).toString().isEmpty())
        return QStringLiteral("cleared the topic of %1").arg(room);
    return QStringLiteral("set the topic of %1").arg(room);
}

} // namespace

QString result(const QJsonObject &request, const QJsonValue &result, const QDateTime &now)
{
    const QString command = request.value(QLatin1String("command")).toString();
    if (command == QLatin1String("connections"))
        return connections(result.toArray(), now);
    if (command == QLatin1String("rooms"))
        return rooms(result.toArray());
    if (command == QLatin1String("users"))
        return users(result.toArray(), now);
    if (command == QLatin1String("kick"))
        return kicked(request, result.toObject());
    if (command == QLatin1String("broadcast"))
        return broadcasted(request, result.toObject());
    if (command.startsWith(QLatin1String("room.")))
        return roomChanged(command, request);
    return compactJson(result);
}

QString compactJson(const QJsonValue &value)
{
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    if (value.isUndefined())
        return QStringLiteral("null");

    // QJsonDocument holds only objects and arrays: wrap the scalar and strip the brackets.
    const QByteArray wrapped = QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(wrapped.mid(1, wrapped.size() - 2));
}

QString table(const QStringList &headers, const QList<QStringList> &rows,
              const QList<int> &rightAligned)
{
    QList<qsizetype> widths;
    for (const QString &header : headers)
        widths.append(header.size());
    for (const QStringList &row : rows) {
        for (qsizetype column = 0; column < widths.size(); ++column)
            widths[column] = std::max(widths.at(column), row.value(column).size());
    }

    QStringList lines;
    const QList<QStringList> all = QList<QStringList> {headers} + rows;
    for (const QStringList &row : all) {
        QStringList cells;
        for (qsizetype column = 0; column < widths.size(); ++column) {
            const QString cell = row.value(column);
            const bool right = rightAligned.contains(int(column));
            cells.append(right ? cell.rightJustified(widths.at(column))
                               : cell.leftJustified(widths.at(column)));
        }
        QString line = cells.join(QStringLiteral("  "));
        while (line.endsWith(QLatin1Char(' ')))
            line.chop(1);
        lines.append(line);
    }
    return lines.join(QLatin1Char('\n'));
}

QString bytes(qint64 count)
{
    static const char units[] = {'K', 'M', 'G', 'T'};
    if (count < 1024)
        return QString::number(count);

    double value = double(count);
    int unit = -1;
    while (value >= 1024 && unit < 3) {
        value /= 1024;
        ++unit;
    }
    // One decimal while it says something (1.5K), none once the number is long enough (15K).
    const int decimals = value < 10 ? 1 : 0;
    return QString::number(value, 'f', decimals) + QLatin1Char(units[unit]);
}

QString duration(qint64 seconds)
{
    const qint64 minutes = seconds / 60;
    const qint64 hours = minutes / 60;
    const qint64 days = hours / 24;
    auto two = [](qint64 n) {
        return QStringLiteral("%1").arg(n, 2, 10, QLatin1Char('0'));
    };

    if (seconds < 60)
        return QStringLiteral("%1s").arg(seconds);
    if (minutes < 60)
        return QStringLiteral("%1m%2s").arg(minutes).arg(two(seconds % 60));
    if (hours < 24)
        return QStringLiteral("%1h%2m").arg(hours).arg(two(minutes % 60));
    return QStringLiteral("%1d%2h").arg(days).arg(two(hours % 24));
}

} // namespace CtlFormat
