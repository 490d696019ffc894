#include "modelformat.h"

#include <QCoreApplication>
#include <QLocale>

namespace ModelFormat {
namespace {

QString translate(const char *text)
{
    return QCoreApplication::translate("ModelFormat", text);
}

} // namespace

int numberAlignment()
{
    return int(Qt::AlignRight | Qt::AlignVCenter);
}

QString number(quint64 value)
{
    return QLocale().toString(value);
}

QString decimal(double value, int digits)
{
    return QLocale().toString(value, 'f', digits);
}

QString bytes(qint64 bytes)
{
    if (bytes < 1024)
        return translate("%1 B").arg(bytes);

    static const char *const units[] = {
        QT_TRANSLATE_NOOP("ModelFormat", "%1 KiB"), QT_TRANSLATE_NOOP("ModelFormat", "%1 MiB"),
        QT_TRANSLATE_NOOP("ModelFormat", "%1 GiB"), QT_TRANSLATE_NOOP("ModelFormat", "%1 TiB")};
    double value = double(bytes) / 1024;
    int unit = 0;
    for (; value >= 1024 && unit < 3; ++unit)
        value /= 1024;
    return translate(units[unit]).arg(decimal(value, 1));
}

QString exactBytes(qint64 bytes)
{
    return translate("%1 bytes").arg(QLocale().toString(bytes));
}

QString clock(const QDateTime &time)
{
    return time.isValid() ? time.toLocalTime().toString(QStringLiteral("hh:mm:ss")) : QString();
}

QString when(const QDateTime &time)
{
    const QDateTime local = time.toLocalTime();
    if (!time.isValid() || local.date() == QDate::currentDate())
        return clock(time);
    return QLocale().toString(local.date(), QLocale::ShortFormat) + QLatin1Char(' ')
           + local.toString(QStringLiteral("hh:mm"));
}

QString fullTime(const QDateTime &time)
{
    return time.isValid() ? QLocale().toString(time.toLocalTime(), QLocale::LongFormat) : QString();
}

QString age(qint64 seconds)
{
    if (seconds < 1)
        return translate("now");
    if (seconds < 60)
        return translate("%1 s ago").arg(seconds);
    if (seconds < 3600)
        return translate("%1 min ago").arg(seconds / 60);
    if (seconds < 86400)
        return translate("%1 h ago").arg(seconds / 3600);
    return translate("%1 d ago").arg(seconds / 86400);
}

QString list(const QStringList &items)
{
    return items.join(QStringLiteral(", "));
}

qint64 wholeSecondsBetween(const QDateTime &time, const QDateTime &reference)
{
    return reference.toSecsSinceEpoch() - time.toSecsSinceEpoch();
}

} // namespace ModelFormat
