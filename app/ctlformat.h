#pragma once

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

// How `confab ctl` shows the hub's answers to people; --json bypasses all of it.
namespace CtlFormat {

// The human output for a successful request: a table for the listings, one line for actions.
// now is the reference for "up" and "idle" columns.
QString result(const QJsonObject &request, const QJsonValue &result,
               const QDateTime &now = QDateTime::currentDateTimeUtc());

// The audit log as CSV (RFC 4180): a header row, then one record per entry, newest first, each
// ending in CRLF. Times are UTC ISO 8601 as the hub sent them.
QString auditCsv(const QJsonArray &entries);

// One CSV field: quoted, with quotes doubled, when it holds a comma, quote, CR or LF.
QString csvField(const QString &text);

// A time as the tables and history show it: local, "2024-05-01 14:00:05".
QString clockTime(const QDateTime &time);

// Text from clients made safe for a terminal: control characters (escape sequences could
// rewrite the operator's screen) become U+FFFD. Newlines and tabs stay.
QString printable(const QString &text);

// The result as one line of compact JSON, whatever its type ("null" when it is missing).
QString compactJson(const QJsonValue &value);

// Columns separated by two spaces, a header row first, no trailing spaces. rightAligned lists
// the numeric columns.
QString table(const QStringList &headers, const QList<QStringList> &rows,
              const QList<int> &rightAligned = {});

// 1536 -> "1.5K"; plain bytes below 1 KiB.
QString bytes(qint64 count);

// Seconds as "45s", "12m03s", "3h05m" or "2d04h".
QString duration(qint64 seconds);

} // namespace CtlFormat
