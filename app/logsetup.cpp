#include "logsetup.h"

#include <array>
#include <utility>

#include <QStringList>

Q_LOGGING_CATEGORY(lcApp, "confab.app", QtInfoMsg)
Q_LOGGING_CATEGORY(lcConfig, "confab.config", QtInfoMsg)

namespace {

constexpr std::array<std::pair<LogLevel, const char *>, 4> levelNames = {{
    {LogLevel::Debug, "debug"},
    {LogLevel::Info, "info"},
    {LogLevel::Warning, "warning"},
    {LogLevel::Error, "error"},
}};

QString rule(const char *type, bool enabled)
{
    return QStringLiteral("confab.*.%1=%2")
        .arg(QLatin1String(type), enabled ? QStringLiteral("true") : QStringLiteral("false"));
}

} // namespace

bool parseLogLevel(const QString &text, LogLevel *level)
{
    for (const auto &[value, name] : levelNames) {
        if (text.compare(QLatin1String(name), Qt::CaseInsensitive) == 0) {
            *level = value;
            return true;
        }
    }
    return false;
}

QString logLevelName(LogLevel level)
{
    for (const auto &[value, name] : levelNames) {
        if (value == level)
            return QLatin1String(name);
    }
    return {};
}

void installMessagePattern()
{
    // Local time: operators compare these lines with their own clock, not with UTC.
    qSetMessagePattern(
        QStringLiteral("%{time yyyy-MM-dd'T'HH:mm:ss.zzz} %{type} %{category}: %{message}"));
}

void applyLogLevel(LogLevel level)
{
    // Critical messages (cannot bind, storage unwritable) are never filtered.
    const QStringList rules = {
        rule("debug", level <= LogLevel::Debug),
        rule("info", level <= LogLevel::Info),
        rule("warning", level <= LogLevel::Warning),
    };
    QLoggingCategory::setFilterRules(rules.join(QLatin1Char('\n')));
}
