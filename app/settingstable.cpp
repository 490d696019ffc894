#include <algorithm>

#include <QCoreApplication>

#include "protocol.h"
#include "settings.h"

// The settings table itself, and its printed form for --help-settings and the docs.

namespace {

// The same translation context as settings.cpp.
class Settings
{
    Q_DECLARE_TR_FUNCTIONS(Settings)
};

constexpr qint64 Day = 24 * 60 * 60;
constexpr qint64 KiB = 1024;
constexpr qint64 GiB = 1024 * 1024 * 1024;

} // namespace

const QList<SettingDescriptor> &settingDescriptors()
{
    // Timeouts stop at a day so that seconds * 1000 stays far inside a timer's int interval.
    static const QList<SettingDescriptor> table = {
        {"listen",
         "listen",
         SettingType::Address,
         &HubConfig::listenAddress,
         "address",
         QT_TRANSLATE_NOOP("Settings",
                           "Address to accept clients on: any (every interface), localhost "
                           "(127.0.0.1), or one IPv4 or IPv6 address of this machine"),
         {}},
        {"port",
         "port",
         SettingType::Integer,
         &HubConfig::port,
         "port",
         QT_TRANSLATE_NOOP("Settings", "TCP port for clients; 0 lets the system pick a free one"),
         {0, 65535}},
        {"listen_backlog",
         "listen-backlog",
         SettingType::Integer,
         &HubConfig::listenBacklog,
         "count",
         QT_TRANSLATE_NOOP("Settings",
                           "Connections the system may queue before the hub accepts them; the "
                           "kernel caps it (net.core.somaxconn on Linux)"),
         {1, 65535}},
        {"heartbeat_interval_s",
         "heartbeat-interval",
         SettingType::Integer,
         &HubConfig::heartbeatIntervalS,
         "seconds",
         QT_TRANSLATE_NOOP("Settings", "Seconds between WebSocket pings to each client"),
         {1, Day}},
        {"heartbeat_timeout_s",
         "heartbeat-timeout",
         SettingType::Integer,
         &HubConfig::heartbeatTimeoutS,
         "seconds",
         QT_TRANSLATE_NOOP("Settings",
                           "Seconds without any frame from a client before it is disconnected; "
                           "must be longer than heartbeat_interval_s"),
         {1, Day}},
        {"hello_timeout_s",
         "hello-timeout",
         SettingType::Integer,
         &HubConfig::helloTimeoutS,
         "seconds",
         QT_TRANSLATE_NOOP("Settings",
                           "Seconds a new connection has, from TCP accept, to send a valid "
                           "hello"),
         {1, Day}},
        {"max_message_bytes",
         "max-message-bytes",
         SettingType::Integer,
         &HubConfig::maxMessageBytes,
         "bytes",
         QT_TRANSLATE_NOOP("Settings",
                           "Largest WebSocket frame or message a client may send; a larger one "
                           "closes the connection (close code 1009)"),
         {KiB, GiB}},
        {"max_text_chars",
         "max-text-chars",
         SettingType::Integer,
         &HubConfig::maxTextChars,
         "chars",
         QT_TRANSLATE_NOOP("Settings", "Longest text of a message, direct message, multicast or "
                                       "announcement"),
         {1, 1000000}},
        {"max_outbound_bytes",
         "max-outbound-bytes",
         SettingType::Integer,
         &HubConfig::maxOutboundBytes,
         "bytes",
         QT_TRANSLATE_NOOP("Settings",
                           "Bytes that may wait to be sent to one client before it is closed as "
                           "a slow consumer; at least max_message_bytes"),
         {KiB, 16 * GiB}},
        {"max_multicast_users",
         "max-multicast-users",
         SettingType::Integer,
         &HubConfig::maxMulticastUsers,
         "count",
         QT_TRANSLATE_NOOP("Settings", "Most recipients one multicast may name"),
         {1, 100000}},
        {"write_threads",
         "write-threads",
         SettingType::Integer,
         &HubConfig::writeThreads,
         "count",
         QT_TRANSLATE_NOOP("Settings",
                           "Threads that write frames to the sockets, the engine's own included. "
                           "More than 1 helps only a hub with cores to spare for big rooms"),
         {1, 8}},
        {"password",
         "",
         SettingType::Secret,
         &HubConfig::password,
         "text",
         QT_TRANSLATE_NOOP("Settings",
                           "Password clients must send in hello; empty means none. INI file "
                           "only (see password_file)"),
         {}},
        {"password_file",
         "password-file",
         SettingType::Path,
         {},
         "file",
         QT_TRANSLATE_NOOP("Settings",
                           "File whose first line is the hub password; a relative path in the "
                           "INI file is relative to that file"),
         {},
         "none"},
        {"",
         "password-env",
         SettingType::EnvName,
         {},
         "name",
         QT_TRANSLATE_NOOP("Settings", "Environment variable that holds the hub password"),
         {},
         "CONFAB_PASSWORD"},
        {"rooms",
         "rooms",
         SettingType::RoomList,
         &HubConfig::rooms,
         "list",
         QT_TRANSLATE_NOOP("Settings", "Comma-separated rooms to create on first start"),
         {}},
        {"allow_user_rooms",
         "allow-user-rooms",
         SettingType::Bool,
         &HubConfig::allowUserRooms,
         "bool",
         QT_TRANSLATE_NOOP("Settings",
                           "Whether clients may create rooms (joining a missing room creates "
                           "it); otherwise only the operator can"),
         {}},
        {"operator_name",
         "operator-name",
         SettingType::Name,
         &HubConfig::operatorName,
         "name",
         QT_TRANSLATE_NOOP("Settings",
                           "Name the console acts under: clients see it on its broadcasts, "
                           "kicks and bans. confab ctl acts under --as or the caller's login "
                           "name"),
         {}},
        {"member_list_cap",
         "member-list-cap",
         SettingType::Integer,
         &HubConfig::memberListCap,
         "count",
         QT_TRANSLATE_NOOP("Settings", "Members listed per page of a joined or who reply"),
         {1, 100000}},
        {"coalesce_above",
         "coalesce-above",
         SettingType::Integer,
         &HubConfig::coalesceAbove,
         "count",
         QT_TRANSLATE_NOOP("Settings",
                           "Rooms with more members than this get batched members_changed "
                           "updates instead of a frame per join and leave"),
         {0, 1000000}},
        {"persist",
         "persist",
         SettingType::Bool,
         &HubConfig::persist,
         "bool",
         QT_TRANSLATE_NOOP("Settings",
                           "Keep rooms, history, names, bans, mutes and the audit log in "
                           "confab.db in the data directory; false keeps everything in memory, "
                           "and a restart forgets it"),
         {}},
        {"commit_interval_ms",
         "commit-interval-ms",
         SettingType::Integer,
         &HubConfig::commitIntervalMs,
         "ms",
         QT_TRANSLATE_NOOP("Settings",
                           "Least time, in milliseconds, between two database commits; what "
                           "arrives meanwhile is written as one group. 0 commits every pass"),
         {0, 1000}},
        {"history_max_messages",
         "history-max-messages",
         SettingType::Integer,
         &HubConfig::historyMaxMessages,
         "count",
         QT_TRANSLATE_NOOP("Settings",
                           "Messages kept per room, the oldest going first; 0 means no limit"),
         {0, 10000000}},
        {"history_max_days",
         "history-max-days",
         SettingType::Integer,
         &HubConfig::historyMaxDays,
         "days",
         QT_TRANSLATE_NOOP("Settings",
                           "Days room messages and stored direct messages are kept; 0 means no "
                           "limit"),
         {0, 36500}},
        {"name_retention_days",
         "name-retention-days",
         SettingType::Integer,
         &HubConfig::nameRetentionDays,
         "days",
         QT_TRANSLATE_NOOP("Settings",
                           "Days a name stays its claimant's after their last device leaves; 0 "
                           "means a name is free once its last device leaves"),
         {0, 36500}},
        {"",
         "data-dir",
         SettingType::Path,
         {},
         "dir",
         QT_TRANSLATE_NOOP("Settings",
                           "Directory for the settings file, the control socket and confab.db; "
                           "created owner-only if missing"),
         {},
         "~/.local/share/confab"},
        {"",
         "config",
         SettingType::Path,
         {},
         "file",
         QT_TRANSLATE_NOOP("Settings",
                           "Settings file; the default one may be missing, a named one must "
                           "exist"),
         {},
         "DATA_DIR/confab.ini"},
        {"",
         "log-level",
         SettingType::Level,
         {},
         "level",
         QT_TRANSLATE_NOOP("Settings", "Least severe log messages shown: debug, info, warning "
                                       "or error"),
         {},
         "info"},
        {"",
         "headless",
         SettingType::Switch,
         {},
         "",
         QT_TRANSLATE_NOOP("Settings", "Run without the console window"),
         {},
         "off"},
    };
    return table;
}

QString SettingDescriptor::helpText() const
{
    return QCoreApplication::translate("Settings", help);
}

namespace {

QString keyCell(const SettingDescriptor &setting)
{
    return *setting.key ? QStringLiteral("`%1`").arg(setting.iniKey()) : QStringLiteral("-");
}

QString flagCell(const SettingDescriptor &setting)
{
    if (!*setting.flag)
        return QStringLiteral("-");
    if (setting.type == SettingType::Switch)
        return QStringLiteral("`--%1`").arg(setting.flagName());
    return QStringLiteral("`--%1 %2`")
        .arg(setting.flagName(), QString::fromLatin1(setting.valueName).toUpper());
}

QString valuesCell(const SettingDescriptor &setting)
{
    switch (setting.type) {
    case SettingType::Address:
        return Settings::tr("any, localhost, IP address");
    case SettingType::Integer:
        return Settings::tr("%1 to %2").arg(setting.range.minimum).arg(setting.range.maximum);
    case SettingType::Bool:
        return Settings::tr("true, false");
    case SettingType::Name:
        return Settings::tr("1 to %1 characters").arg(Protocol::MaxUserChars);
    case SettingType::RoomList:
        return Settings::tr("room names");
    case SettingType::Secret:
        return Settings::tr("up to %1 characters").arg(MaxPasswordChars);
    case SettingType::Path:
        return Settings::tr("path");
    case SettingType::EnvName:
        return Settings::tr("variable name");
    case SettingType::Level:
        return Settings::tr("debug, info, warning, error");
    case SettingType::Switch:
        return Settings::tr("flag only");
    }
    return {};
}

} // namespace

QString settingsTable()
{
    QList<QStringList> rows = {{Settings::tr("Key"), Settings::tr("Flag"), Settings::tr("Default"),
                                Settings::tr("Values"), Settings::tr("Meaning")}};
    for (const SettingDescriptor &setting : settingDescriptors()) {
        rows.append({keyCell(setting), flagCell(setting),
                     QStringLiteral("`%1`").arg(settingDefault(setting)), valuesCell(setting),
                     setting.helpText()});
    }

    QList<qsizetype> widths(rows.first().size(), 3);
    for (const QStringList &row : rows) {
        for (qsizetype column = 0; column < row.size(); ++column)
            widths[column] = std::max(widths[column], row.at(column).size());
    }

    QString table;
    for (qsizetype index = 0; index < rows.size(); ++index) {
        QStringList cells;
        for (qsizetype column = 0; column < widths.size(); ++column) {
            const QString &cell = rows.at(index).at(column);
            const bool last = column + 1 == widths.size();
            cells.append(last ? cell : cell.leftJustified(widths.at(column)));
        }
        table += QStringLiteral("| %1 |\n").arg(cells.join(QStringLiteral(" | ")));

        if (index == 0) {
            QStringList rule;
            // The last column is not padded, so its rule need not be as long as its text.
            for (qsizetype column = 0; column < widths.size(); ++column) {
                const bool last = column + 1 == widths.size();
                rule.append(QString(last ? 3 : widths.at(column), QLatin1Char('-')));
            }
            table += QStringLiteral("|-%1-|\n").arg(rule.join(QStringLiteral("-|-")));
        }
    }
    return table;
}
