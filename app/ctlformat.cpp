#include "ctlformat.h"

#include <algorithm>

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace CtlFormat {
namespace {

// A table cell: one line, nothing a terminal would act on.
QString text(const QJsonObject &object, const char *key)
{
    QString value = printable(object.value(QLatin1String(key)).toString());
    value.replace(QLatin1Char('\n'), QLatin1Char(' '));
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

// "max 10, locked, slow 5s, password", or "-" for a room without any.
QString roomSettings(const QJsonObject &room)
{
    QStringList settings;
    if (const qint64 max = room.value(QLatin1String("max_members")).toInteger())
        settings.append(QStringLiteral("max %1").arg(max));
    if (room.value(QLatin1String("locked")).toBool())
        settings.append(QStringLiteral("locked"));
    if (const qint64 slow = room.value(QLatin1String("slow_mode_s")).toInteger())
        settings.append(QStringLiteral("slow %1s").arg(slow));
    if (room.value(QLatin1String("password")).toBool())
        settings.append(QStringLiteral("password"));
    return settings.isEmpty() ? QStringLiteral("-") : settings.join(QStringLiteral(", "));
}

QString rooms(const QJsonArray &items)
{
    if (items.isEmpty())
        return QStringLiteral("no rooms");

    QList<QStringList> rows;
    for (const QJsonValue &item : items) {
        const QJsonObject r = item.toObject();
        rows.append({text(r, "room"), number(r, "count"), number(r, "seq"), roomSettings(r),
                     text(r, "topic")});
    }
    return table({QStringLiteral("ROOM"), QStringLiteral("MEMBERS"), QStringLiteral("SEQ"),
                  QStringLiteral("SETTINGS"), QStringLiteral("TOPIC")},
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

// "permanent" for a ban or mute without an end.
QString until(const QJsonValue &value)
{
    const QDateTime time = timeOf(value);
    return time.isValid() ? clockTime(time) : QStringLiteral("permanent");
}

QString bans(const QJsonArray &items)
{
    if (items.isEmpty())
        return QStringLiteral("no bans");

    QList<QStringList> rows;
    for (const QJsonValue &item : items) {
        const QJsonObject b = item.toObject();
        rows.append({number(b, "id"), text(b, "kind"), text(b, "target"),
                     until(b.value(QLatin1String("until"))), text(b, "issuer"), text(b, "reason")});
    }
    return table({QStringLiteral("ID"), QStringLiteral("KIND"), QStringLiteral("TARGET"),
                  QStringLiteral("UNTIL"), QStringLiteral("ISSUER"), QStringLiteral("REASON")},
                 rows, {0});
}

QString mutes(const QJsonArray &items)
{
    if (items.isEmpty())
        return QStringLiteral("no mutes");

    QList<QStringList> rows;
    for (const QJsonValue &item : items) {
        const QJsonObject m = item.toObject();
        const QString room = m.value(QLatin1String("room")).toString();
        rows.append({number(m, "id"), text(m, "user"),
                     room.isEmpty() ? QStringLiteral("hub-wide") : text(m, "room"),
                     until(m.value(QLatin1String("until"))), text(m, "issuer"), text(m, "reason")});
    }
    return table({QStringLiteral("ID"), QStringLiteral("USER"), QStringLiteral("ROOM"),
                  QStringLiteral("UNTIL"), QStringLiteral("ISSUER"), QStringLiteral("REASON")},
                 rows, {0});
}

// "for 2h00m" or "permanently", from what was asked.
QString lasting(const QJsonObject &request)
{
    const qint64 seconds = request.value(QLatin1String("duration_s")).toInteger();
    return seconds > 0 ? QStringLiteral("for %1").arg(duration(seconds))
                       : QStringLiteral("permanently");
}

QString target(const QJsonObject &request)
{
    if (request.contains(QLatin1String("address")))
        return request.value(QLatin1String("address")).toString();
    return request.value(QLatin1String("user")).toString();
}

QString banned(const QJsonObject &request, const QJsonObject &result)
{
    QString detail = result.value(QLatin1String("detail")).toString();
    if (detail.isEmpty())
        detail = plural(result.value(QLatin1String("closed")).toInteger(), "connection closed",
                        "connections closed");
    return QStringLiteral("banned %1 %2 (ban %3): %4")
        .arg(target(request), lasting(request), number(result, "id"), detail);
}

QString unbanned(const QJsonObject &request)
{
    if (request.contains(QLatin1String("id")))
        return QStringLiteral("lifted ban %1").arg(number(request, "id"));
    return QStringLiteral("lifted the ban on %1").arg(target(request));
}

QString where(const QJsonObject &request)
{
    const QString room = request.value(QLatin1String("room")).toString();
    return room.isEmpty() ? QStringLiteral("hub-wide") : QStringLiteral("in %1").arg(room);
}

QString muted(const QJsonObject &request, const QJsonObject &result)
{
    return QStringLiteral("muted %1 %2 %3: %4 told")
        .arg(target(request), where(request), lasting(request),
             plural(result.value(QLatin1String("devices")).toInteger(), "device", "devices"));
}

QString unmuted(const QJsonObject &request)
{
    return QStringLiteral("unmuted %1 %2").arg(target(request), where(request));
}

// What the request changed, in the engine's words: "max members 1, locked, slow mode off".
QString roomSet(const QJsonObject &request, const QJsonObject &result)
{
    QStringList changed;
    if (request.contains(QLatin1String("max_members"))) {
        const qint64 max = request.value(QLatin1String("max_members")).toInteger();
        changed.append(max ? QStringLiteral("max members %1").arg(max)
                           : QStringLiteral("max members unlimited"));
    }
    if (request.contains(QLatin1String("locked")))
        changed.append(request.value(QLatin1String("locked")).toBool()
                           ? QStringLiteral("locked")
                           : QStringLiteral("unlocked"));
    if (request.contains(QLatin1String("slow_mode_s"))) {
        const qint64 slow = request.value(QLatin1String("slow_mode_s")).toInteger();
        changed.append(slow ? QStringLiteral("slow mode %1 s").arg(slow)
                            : QStringLiteral("slow mode off"));
    }
    if (request.contains(QLatin1String("password")))
        changed.append(request.value(QLatin1String("password")).toString().isEmpty()
                           ? QStringLiteral("password removed")
                           : QStringLiteral("password set"));

    return QStringLiteral("%1: %2; %3 told")
        .arg(request.value(QLatin1String("room")).toString(), changed.join(QStringLiteral(", ")),
             plural(result.value(QLatin1String("members")).toInteger(), "connection",
                    "connections"));
}

QString messageDeleted(const QJsonObject &request, const QJsonObject &result)
{
    return QStringLiteral("deleted message %1 in %2; %3 told")
        .arg(number(request, "seq"), request.value(QLatin1String("room")).toString(),
             plural(result.value(QLatin1String("members")).toInteger(), "connection",
                    "connections"));
}

// "seq  time  from: text", a tombstone "seq  time  (deleted)"; a text's further lines are
// indented under its first.
QString historyLine(const QJsonObject &m, int seqWidth)
{
    const QString head = QStringLiteral("%1  %2  ")
                             .arg(number(m, "seq").rightJustified(seqWidth),
                                  clockTime(timeOf(m.value(QLatin1String("ts")))));
    if (m.value(QLatin1String("deleted")).toBool())
        return head + QStringLiteral("(deleted)");

    QString body = printable(m.value(QLatin1String("text")).toString());
    body.replace(QLatin1Char('\n'), QLatin1Char('\n') + QString(head.size(), QLatin1Char(' ')));
    return head + printable(m.value(QLatin1String("from")).toString()) + QStringLiteral(": ")
           + body;
}

QString history(const QJsonObject &request, const QJsonObject &page)
{
    const QJsonArray messages = page.value(QLatin1String("messages")).toArray();
    const QString room = page.value(QLatin1String("room")).toString();
    if (messages.isEmpty())
        return QStringLiteral("no messages in %1").arg(room);

    int seqWidth = 1;
    for (const QJsonValue &item : messages)
        seqWidth = std::max(seqWidth, int(number(item.toObject(), "seq").size()));
    QStringList lines;
    for (const QJsonValue &item : messages)
        lines.append(historyLine(item.toObject(), seqWidth));

    // With --after the page is the oldest above it, so what is left lies later.
    if (page.value(QLatin1String("more")).toBool()) {
        const bool forward = request.contains(QLatin1String("after"));
        const QJsonObject edge = (forward ? messages.last() : messages.first()).toObject();
        lines.append(
            QStringLiteral("(%1: confab ctl history %2 %3 %4)")
                .arg(forward ? QStringLiteral("newer messages") : QStringLiteral("older messages"),
                     room, forward ? QStringLiteral("--after") : QStringLiteral("--before"),
                     number(edge, "seq")));
    }
    return lines.join(QLatin1Char('\n'));
}

// A ban or mute without an end says so; other actions have no "until" at all.
QString auditUntil(const QJsonObject &entry)
{
    const QString action = entry.value(QLatin1String("action")).toString();
    const QJsonValue value = entry.value(QLatin1String("until"));
    if (timeOf(value).isValid())
        return clockTime(timeOf(value));
    return action == QLatin1String("ban") || action == QLatin1String("mute")
               ? QStringLiteral("permanent")
               : QStringLiteral("-");
}

QString auditTable(const QJsonArray &items)
{
    if (items.isEmpty())
        return QStringLiteral("no audit entries");

    QList<QStringList> rows;
    for (const QJsonValue &item : items) {
        const QJsonObject e = item.toObject();
        rows.append({clockTime(timeOf(e.value(QLatin1String("ts")))), text(e, "actor"),
                     text(e, "action"), text(e, "target"), text(e, "room"), auditUntil(e),
                     text(e, "reason"), text(e, "detail")});
    }
    return table({QStringLiteral("TIME"), QStringLiteral("ACTOR"), QStringLiteral("ACTION"),
                  QStringLiteral("TARGET"), QStringLiteral("ROOM"), QStringLiteral("UNTIL"),
                  QStringLiteral("REASON"), QStringLiteral("DETAIL")},
                 rows);
}

QString moderation(const QString &command, const QJsonObject &request, const QJsonValue &result)
{
    if (command == QLatin1String("bans"))
        return bans(result.toArray());
    if (command == QLatin1String("mutes"))
        return mutes(result.toArray());
    if (command == QLatin1String("ban"))
        return banned(request, result.toObject());
    if (command == QLatin1String("unban"))
        return unbanned(request);
    if (command == QLatin1String("mute"))
        return muted(request, result.toObject());
    if (command == QLatin1String("unmute"))
        return unmuted(request);
    if (command == QLatin1String("message.delete"))
        return messageDeleted(request, result.toObject());
    if (command == QLatin1String("history"))
        return history(request, result.toObject());
    if (command == QLatin1String("audit"))
        return auditTable(result.toArray());
    return compactJson(result);
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
    if (command == QLatin1String("room.set"))
        return roomSet(request, result.toObject());
    if (command.startsWith(QLatin1String("room.")))
        return roomChanged(command, request);
    return moderation(command, request, result);
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

QString auditCsv(const QJsonArray &entries)
{
    const QLatin1String crlf("\r\n");
    QString csv =
        QStringLiteral("id,time,actor,action,target,room,reason,until,detail,connections") + crlf;
    for (const QJsonValue &item : entries) {
        const QJsonObject e = item.toObject();
        QStringList ids;
        for (const QJsonValue &id : e.value(QLatin1String("connections")).toArray())
            ids.append(QString::number(id.toInteger()));

        QStringList fields = {QString::number(e.value(QLatin1String("id")).toInteger())};
        for (const char *key :
             {"ts", "actor", "action", "target", "room", "reason", "until", "detail"})
            fields.append(csvField(e.value(QLatin1String(key)).toString()));
        fields.append(ids.join(QLatin1Char(' ')));
        csv += fields.join(QLatin1Char(',')) + crlf;
    }
    return csv;
}

QString csvField(const QString &text)
{
    static const QRegularExpression special(QStringLiteral("[\",\r\n]"));
    if (!text.contains(special))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QString clockTime(const QDateTime &time)
{
    if (!time.isValid())
        return QStringLiteral("-");
    return time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString printable(const QString &text)
{
    QString safe = text;
    for (QChar &c : safe) {
        const char16_t u = c.unicode();
        const bool control = (u < 0x20 && u != u'\n' && u != u'\t') || (u >= 0x7f && u < 0xa0);
        if (control)
            c = QChar(QChar::ReplacementCharacter);
    }
    return safe;
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
