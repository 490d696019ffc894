#pragma once

#include <QLoggingCategory>
#include <QString>

// The app's own areas; the engine's categories live under confab.hub (server/logging.h).
Q_DECLARE_LOGGING_CATEGORY(lcApp) // confab.app: start, stop, signals
Q_DECLARE_LOGGING_CATEGORY(lcConfig) // confab.config: settings file, flags, data directory

enum class LogLevel { Debug, Info, Warning, Error };

// Accepts debug, info, warning or error (any case).
bool parseLogLevel(const QString &text, LogLevel *level);
QString logLevelName(LogLevel level);

// ISO time with milliseconds, level and category on every line. Call before anything logs.
void installMessagePattern();

// Shows confab.* messages at level and above. QT_LOGGING_RULES still wins, so a developer can
// turn one category up without changing the command line.
void applyLogLevel(LogLevel level);
