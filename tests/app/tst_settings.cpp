#include <memory>

#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "settings.h"

Q_DECLARE_METATYPE(HubConfig)

namespace {

// Test rows spell argument lists as plain literals; QT_NO_CAST_FROM_ASCII wants them converted.
QStringList words(std::initializer_list<const char *> items)
{
    QStringList list;
    for (const char *item : items)
        list.append(QString::fromUtf8(item));
    return list;
}

// A password that must never appear in a message.
const QString sentinel = QStringLiteral("s3cret-Sentinel");

QProcessEnvironment environmentOf(const QStringList &assignments)
{
    QProcessEnvironment environment;
    for (const QString &assignment : assignments) {
        const qsizetype equals = assignment.indexOf(QLatin1Char('='));
        environment.insert(assignment.left(equals), assignment.mid(equals + 1));
    }
    return environment;
}

const SettingDescriptor &setting(const char *key)
{
    for (const SettingDescriptor &descriptor : settingDescriptors()) {
        if (qstrcmp(descriptor.key, key) == 0 || qstrcmp(descriptor.flag, key) == 0)
            return descriptor;
    }
    qFatal("no setting %s", key);
}

bool hasField(const SettingDescriptor &descriptor)
{
    return !std::holds_alternative<std::monostate>(descriptor.field);
}

} // namespace

class TestSettings : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();

    void defaults();
    void defaultDataDir();
    void precedence_data();
    void precedence();
    void badValues_data();
    void badValues();
    void password_data();
    void password();
    void noPasswordFlag();
    void unknownKeysWarn();
    void roundTrip_data();
    void roundTrip();
    void writeKeepsPasswordFile();
    void writeKeepsOtherKeys();
    void writeRejectsInvalid();
    void ensureDataDirCreatesOwnerOnly();
    void docsMentionEverySetting();
    void docsExampleIsValid();

private:
    QString path(const QString &name) const { return m_dir->filePath(name); }
    void writeFile(const QString &name, const QByteArray &content) const;
    QStringList expand(const QStringList &arguments) const;
    bool resolve(const QStringList &flags, const QByteArray &ini, const QStringList &environment,
                 AppSettings *settings, QString *error);

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestSettings::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setApplicationName(QStringLiteral("confab"));
}

void TestSettings::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestSettings::writeFile(const QString &name, const QByteArray &content) const
{
    QFile file(path(name));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(content);
}

// @DIR@ in a test row stands for the temporary directory.
QStringList TestSettings::expand(const QStringList &arguments) const
{
    QStringList expanded;
    for (const QString &argument : arguments)
        expanded.append(QString(argument).replace(QLatin1String("@DIR@"), m_dir->path()));
    return expanded;
}

// Resolves with --data-dir in the temporary directory; a non-null ini becomes confab.ini there.
bool TestSettings::resolve(const QStringList &flags, const QByteArray &ini,
                           const QStringList &environment, AppSettings *settings, QString *error)
{
    if (!ini.isNull())
        writeFile(QStringLiteral("confab.ini"), ini);

    QCommandLineParser parser;
    addSettingOptions(&parser);
    const QStringList arguments =
        QStringList {QStringLiteral("confab"), QStringLiteral("--data-dir"), m_dir->path()}
        + expand(flags);
    if (!parser.parse(arguments)) {
        *error = parser.errorText();
        return false;
    }
    return resolveSettings(parser, environmentOf(expand(environment)), settings, error);
}

void TestSettings::defaults()
{
    AppSettings settings;
    QString error;
    QVERIFY2(resolve({}, {}, {}, &settings, &error), qPrintable(error));

    const HubConfig defaults;
    for (const SettingDescriptor &descriptor : settingDescriptors()) {
        if (hasField(descriptor))
            QCOMPARE(formatSetting(descriptor, settings.hub), formatSetting(descriptor, defaults));
    }
    QCOMPARE(settings.dataDir, m_dir->path());
    QCOMPARE(settings.hub.dataDir, m_dir->path());
    QCOMPARE(settings.configFile, path(QStringLiteral("confab.ini")));
    QVERIFY(!settings.configFileRead);
    QCOMPARE(settings.logLevel, LogLevel::Info);
    QVERIFY(!settings.headless);
    QVERIFY(settings.passwordSource.isEmpty());
}

void TestSettings::defaultDataDir()
{
    QCommandLineParser parser;
    addSettingOptions(&parser);
    QVERIFY(parser.parse({QStringLiteral("confab")}));

    AppSettings settings;
    QString error;
    QVERIFY2(resolveSettings(parser, {}, &settings, &error), qPrintable(error));
    QCOMPARE(settings.dataDir, ::defaultDataDir());
    QVERIFY2(settings.dataDir.endsWith(QLatin1String("/confab")), qPrintable(settings.dataDir));
    QCOMPARE(QFileInfo(settings.configFile).fileName(), QStringLiteral("confab.ini"));
}

void TestSettings::precedence_data()
{
    QTest::addColumn<QByteArray>("ini");
    QTest::addColumn<QStringList>("flags");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("expected");

    QTest::addRow("the file overrides the default")
        << QByteArray("[hub]\nport=9000\n") << QStringList() << "port"
        << "9000";
    QTest::addRow("a flag overrides the file")
        << QByteArray("[hub]\nport=9000\n") << words({"--port", "9100"}) << "port"
        << "9100";
    QTest::addRow("a flag overrides the default")
        << QByteArray() << words({"--heartbeat-interval", "5"}) << "heartbeat_interval_s"
        << "5";
    QTest::addRow("the last of a repeated flag wins")
        << QByteArray() << words({"--port", "1", "--port", "2"}) << "port"
        << "2";
    QTest::addRow("port 0 asks for a free port") << QByteArray() << words({"--port", "0"}) << "port"
                                                 << "0";
    QTest::addRow("an unquoted list in the file")
        << QByteArray("[hub]\nrooms=general, random\n") << QStringList() << "rooms"
        << "general, random";
    QTest::addRow("a list flag drops empty and repeated rooms")
        << QByteArray() << words({"--rooms", "a,,b,A"}) << "rooms"
        << "a, b";
    QTest::addRow("an empty room list") << QByteArray("[hub]\nrooms=\n") << QStringList() << "rooms"
                                        << "";
    QTest::addRow("localhost is IPv4 loopback")
        << QByteArray() << words({"--listen", "localhost"}) << "listen"
        << "127.0.0.1";
    QTest::addRow("an IPv6 address in brackets")
        << QByteArray() << words({"--listen", "[::1]"}) << "listen"
        << "::1";
    QTest::addRow("an IPv4 address in the file")
        << QByteArray("[hub]\nlisten=192.168.1.10\n") << QStringList() << "listen"
        << "192.168.1.10";
    QTest::addRow("a flag can switch a file's bool off")
        << QByteArray("[hub]\nallow_user_rooms=yes\n") << words({"--allow-user-rooms", "off"})
        << "allow_user_rooms"
        << "false";
    QTest::addRow("a bool in the file")
        << QByteArray("[hub]\nallow_user_rooms=on\n") << QStringList() << "allow_user_rooms"
        << "true";
    QTest::addRow("the operator may be called operator")
        << QByteArray("[hub]\noperator_name=Front Desk\n") << words({"--operator-name", "operator"})
        << "operator_name"
        << "operator";
    QTest::addRow("a quoted value keeps its semicolon, comma and quotes")
        << QByteArray("[hub]\noperator_name = \"tea; biscuits, \\\"and\\\" more\"\n")
        << QStringList() << "operator_name"
        << "tea; biscuits, \"and\" more";
    QTest::addRow("the largest outbound bound")
        << QByteArray() << words({"--max-outbound-bytes", "17179869184"}) << "max_outbound_bytes"
        << "17179869184";
}

void TestSettings::precedence()
{
    QFETCH(QByteArray, ini);
    QFETCH(QStringList, flags);
    QFETCH(QString, key);
    QFETCH(QString, expected);

    AppSettings settings;
    QString error;
    QVERIFY2(resolve(flags, ini, {}, &settings, &error), qPrintable(error));
    QCOMPARE(settings.configFileRead, !ini.isNull());
    QCOMPARE(formatSetting(setting(qPrintable(key)), settings.hub), expected);
}

void TestSettings::badValues_data()
{
    QTest::addColumn<QByteArray>("ini");
    QTest::addColumn<QStringList>("flags");
    QTest::addColumn<QString>("message");

    const QByteArray none;
    QTest::addRow("a port above 65535") << none << words({"--port", "70000"})
                                        << "--port: 70000 is out of range: use a whole number "
                                           "from 0 to 65535";
    QTest::addRow("a port that is not a number")
        << none << words({"--port", "http"}) << "--port: 'http' is not a whole number";
    QTest::addRow("a bad port in the file names the file and key")
        << QByteArray("[hub]\nport=x\n") << QStringList()
        << "confab.ini: port: 'x' is not a whole "
           "number";
    QTest::addRow("a host name is not an address")
        << none << words({"--listen", "example.com"})
        << "--listen: 'example.com' is not an IP address";
    QTest::addRow("a short IPv4 form is not accepted")
        << none << words({"--listen", "10.1"}) << "'10.1' is not an IP address";
    QTest::addRow("a negative timeout")
        << none << words({"--hello-timeout", "-5"}) << "--hello-timeout: -5 is out of range";
    QTest::addRow("a negative heartbeat in the file")
        << QByteArray("[hub]\nheartbeat_interval_s=-1\n") << QStringList()
        << "heartbeat_interval_s: -1 is out of range";
    QTest::addRow("a timeout equal to the interval")
        << none << words({"--heartbeat-interval", "30", "--heartbeat-timeout", "30"})
        << "heartbeat_timeout_s (--heartbeat-timeout, 30 s) must be longer than "
           "heartbeat_interval_s";
    QTest::addRow("a timeout shorter than the interval from the file")
        << QByteArray("[hub]\nheartbeat_timeout_s=10\n") << QStringList()
        << "must be longer than heartbeat_interval_s (--heartbeat-interval, 20 s)";
    QTest::addRow("outbound bound below the message size")
        << none << words({"--max-outbound-bytes", "2048", "--max-message-bytes", "4096"})
        << "max_outbound_bytes (2048) must be at least max_message_bytes (4096)";
    QTest::addRow("a room name with a space")
        << none << words({"--rooms", "general,team room"}) << "'team room' is not a room name";
    QTest::addRow("a bool that is not one")
        << none << words({"--allow-user-rooms", "maybe"}) << "'maybe' is not true or false";
    QTest::addRow("an operator name with a leading space")
        << none << words({"--operator-name", " op"}) << "cannot start or end with a space";
    QTest::addRow("an empty operator name") << QByteArray("[hub]\noperator_name=\n")
                                            << QStringList() << "a name has 1 to 32 characters";
    QTest::addRow("an unknown log level")
        << none << words({"--log-level", "loud"}) << "--log-level: 'loud' is not a level";
    QTest::addRow("a named settings file that is missing")
        << none << words({"--config", "@DIR@/missing.ini"}) << "--config: there is no file";
    QTest::addRow("a broken INI file")
        << QByteArray("[hub\nport=1\n") << QStringList() << "is not a valid INI file";
    QTest::addRow("a missing password file") << none << words({"--password-file", "@DIR@/nope"})
                                             << "--password-file: cannot read password file";
    QTest::addRow("a password file that is a directory")
        << none << words({"--password-file", "@DIR@"}) << "cannot read password file";
    QTest::addRow("a missing password_file named in the INI")
        << QByteArray("[hub]\npassword_file=nope\n") << QStringList()
        << "confab.ini: password_file: cannot read password file";
    QTest::addRow("both password keys in the file")
        << QByteArray("[hub]\npassword=s3cret-Sentinel\npassword_file=pw\n") << QStringList()
        << "set password or password_file, not both";
    QTest::addRow("both password flags")
        << none << words({"--password-file", "@DIR@/pw", "--password-env", "X"})
        << "--password-file and --password-env both name the password";
    QTest::addRow("a named variable that is unset")
        << none << words({"--password-env", "CONFAB_TEST_UNSET"})
        << "--password-env: environment variable CONFAB_TEST_UNSET is not set or empty";
    QTest::addRow("a password longer than a client can send")
        << QByteArray("[hub]\npassword=" + QByteArray(1025, 'x') + "\n") << QStringList()
        << "longer than the 1024 characters";
}

void TestSettings::badValues()
{
    QFETCH(QByteArray, ini);
    QFETCH(QStringList, flags);
    QFETCH(QString, message);

    // A password in the environment must not leak into any message either; rows about the
    // file's password go without it, since it would win over the file.
    QStringList environment;
    if (!ini.contains("password"))
        environment.append(QStringLiteral("CONFAB_PASSWORD=") + sentinel);

    AppSettings settings;
    QString error;
    QVERIFY(!resolve(flags, ini, environment, &settings, &error));
    QVERIFY2(error.contains(message), qPrintable(error));
    QVERIFY2(!error.contains(sentinel), qPrintable(error));
}

void TestSettings::password_data()
{
    QTest::addColumn<QByteArray>("ini");
    QTest::addColumn<QStringList>("flags");
    QTest::addColumn<QStringList>("environment");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("source");

    const QByteArray none;
    QTest::addRow("no password by default") << none << QStringList() << QStringList() << ""
                                            << "";
    QTest::addRow("the password key of the INI file")
        << QByteArray("[hub]\npassword=\"in, the; file\"\n") << QStringList() << QStringList()
        << "in, the; file"
        << "settings file";
    QTest::addRow("password_file is relative to the INI file")
        << QByteArray("[hub]\npassword_file=pw.txt\n") << QStringList() << QStringList()
        << "from-file"
        << "password file @DIR@/pw.txt";
    QTest::addRow("--password-file with a CRLF line end")
        << none << words({"--password-file", "@DIR@/crlf.txt"}) << QStringList() << "windows"
        << "--password-file @DIR@/crlf.txt";
    QTest::addRow("only the first line of a password file counts")
        << none << words({"--password-file", "@DIR@/two.txt"}) << QStringList() << "first"
        << "--password-file";
    QTest::addRow("CONFAB_PASSWORD overrides the file")
        << QByteArray("[hub]\npassword=ini-secret\n") << QStringList()
        << words({"CONFAB_PASSWORD=from-env"}) << "from-env"
        << "environment variable CONFAB_PASSWORD";
    QTest::addRow("an empty CONFAB_PASSWORD leaves the file's password")
        << QByteArray("[hub]\npassword=ini-secret\n") << QStringList()
        << words({"CONFAB_PASSWORD="}) << "ini-secret"
        << "settings file";
    QTest::addRow("--password-env names another variable")
        << none << words({"--password-env", "HUB_SECRET"})
        << words({"CONFAB_PASSWORD=ignored", "HUB_SECRET=named"}) << "named"
        << "environment variable HUB_SECRET";
    QTest::addRow("an overridden password_file is not read")
        << QByteArray("[hub]\npassword_file=missing.txt\n") << QStringList()
        << words({"CONFAB_PASSWORD=from-env"}) << "from-env"
        << "environment variable CONFAB_PASSWORD";
    QTest::addRow("--password-file overrides CONFAB_PASSWORD")
        << none << words({"--password-file", "@DIR@/pw.txt"}) << words({"CONFAB_PASSWORD=env"})
        << "from-file"
        << "--password-file";
}

void TestSettings::password()
{
    QFETCH(QByteArray, ini);
    QFETCH(QStringList, flags);
    QFETCH(QStringList, environment);
    QFETCH(QString, expected);
    QFETCH(QString, source);

    writeFile(QStringLiteral("pw.txt"), "from-file\n");
    writeFile(QStringLiteral("crlf.txt"), "windows\r\n");
    writeFile(QStringLiteral("two.txt"), "first\nsecond\n");

    AppSettings settings;
    QString error;
    QVERIFY2(resolve(flags, ini, environment, &settings, &error), qPrintable(error));
    QCOMPARE(settings.hub.password, expected);
    const QString expectedSource = expand({source}).constFirst();
    QCOMPARE(settings.passwordSource.isEmpty(), expectedSource.isEmpty());
    if (!expectedSource.isEmpty())
        QVERIFY2(settings.passwordSource.startsWith(expectedSource),
                 qPrintable(settings.passwordSource));
    QVERIFY(expected.isEmpty() || !settings.passwordSource.contains(expected));
}

void TestSettings::noPasswordFlag()
{
    for (const SettingDescriptor &descriptor : settingDescriptors())
        QVERIFY(descriptor.flagName() != QLatin1String("password"));

    QCommandLineParser parser;
    addSettingOptions(&parser);
    QVERIFY(!parser.parse({QStringLiteral("confab"), QStringLiteral("--password"), sentinel}));
    QCOMPARE(parser.unknownOptionNames(), QStringList {QStringLiteral("password")});

    // The printed table and --help show defaults, never a configured password.
    QCOMPARE(settingDefault(setting("password")), QStringLiteral("none"));
    QVERIFY(!settingsTable().contains(sentinel));
}

void TestSettings::unknownKeysWarn()
{
    AppSettings settings;
    QString error;
    QVERIFY2(resolve({}, "port=1\n[hub]\nprot=9000\n", {}, &settings, &error), qPrintable(error));
    QCOMPARE(settings.warnings.size(), 2);
    QVERIFY(settings.warnings.join(QLatin1Char('\n')).contains(QLatin1String("outside the [hub]")));
    QVERIFY(
        settings.warnings.join(QLatin1Char('\n')).contains(QLatin1String("unknown key 'prot'")));
    QCOMPARE(settings.hub.port, HubConfig().port);
}

void TestSettings::roundTrip_data()
{
    QTest::addColumn<HubConfig>("config");

    QTest::addRow("the defaults") << HubConfig();

    HubConfig changed;
    changed.listenAddress = QHostAddress(QStringLiteral("::1"));
    changed.port = 0;
    changed.listenBacklog = 128;
    changed.heartbeatIntervalS = 7;
    changed.heartbeatTimeoutS = 21;
    changed.helloTimeoutS = 3;
    changed.maxMessageBytes = 8192;
    changed.maxTextChars = 500;
    changed.maxOutboundBytes = 1 << 20;
    changed.maxMulticastUsers = 9;
    changed.password = QStringLiteral(" p;w#\"x\\y, \u00f6 ");
    changed.rooms = {QStringLiteral("general"), QStringLiteral("random"), QStringLiteral("ops#1")};
    changed.allowUserRooms = true;
    changed.operatorName = QStringLiteral("Front Desk");
    changed.memberListCap = 10;
    changed.coalesceAbove = 0;
    QTest::addRow("every setting changed, a password with INI specials") << changed;

    HubConfig lean;
    lean.listenAddress = QHostAddress(QHostAddress::LocalHost);
    lean.rooms = {};
    QTest::addRow("no rooms and loopback") << lean;

    HubConfig one;
    one.rooms = {QStringLiteral("lobby")};
    one.listenAddress = QHostAddress(QStringLiteral("fe80::1%lo"));
    QTest::addRow("one room and a scoped IPv6 address") << one;
}

void TestSettings::roundTrip()
{
    QFETCH(HubConfig, config);

    const QString file = path(QStringLiteral("sub/written.ini"));
    QString error;
    QVERIFY2(writeSettingsFile(file, config, &error), qPrintable(error));

    HubConfig read;
    QVERIFY2(readSettingsFile(file, &read, &error), qPrintable(error));
    for (const SettingDescriptor &descriptor : settingDescriptors()) {
        if (hasField(descriptor))
            QCOMPARE(formatSetting(descriptor, read), formatSetting(descriptor, config));
    }
    QCOMPARE(read.listenAddress, config.listenAddress);

    const QFile::Permissions others = QFile::ReadGroup | QFile::ReadOther;
    QCOMPARE(QFileInfo(file).permissions() & others, QFile::Permissions());
}

void TestSettings::writeKeepsPasswordFile()
{
    writeFile(QStringLiteral("pw.txt"), "kept\n");
    writeFile(QStringLiteral("confab.ini"), "[hub]\npassword_file=pw.txt\nport=1234\n");

    HubConfig config;
    config.password = sentinel;
    QString error;
    QVERIFY2(writeSettingsFile(path(QStringLiteral("confab.ini")), config, &error),
             qPrintable(error));

    QFile file(path(QStringLiteral("confab.ini")));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray written = file.readAll();
    QVERIFY2(!written.contains(sentinel.toUtf8()), written.constData());
    QVERIFY(written.contains("password_file=pw.txt"));
    QVERIFY(written.contains("port=8765"));

    HubConfig read;
    QVERIFY2(readSettingsFile(path(QStringLiteral("confab.ini")), &read, &error),
             qPrintable(error));
    QCOMPARE(read.password, QStringLiteral("kept"));
}

void TestSettings::writeKeepsOtherKeys()
{
    writeFile(QStringLiteral("confab.ini"), "[console]\nwindow=big\n[hub]\nport=1\n");

    QString error;
    QVERIFY2(writeSettingsFile(path(QStringLiteral("confab.ini")), HubConfig(), &error),
             qPrintable(error));

    QSettings file(path(QStringLiteral("confab.ini")), QSettings::IniFormat);
    QCOMPARE(file.value(QStringLiteral("console/window")).toString(), QStringLiteral("big"));
    QCOMPARE(file.value(QStringLiteral("hub/port")).toString(), QStringLiteral("8765"));
    QVERIFY(!file.contains(QStringLiteral("hub/password")));
}

void TestSettings::writeRejectsInvalid()
{
    HubConfig config;
    config.heartbeatTimeoutS = config.heartbeatIntervalS;
    config.rooms = {QStringLiteral("no spaces please")};

    QString error;
    QVERIFY(!writeSettingsFile(path(QStringLiteral("confab.ini")), config, &error));
    QVERIFY2(error.contains(QLatin1String("rooms:")), qPrintable(error));
    QVERIFY(!QFileInfo::exists(path(QStringLiteral("confab.ini"))));
}

void TestSettings::ensureDataDirCreatesOwnerOnly()
{
    const QString dir = path(QStringLiteral("a/b/confab"));
    QString error;
    QVERIFY2(ensureDataDir(dir, &error), qPrintable(error));
    QVERIFY(QFileInfo(dir).isDir());
#ifdef Q_OS_UNIX
    const QFile::Permissions all = QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner
                                   | QFile::ReadGroup | QFile::WriteGroup | QFile::ExeGroup
                                   | QFile::ReadOther | QFile::WriteOther | QFile::ExeOther;
    QCOMPARE(QFileInfo(dir).permissions() & all,
             QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
#endif
    QVERIFY2(ensureDataDir(dir, &error), qPrintable(error)); // existing: fine

    writeFile(QStringLiteral("plain"), "x");
    QVERIFY(!ensureDataDir(path(QStringLiteral("plain")), &error));
    QVERIFY2(error.contains(QLatin1String("is not a directory")), qPrintable(error));
}

// docs/CONFIGURATION.md must name every key and flag, and give each key's row its default.
void TestSettings::docsMentionEverySetting()
{
    QFile file(QStringLiteral(CONFAB_SOURCE_DIR "/docs/CONFIGURATION.md"));
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
    const QString docs = QString::fromUtf8(file.readAll());
    const QStringList tableRows =
        docs.split(QLatin1Char('\n')).filter(QRegularExpression(QStringLiteral("^\\|")));

    for (const SettingDescriptor &descriptor : settingDescriptors()) {
        const QString key = QStringLiteral("`%1`").arg(descriptor.iniKey());
        const QString flag = QStringLiteral("`--%1").arg(descriptor.flagName());
        const QString name = *descriptor.key ? key : flag;
        QVERIFY2(!*descriptor.key || docs.contains(key), qPrintable(key));
        QVERIFY2(!*descriptor.flag || docs.contains(flag), qPrintable(flag));

        const QStringList rows = tableRows.filter(name);
        QVERIFY2(!rows.isEmpty(), qPrintable(QStringLiteral("no table row for ") + name));
        const QString fallback = QStringLiteral("`%1`").arg(settingDefault(descriptor));
        QVERIFY2(
            rows.constFirst().contains(fallback),
            qPrintable(QStringLiteral("the row for %1 lacks its default %2").arg(name, fallback)));
    }
}

// The example INI at the end of docs/CONFIGURATION.md must load as it stands.
void TestSettings::docsExampleIsValid()
{
    QFile file(QStringLiteral(CONFAB_SOURCE_DIR "/docs/CONFIGURATION.md"));
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
    const QString docs = QString::fromUtf8(file.readAll());
    const qsizetype start =
        docs.indexOf(QLatin1String("```ini\n"), docs.indexOf(QLatin1String("## Example")));
    const qsizetype end = docs.indexOf(QLatin1String("```"), start + 7);
    QVERIFY(start > 0 && end > start);

    writeFile(QStringLiteral("password"), "example\n");
    QFile::setPermissions(path(QStringLiteral("password")), QFile::ReadOwner | QFile::WriteOwner);
    AppSettings settings;
    QString error;
    QVERIFY2(resolve({}, docs.mid(start + 7, end - start - 7).toUtf8(), {}, &settings, &error),
             qPrintable(error));
    QVERIFY2(settings.warnings.isEmpty(), qPrintable(settings.warnings.join(QLatin1Char('\n'))));
    QCOMPARE(settings.hub.password, QStringLiteral("example"));
    QCOMPARE(settings.hub.rooms.size(), 3);
}

QTEST_GUILESS_MAIN(TestSettings)
#include "tst_settings.moc"
