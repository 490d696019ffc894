#pragma once

#include <QDateTime>
#include <QString>
#include <QStringList>
#include <QVariant>

// How the console's models show values, in one place so every table agrees. Only called for
// cells a view asks for, so none of this is in a model's update path.
namespace ModelFormat {

// Right-aligned and vertically centred, as the int a view's delegate reads.
int numberAlignment();

QString number(quint64 value);
QString decimal(double value, int digits);
QString bytes(qint64 bytes); // "512 B", "1.5 KiB", "12.0 MiB"
QString exactBytes(qint64 bytes); // "1,536 bytes", for tool tips
QString clock(const QDateTime &time); // local hh:mm:ss
QString when(const QDateTime &time); // local hh:mm:ss today, with the date on other days
QString fullTime(const QDateTime &time); // local date and time, for tool tips
QString age(qint64 seconds); // "now", "12 s ago", "3 min ago", "2 h ago", "4 d ago"
QString list(const QStringList &items); // "general, random"

// A ban's or mute's end: "permanent" for an invalid time, else when() with the date if needed.
QString until(const QDateTime &until);
// What is left of it at `reference`: "" for permanent, "45 s", "9 min", "2 h 5 min", "3 d 4 h",
// "ending" once it is due (the engine lifts it on its next tick).
QString timeLeft(const QDateTime &until, const QDateTime &reference);
// Its sort key: a permanent one lasts longest, so it sorts after every timed one.
qint64 untilSortKey(const QDateTime &until);
// Its tool tip: the full date and time, or none for a permanent one.
QVariant untilToolTip(const QDateTime &until);
// A length of time the operator chose: "10 min", "1 h", "1 d", "permanent" for 0.
QString duration(qint64 seconds);

// Whole seconds from `time` to `reference`, both cut to the second, so that ages shown
// against a reference only change when the reference enters a new second.
qint64 wholeSecondsBetween(const QDateTime &time, const QDateTime &reference);

} // namespace ModelFormat
