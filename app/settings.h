#pragma once

#include <variant>

#include <QList>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include "hubconfig.h"
#include "logsetup.h"

class QCommandLineParser;

// How a setting's text is read, checked and shown.
enum class SettingType {
    Address, // any, localhost, or an IPv4 or IPv6 literal
    Integer, // a whole number within the descriptor's range
    Bool, // true/false, yes/no, on/off, 1/0
    Name, // a user name (the operator's)
    RoomList, // comma-separated room names
    Secret, // text that is never printed
    Path,
    EnvName, // the name of an environment variable
    Level, // debug, info, warning, error
    Switch, // a command-line flag without a value
};

// The HubConfig field a setting fills. std::monostate marks the settings that steer start-up
// itself (data directory, settings file, log level, where the password comes from).
using SettingField = std::variant<std::monostate, QHostAddress HubConfig::*, quint16 HubConfig::*,
                                  int HubConfig::*, qint64 HubConfig::*, bool HubConfig::*,
                                  QString HubConfig::*, QStringList HubConfig::*>;

struct SettingRange
{
    qint64 minimum = 0;
    qint64 maximum = 0;
};

// One row of the settings table. The same row builds the command-line option, reads and writes
// the INI key, checks the value and documents it, so none of those can disagree.
struct SettingDescriptor
{
    const char *key; // INI key in the [hub] group; empty: command line only
    const char *flag; // long option without "--"; empty: INI file only
    SettingType type;
    SettingField field;
    const char *valueName; // shown in --help
    const char *help; // translatable in context "Settings"
    SettingRange range; // Integer only
    const char *fixedDefault = ""; // shown for rows without a field; others use HubConfig{}

    QString iniKey() const { return QLatin1String(key); }
    QString flagName() const { return QLatin1String(flag); }
    QString helpText() const;
};

const QList<SettingDescriptor> &settingDescriptors();

// protocol.cpp reads at most this many characters of password from a hello; a longer hub
// password could never be matched.
constexpr int MaxPasswordChars = 1024;

// What the hub process starts with: the hub's settings plus how the app itself runs.
struct AppSettings
{
    HubConfig hub; // hub.dataDir is dataDir
    QString dataDir; // absolute
    QString configFile; // absolute; may not exist when it is the default one
    bool configFileRead = false;
    LogLevel logLevel = LogLevel::Info;
    bool headless = false;
    QString passwordSource; // where the password came from, for the log; empty when none
    QStringList warnings; // to log once logging is set up (unknown keys, loose permissions)
};

// Adds one option per table row that has a flag.
void addSettingOptions(QCommandLineParser *parser);

// Defaults, then the INI file, then the flags and environment (see docs/CONFIGURATION.md).
// Returns false with a message naming the flag or key at fault. Reads files but creates none.
bool resolveSettings(const QCommandLineParser &parser, const QProcessEnvironment &environment,
                     AppSettings *settings, QString *error);

// The per-user data directory: QStandardPaths::AppDataLocation, e.g. ~/.local/share/confab.
QString defaultDataDir();

// Creates dir (owner-only) if it is missing. An existing directory is left as it is.
bool ensureDataDir(const QString &dir, QString *error);

// Fills config from defaults and the file's [hub] group, password and password_file included;
// flags and environment play no part. For the console's settings dialog.
bool readSettingsFile(const QString &path, HubConfig *config, QString *error);

// Writes every table setting of config into the file's [hub] group, keeping other keys. The
// password is written as the password key unless the file names a password_file, which then
// stays the source; a caller holding a password from the environment should clear it first.
// A file that holds a password is made owner-only.
bool writeSettingsFile(const QString &path, const HubConfig &config, QString *error);

// Reads text into the setting's HubConfig field. error says what is wrong, never the value of
// a secret.
bool parseSetting(const SettingDescriptor &setting, const QString &text, HubConfig *config,
                  QString *error);

// The setting's value as the INI file holds it (the real password for a Secret).
QString formatSetting(const SettingDescriptor &setting, const HubConfig &config);

// The default as shown in --help, --help-settings and the docs; "none" for an empty secret.
QString settingDefault(const SettingDescriptor &setting);

// Checks between settings (heartbeat timeout against interval, ...), after every value is in.
bool validateHubConfig(const HubConfig &config, QString *error);

// The table as Markdown, for `confab --help-settings` and docs/CONFIGURATION.md.
QString settingsTable();
