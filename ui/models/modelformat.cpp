#include "modelformat.h"

#include <limits>

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

QString until(const QDateTime &until)
{
    return until.isValid() ? when(until) : translate("permanent");
}

QString timeLeft(const QDateTime &until, const QDateTime &reference)
{
    if (!until.isValid())
        return {};

    const qint64 left = wholeSecondsBetween(reference, until);
    if (left <= 0)
        return translate("ending");
    if (left < 60)
        return translate("%1 s").arg(left);
    if (left < 3600)
        return translate("%1 min").arg((left + 59) / 60);
    if (left < 86400) {
        const qint64 minutes = left % 3600 / 60;
        return minutes ? translate("%1 h %2 min").arg(left / 3600).arg(minutes)
                       : translate("%1 h").arg(left / 3600);
    }
    const qint64 hours = left % 86400 / 3600;
    return hours ? translate("%1 d %2 h").arg(left / 86400).arg(hours)
                 : translate("%1 d").arg(left / 86400);
}

qint64 untilSortKey(const QDateTime &until)
{
    return until.isValid() ? until.toMSecsSinceEpoch() : std::numeric_limits<qint64>::max();
}

QVariant untilToolTip(const QDateTime &until)
{
    return until.isValid() ? fullTime(until) : QVariant();
}

QString duration(qint64 seconds)
{
    if (seconds <= 0)
        return translate("permanent");
    if (seconds % 86400 == 0)
        return translate("%1 d").arg(seconds / 86400);
    if (seconds % 3600 == 0)
        return translate("%1 h").arg(seconds / 3600);
    if (seconds % 60 == 0)
        return translate("%1 min").arg(seconds / 60);
    return translate("%1 s").arg(seconds);
}

qint64 wholeSecondsBetween(const QDateTime &time, const QDateTime &reference)
{
    return reference.toSecsSinceEpoch() - time.toSecsSinceEpoch();
}

} // namespace ModelFormat
