#include "settings.h"

#include <algorithm>
#include <limits>

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QSettings>
#include <QStandardPaths>

#include "protocol.h"

namespace {

// A context for translations that are not in a QObject.
class Settings
{
    Q_DECLARE_TR_FUNCTIONS(Settings)
};

const QString hubGroup = QStringLiteral("hub");
const QString passwordKey = QStringLiteral("password");
const QString passwordFileKey = QStringLiteral("password_file");
const QString passwordFileFlag = QStringLiteral("password-file");
const QString passwordEnvFlag = QStringLiteral("password-env");
const QString defaultPasswordVariable = QStringLiteral("CONFAB_PASSWORD");

bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

const SettingDescriptor *findByKey(const QString &key)
{
    for (const SettingDescriptor &setting : settingDescriptors()) {
        if (*setting.key && setting.iniKey() == key)
            return &setting;
    }
    return nullptr;
}

bool hasField(const SettingDescriptor &setting)
{
    return !std::holds_alternative<std::monostate>(setting.field);
}

} // namespace

// ---- Reading one value ----------------------------------------------------------------------

namespace {

bool parseAddress(const QString &text, QHostAddress *address, QString *error)
{
    QString value = text.trimmed();
    if (value.compare(QLatin1String("any"), Qt::CaseInsensitive) == 0) {
        *address = QHostAddress(QHostAddress::Any);
        return true;
    }
    if (value.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0) {
        *address = QHostAddress(QHostAddress::LocalHost);
        return true;
    }

    // People copy IPv6 addresses out of URLs, brackets and all.
    if (value.startsWith(QLatin1Char('[')) && value.endsWith(QLatin1Char(']')))
        value = value.mid(1, value.size() - 2);

    // QHostAddress also takes inet_aton's short forms ("10.1" is 10.0.0.1), which read as
    // typing mistakes; only full dotted quads and IPv6 are accepted.
    const bool ipv4 = !value.contains(QLatin1Char(':'));
    QHostAddress parsed;
    if ((ipv4 && value.count(QLatin1Char('.')) != 3) || !parsed.setAddress(value)) {
        return fail(error,
                    Settings::tr("'%1' is not an IP address: use any, localhost, or an IPv4 or "
                                 "IPv6 address such as 192.168.1.10 (host names are not looked "
                                 "up)")
                        .arg(text));
    }
    *address = parsed;
    return true;
}

bool parseInteger(const SettingDescriptor &setting, const QString &text, qint64 *value,
                  QString *error)
{
    bool ok = false;
    const qint64 number = text.trimmed().toLongLong(&ok);
    if (!ok)
        return fail(error, Settings::tr("'%1' is not a whole number").arg(text));

    if (number < setting.range.minimum || number > setting.range.maximum) {
        return fail(error, Settings::tr("%1 is out of range: use a whole number from %2 to %3")
                               .arg(number)
                               .arg(setting.range.minimum)
                               .arg(setting.range.maximum));
    }
    *value = number;
    return true;
}

bool parseBool(const QString &text, bool *value, QString *error)
{
    static const QStringList yes = {QStringLiteral("true"), QStringLiteral("yes"),
                                    QStringLiteral("on"), QStringLiteral("1")};
    static const QStringList no = {QStringLiteral("false"), QStringLiteral("no"),
                                   QStringLiteral("off"), QStringLiteral("0")};

    const QString word = text.trimmed().toLower();
    if (yes.contains(word) || no.contains(word)) {
        *value = yes.contains(word);
        return true;
    }
    return fail(error, Settings::tr("'%1' is not true or false").arg(text));
}

bool parseName(const QString &text, QString *value, QString *error)
{
    // The user-name rules without the reserved list: "operator" is reserved for clients
    // precisely so that the operator can use it.
    const qsizetype chars = text.toUcs4().size();
    if (chars < 1 || chars > Protocol::MaxUserChars)
        return fail(error,
                    Settings::tr("a name has 1 to %1 characters").arg(Protocol::MaxUserChars));

    if (text.front().isSpace() || text.back().isSpace())
        return fail(error, Settings::tr("a name cannot start or end with a space"));

    const bool printable = std::all_of(text.begin(), text.end(),
                                       [](QChar c) { return c.isPrint() || c.isSurrogate(); });
    if (!printable)
        return fail(error, Settings::tr("a name cannot hold control characters"));

    *value = text;
    return true;
}

bool parseRoomList(const QString &text, QStringList *value, QString *error)
{
    QStringList rooms;
    QStringList keys;
    for (const QString &part : text.split(QLatin1Char(','))) {
        const QString room = part.trimmed();
        if (room.isEmpty())
            continue;

        QString why;
        if (!Protocol::isValidRoomName(room, &why))
            return fail(error, Settings::tr("'%1' is not a room name: %2").arg(room, why));

        // Room names compare without case, so "General" and "general" are one room.
        const QString key = Protocol::nameKey(room);
        if (!keys.contains(key)) {
            keys.append(key);
            rooms.append(room);
        }
    }
    *value = rooms;
    return true;
}

bool parseSecret(const QString &text, QString *value, QString *error)
{
    if (text.size() > MaxPasswordChars) {
        return fail(error,
                    Settings::tr("the password is longer than the %1 characters a client can "
                                 "send")
                        .arg(MaxPasswordChars));
    }
    *value = text;
    return true;
}

// One overload per field type; std::visit picks it from the descriptor's member pointer.
bool parseField(const SettingDescriptor &setting, const QString &, HubConfig *, std::monostate,
                QString *error)
{
    return fail(error, Settings::tr("%1 is not a hub setting").arg(setting.flagName()));
}

bool parseField(const SettingDescriptor &, const QString &text, HubConfig *config,
                QHostAddress HubConfig::*field, QString *error)
{
    return parseAddress(text, &(config->*field), error);
}

template<typename Integer>
bool parseField(const SettingDescriptor &setting, const QString &text, HubConfig *config,
                Integer HubConfig::*field, QString *error)
{
    Q_ASSERT(setting.range.maximum <= qint64(std::numeric_limits<Integer>::max()));

    qint64 value = 0;
    if (!parseInteger(setting, text, &value, error))
        return false;
    config->*field = Integer(value);
    return true;
}

bool parseField(const SettingDescriptor &, const QString &text, HubConfig *config,
                bool HubConfig::*field, QString *error)
{
    return parseBool(text, &(config->*field), error);
}

bool parseField(const SettingDescriptor &setting, const QString &text, HubConfig *config,
                QString HubConfig::*field, QString *error)
{
    if (setting.type == SettingType::Secret)
        return parseSecret(text, &(config->*field), error);
    return parseName(text, &(config->*field), error);
}

bool parseField(const SettingDescriptor &, const QString &text, HubConfig *config,
                QStringList HubConfig::*field, QString *error)
{
    return parseRoomList(text, &(config->*field), error);
}

QString formatField(const HubConfig &, std::monostate)
{
    return {};
}

QString formatField(const HubConfig &config, QHostAddress HubConfig::*field)
{
    const QHostAddress &address = config.*field;
    if (address == QHostAddress(QHostAddress::Any))
        return QStringLiteral("any");
    return address.toString();
}

template<typename Integer>
QString formatField(const HubConfig &config, Integer HubConfig::*field)
{
    return QString::number(config.*field);
}

QString formatField(const HubConfig &config, bool HubConfig::*field)
{
    return config.*field ? QStringLiteral("true") : QStringLiteral("false");
}

QString formatField(const HubConfig &config, QString HubConfig::*field)
{
    return config.*field;
}

QString formatField(const HubConfig &config, QStringList HubConfig::*field)
{
    return (config.*field).join(QStringLiteral(", "));
}

} // namespace

bool parseSetting(const SettingDescriptor &setting, const QString &text, HubConfig *config,
                  QString *error)
{
    return std::visit([&](auto field) { return parseField(setting, text, config, field, error); },
                      setting.field);
}

QString formatSetting(const SettingDescriptor &setting, const HubConfig &config)
{
    return std::visit([&](auto field) { return formatField(config, field); }, setting.field);
}

QString settingDefault(const SettingDescriptor &setting)
{
    if (!hasField(setting))
        return QLatin1String(setting.fixedDefault);

    const QString value = formatSetting(setting, HubConfig());
    if (setting.type == SettingType::Secret && !value.isEmpty())
        return QStringLiteral("(set)");
    return value.isEmpty() ? QStringLiteral("none") : value;
}

bool validateHubConfig(const HubConfig &config, QString *error)
{
    // Every value must read back as it would from the file, so ranges and names hold however
    // the config was filled.
    for (const SettingDescriptor &setting : settingDescriptors()) {
        if (!hasField(setting))
            continue;

        HubConfig scratch;
        QString why;
        if (!parseSetting(setting, formatSetting(setting, config), &scratch, &why))
            return fail(error, QStringLiteral("%1: %2").arg(setting.iniKey(), why));
    }

    if (config.heartbeatTimeoutS <= config.heartbeatIntervalS) {
        return fail(error,
                    Settings::tr("heartbeat_timeout_s (--heartbeat-timeout, %1 s) must be longer "
                                 "than heartbeat_interval_s (--heartbeat-interval, %2 s), or "
                                 "clients time out before their next ping")
                        .arg(config.heartbeatTimeoutS)
                        .arg(config.heartbeatIntervalS));
    }

    if (config.maxOutboundBytes < config.maxMessageBytes) {
        return fail(error,
                    Settings::tr("max_outbound_bytes (%1) must be at least max_message_bytes "
                                 "(%2), or one large message closes every client it reaches")
                        .arg(config.maxOutboundBytes)
                        .arg(config.maxMessageBytes));
    }
    return true;
}

// ---- The INI file ---------------------------------------------------------------------------

namespace {

struct IniValues
{
    QString path;
    QHash<QString, QString> values; // known [hub] keys
    QStringList warnings;
};

QString iniText(const QVariant &value)
{
    // An unquoted comma makes QSettings hand back a list; put the text back together.
    if (value.userType() == QMetaType::QStringList)
        return value.toStringList().join(QLatin1Char(','));
    return value.toString();
}

bool loadIni(const QString &path, IniValues *ini, QString *error)
{
    const QFileInfo info(path);
    if (!info.isFile() || !info.isReadable())
        return fail(error, Settings::tr("cannot read settings file %1").arg(path));

    QSettings file(path, QSettings::IniFormat);
    if (file.status() != QSettings::NoError) {
        return fail(error,
                    Settings::tr("%1 is not a valid INI file (look for a broken [section] line)")
                        .arg(path));
    }

    ini->path = path;
    const QString prefix = hubGroup + QLatin1Char('/');
    for (const QString &key : file.allKeys()) {
        const QString name = key.startsWith(prefix) ? key.mid(prefix.size()) : QString();
        if (name.isEmpty()) {
            ini->warnings.append(
                Settings::tr("%1: '%2' is outside the [hub] section and is ignored")
                    .arg(path, key));
        } else if (!findByKey(name)) {
            ini->warnings.append(
                Settings::tr("%1: unknown key '%2' in [hub] is ignored").arg(path, name));
        } else {
            ini->values.insert(name, iniText(file.value(key)));
        }
    }
    return true;
}

// Warns, on Unix, when a file holding the password can be read by other users.
void checkPrivate(const QString &path, const QString &what, QStringList *warnings)
{
#ifdef Q_OS_UNIX
    const QFileDevice::Permissions open = QFileDevice::ReadGroup | QFileDevice::ReadOther;
    if (QFileInfo(path).permissions() & open) {
        warnings->append(Settings::tr("%1 %2 holds the hub password and other users can read "
                                      "it; chmod 600 it")
                             .arg(what, path));
    }
#else
    Q_UNUSED(path)
    Q_UNUSED(what)
    Q_UNUSED(warnings)
#endif
}

bool readPasswordFile(const QString &path, QString *password, QStringList *warnings, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(error,
                    Settings::tr("cannot read password file %1: %2").arg(path, file.errorString()));

    QByteArray line = file.readLine(4 * MaxPasswordChars + 2);
    if (line.endsWith('\n'))
        line.chop(1);
    if (line.endsWith('\r'))
        line.chop(1);
    if (line.isEmpty())
        return fail(error, Settings::tr("password file %1 has an empty first line").arg(path));

    checkPrivate(path, Settings::tr("password file"), warnings);
    return parseSecret(QString::fromUtf8(line), password, error);
}

// The password as the INI file gives it: the password key or the file password_file names.
// Unless it is used, a password file is not read, so an overridden one cannot stop the hub.
bool applyIniPassword(const IniValues &ini, bool used, HubConfig *config, QString *source,
                      QStringList *warnings, QString *error)
{
    const QString password = ini.values.value(passwordKey);
    const QString passwordFile = ini.values.value(passwordFileKey);
    if (!password.isEmpty() && !passwordFile.isEmpty())
        return fail(error,
                    Settings::tr("%1: set password or password_file, not both").arg(ini.path));

    if (!used)
        return true;
    if (!passwordFile.isEmpty()) {
        const QString path = QFileInfo(ini.path).dir().absoluteFilePath(passwordFile);
        if (!readPasswordFile(path, &config->password, warnings, error)) {
            *error = QStringLiteral("%1: password_file: %2").arg(ini.path, *error);
            return false;
        }
        *source = Settings::tr("password file %1").arg(path);
    } else if (!password.isEmpty()) {
        if (!parseSecret(password, &config->password, error))
            return fail(error, QStringLiteral("%1: password: %2").arg(ini.path, *error));
        checkPrivate(ini.path, Settings::tr("settings file"), warnings);
        *source = Settings::tr("settings file %1").arg(ini.path);
    }
    return true;
}

bool applyIni(const IniValues &ini, bool passwordUsed, HubConfig *config, QString *passwordSource,
              QStringList *warnings, QString *error)
{
    for (const SettingDescriptor &setting : settingDescriptors()) {
        const auto value = ini.values.constFind(setting.iniKey());
        if (value == ini.values.constEnd() || !hasField(setting)
            || setting.type == SettingType::Secret) {
            continue;
        }

        QString why;
        if (!parseSetting(setting, *value, config, &why))
            return fail(error, QStringLiteral("%1: %2: %3").arg(ini.path, setting.iniKey(), why));
    }
    return applyIniPassword(ini, passwordUsed, config, passwordSource, warnings, error);
}

} // namespace

bool readSettingsFile(const QString &path, HubConfig *config, QString *error)
{
    IniValues ini;
    HubConfig result;
    QString source;
    QStringList warnings;
    if (!loadIni(path, &ini, error) || !applyIni(ini, true, &result, &source, &warnings, error))
        return false;

    *config = result;
    return true;
}

bool writeSettingsFile(const QString &path, const HubConfig &config, QString *error)
{
    if (!validateHubConfig(config, error))
        return false;

    // A new file starts owner-only, so a password is never readable by others, not even
    // between the write and a chmod.
    const QFileInfo info(path);
    QFile created(path);
    if (!info.exists()
        && (!QDir().mkpath(info.absolutePath())
            || !created.open(QIODevice::WriteOnly | QIODevice::NewOnly,
                             QFileDevice::ReadOwner | QFileDevice::WriteOwner))) {
        return fail(error, Settings::tr("cannot create settings file %1").arg(path));
    }
    created.close();

    QSettings file(path, QSettings::IniFormat);
    if (file.status() != QSettings::NoError)
        return fail(error, Settings::tr("cannot read settings file %1 to update it").arg(path));

    file.beginGroup(hubGroup);
    const bool passwordFromFile = !iniText(file.value(passwordFileKey)).isEmpty();
    const bool writePassword = !passwordFromFile && !config.password.isEmpty();
    for (const SettingDescriptor &setting : settingDescriptors()) {
        if (!hasField(setting))
            continue;
        if (setting.type == SettingType::Secret && !writePassword)
            file.remove(setting.iniKey());
        else if (setting.type == SettingType::RoomList && config.rooms.size() > 1)
            file.setValue(setting.iniKey(), config.rooms); // unquoted: general, random
        else
            file.setValue(setting.iniKey(), formatSetting(setting, config));
    }
    file.endGroup();

    file.sync();
    if (file.status() != QSettings::NoError)
        return fail(error, Settings::tr("cannot write settings file %1").arg(path));

    if (writePassword)
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return true;
}

// ---- Command line and precedence ----------------------------------------------------------

namespace {

QString absolutePath(const QString &path)
{
    return QDir::cleanPath(QFileInfo(path).absoluteFilePath());
}

bool resolveLocations(const QCommandLineParser &parser, AppSettings *settings, QString *error)
{
    const QString dataDir = parser.value(QStringLiteral("data-dir"));
    if (parser.isSet(QStringLiteral("data-dir")) && dataDir.isEmpty())
        return fail(error, Settings::tr("--data-dir: the directory name is empty"));

    settings->dataDir = dataDir.isEmpty() ? defaultDataDir() : absolutePath(dataDir);
    if (settings->dataDir.isEmpty())
        return fail(error,
                    Settings::tr("this system has no per-user data directory; pass --data-dir"));

    const QString config = parser.value(QStringLiteral("config"));
    if (parser.isSet(QStringLiteral("config"))) {
        settings->configFile = absolutePath(config);
        if (config.isEmpty() || !QFileInfo(settings->configFile).isFile())
            return fail(error, Settings::tr("--config: there is no file %1").arg(config));
    } else {
        settings->configFile = QDir(settings->dataDir).filePath(QStringLiteral("confab.ini"));
    }
    return true;
}

bool applyLaunchOptions(const QCommandLineParser &parser, AppSettings *settings, QString *error)
{
    const QString level = parser.value(QStringLiteral("log-level"));
    if (parser.isSet(QStringLiteral("log-level")) && !parseLogLevel(level, &settings->logLevel)) {
        return fail(error,
                    Settings::tr("--log-level: '%1' is not a level: use debug, info, warning or "
                                 "error")
                        .arg(level));
    }
    settings->headless = parser.isSet(QStringLiteral("headless"));
    return true;
}

bool applyIniLayer(bool passwordOverridden, AppSettings *settings, QString *error)
{
    if (!QFileInfo::exists(settings->configFile))
        return true; // only the default file gets here missing, and it may be

    IniValues ini;
    if (!loadIni(settings->configFile, &ini, error))
        return false;
    settings->warnings += ini.warnings;
    settings->configFileRead = true;
    return applyIni(ini, !passwordOverridden, &settings->hub, &settings->passwordSource,
                    &settings->warnings, error);
}

bool applyFlagLayer(const QCommandLineParser &parser, AppSettings *settings, QString *error)
{
    for (const SettingDescriptor &setting : settingDescriptors()) {
        if (!*setting.flag || !hasField(setting) || !parser.isSet(setting.flagName()))
            continue;

        QString why;
        if (!parseSetting(setting, parser.value(setting.flagName()), &settings->hub, &why))
            return fail(error, QStringLiteral("--%1: %2").arg(setting.flagName(), why));
    }
    return true;
}

bool takeEnvironmentPassword(const QProcessEnvironment &environment, const QString &variable,
                             bool named, AppSettings *settings, QString *error)
{
    // An empty variable counts as unset: a stray `export CONFAB_PASSWORD=` must not quietly
    // remove the password the settings file sets.
    const QString password = environment.value(variable);
    if (password.isEmpty()) {
        if (!named)
            return true;
        return fail(error,
                    Settings::tr("--password-env: environment variable %1 is not set or empty")
                        .arg(variable));
    }

    if (!parseSecret(password, &settings->hub.password, error)) {
        *error = QStringLiteral("%1: %2").arg(variable, *error);
        return false;
    }
    settings->passwordSource = Settings::tr("environment variable %1").arg(variable);
    return true;
}

// Flags first, then CONFAB_PASSWORD; either replaces what the INI file gave.
bool applyPasswordOverrides(const QCommandLineParser &parser,
                            const QProcessEnvironment &environment, AppSettings *settings,
                            QString *error)
{
    const bool fromFile = parser.isSet(passwordFileFlag);
    const bool fromVariable = parser.isSet(passwordEnvFlag);
    if (fromFile && fromVariable)
        return fail(
            error,
            Settings::tr("--password-file and --password-env both name the password; use one"));

    if (fromFile) {
        const QString path = absolutePath(parser.value(passwordFileFlag));
        if (!readPasswordFile(path, &settings->hub.password, &settings->warnings, error)) {
            *error = QStringLiteral("--password-file: %1").arg(*error);
            return false;
        }
        settings->passwordSource = QStringLiteral("--password-file %1").arg(path);
        return true;
    }

    const QString variable = fromVariable ? parser.value(passwordEnvFlag) : defaultPasswordVariable;
    if (variable.isEmpty() || variable.contains(QLatin1Char('=')))
        return fail(error,
                    Settings::tr("--password-env: '%1' is not a variable name").arg(variable));
    return takeEnvironmentPassword(environment, variable, fromVariable, settings, error);
}

} // namespace

void addSettingOptions(QCommandLineParser *parser)
{
    for (const SettingDescriptor &setting : settingDescriptors()) {
        if (!*setting.flag)
            continue;

        QString help = setting.helpText();
        const QString fallback = settingDefault(setting);
        if (setting.type != SettingType::Switch && fallback != QLatin1String("none"))
            help += Settings::tr(" (default: %1)").arg(fallback);

        QCommandLineOption option(setting.flagName(), help);
        if (setting.type != SettingType::Switch)
            option.setValueName(QLatin1String(setting.valueName));
        parser->addOption(option);
    }
}

bool resolveSettings(const QCommandLineParser &parser, const QProcessEnvironment &environment,
                     AppSettings *settings, QString *error)
{
    AppSettings result;
    if (!resolveLocations(parser, &result, error) || !applyLaunchOptions(parser, &result, error))
        return false;

    // A password from the command line or the environment wins over the file's.
    const bool passwordOverridden = parser.isSet(passwordFileFlag) || parser.isSet(passwordEnvFlag)
                                    || !environment.value(defaultPasswordVariable).isEmpty();
    if (!applyIniLayer(passwordOverridden, &result, error)
        || !applyFlagLayer(parser, &result, error)
        || !applyPasswordOverrides(parser, environment, &result, error)) {
        return false;
    }

    if (!validateHubConfig(result.hub, error))
        return false;

    result.hub.dataDir = result.dataDir;
    *settings = result;
    return true;
}

QString defaultDataDir()
{
    // main() names the application "confab", so this is e.g. ~/.local/share/confab.
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
}

bool ensureDataDir(const QString &dir, QString *error)
{
    const QFileInfo info(dir);
    if (info.isDir())
        return true;
    if (info.exists())
        return fail(error,
                    Settings::tr("data directory %1 exists but is not a directory").arg(dir));

    // Owner-only from the start: the control socket in it lets anyone who reaches it kick and
    // broadcast.
    const QDir parent = info.absoluteDir();
    const QFileDevice::Permissions ownerOnly =
        QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner;
    if (!QDir().mkpath(parent.absolutePath()) || !parent.mkdir(info.fileName(), ownerOnly))
        return fail(error, Settings::tr("cannot create data directory %1").arg(dir));
    return true;
}
