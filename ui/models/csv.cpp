#include "csv.h"

#include <QCoreApplication>
#include <QIODevice>

namespace Csv {
namespace {

QString isoTime(const QDateTime &time)
{
    return time.isValid() ? time.toUTC().toString(Qt::ISODateWithMs) : QString();
}

QString idList(const QList<quint64> &ids)
{
    QStringList numbers;
    for (quint64 id : ids)
        numbers.append(QString::number(id));
    return numbers.join(QLatin1Char(' '));
}

} // namespace

QString field(const QString &value)
{
    static const QString special = QStringLiteral(",\"\r\n");
    bool quote = false;
    for (QChar c : value)
        quote = quote || special.contains(c);
    if (!quote)
        return value;

    QString quoted = value;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QString record(const QStringList &fields)
{
    QStringList quoted;
    quoted.reserve(fields.size());
    for (const QString &value : fields)
        quoted.append(field(value));
    return quoted.join(QLatin1Char(',')) + QStringLiteral("\r\n");
}

QString auditLog(const QList<AuditEntry> &entries)
{
    // Column names stay English and stable: scripts read them, people read the console.
    QString text =
        record({QStringLiteral("time"), QStringLiteral("actor"), QStringLiteral("action"),
                QStringLiteral("target"), QStringLiteral("room"), QStringLiteral("reason"),
                QStringLiteral("until"), QStringLiteral("detail"), QStringLiteral("connections")});
    for (const AuditEntry &entry : entries)
        text +=
            record({isoTime(entry.ts), entry.actor, entry.action, entry.target, entry.room,
                    entry.reason, isoTime(entry.until), entry.detail, idList(entry.connections)});
    return text;
}

bool write(QIODevice *device, const QString &text, QString *error)
{
    const QByteArray bytes = text.toUtf8();
    if (device->write(bytes) == bytes.size())
        return true;
    if (error)
        *error = device->errorString().isEmpty()
                     ? QCoreApplication::translate("Csv", "not everything was written")
                     : device->errorString();
    return false;
}

} // namespace Csv
