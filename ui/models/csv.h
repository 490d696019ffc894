#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include "snapshot.h"

class QIODevice;

// Comma-separated values as RFC 4180 has them: CRLF after every record, a field in double quotes
// when it holds a comma, a quote, CR or LF, and a quote inside doubled. What a spreadsheet or
// Python's csv module reads back unchanged.
namespace Csv {

QString field(const QString &value);
QString record(const QStringList &fields); // with its CRLF

// The audit log with a header row, times in ISO 8601 UTC so they sort and parse anywhere.
QString auditLog(const QList<AuditEntry> &entries);

// Writes text as UTF-8; false with a readable error if the device takes less than all of it.
bool write(QIODevice *device, const QString &text, QString *error = nullptr);

} // namespace Csv
