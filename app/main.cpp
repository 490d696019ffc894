#include <cstdio>
#include <memory>

#include <QApplication>
#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
#include <QHostAddress>
#include <QProcessEnvironment>
#include <QTcpServer>
#include <QTextStream>
#include <QTimer>

#include "ctl.h"
#include "hubservice.h"
#include "logsetup.h"
#include "mainwindow.h"
#include "settings.h"
#include "signalwatcher.h"

namespace {

constexpr int ExitFailed = 1; // the hub could not start, or stopped on its own
constexpr int ExitUsage = 2;

const QString helpSettingsOption = QStringLiteral("help-settings");

QTextStream &standardOutput()
{
    static QTextStream stream(stdout);
    return stream;
}

QTextStream &standardError()
{
    static QTextStream stream(stderr);
    return stream;
}

QString description()
{
    return QStringLiteral(
        "Confab LAN chat hub. Runs the hub; 'confab ctl --help' shows the commands that\n"
        "control a running one.\n"
        "\n"
        "Settings come from built-in defaults, then DATA_DIR/confab.ini (or --config), then\n"
        "the flags below; docs/CONFIGURATION.md describes each one.\n"
        "\n"
        "There is no --password flag: every user of this machine can read a command line\n"
        "(ps, /proc). Give the hub password as password_file or password in the settings\n"
        "file, with --password-file FILE, in the CONFAB_PASSWORD environment variable, or\n"
        "in a variable named by --password-env NAME.");
}

void setUpParser(QCommandLineParser *parser)
{
    parser->setApplicationDescription(description());
    // Not addHelpOption(): its --help-all lists Qt's own options, which only process() handles.
    parser->addOption(
        {{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Displays this help.")});
    parser->addVersionOption();
    addSettingOptions(parser);

    // For checking docs/CONFIGURATION.md against the table, so not in --help.
    QCommandLineOption helpSettings(helpSettingsOption,
                                    QStringLiteral("Print the settings table as Markdown."));
    helpSettings.setFlags(QCommandLineOption::HiddenFromHelp);
    parser->addOption(helpSettings);
}

int usageError(const QString &message)
{
    standardError() << "confab: " << message << "\nTry 'confab --help'.\n";
    return ExitUsage;
}

int parseError(const QCommandLineParser &parser)
{
    QString message = parser.errorText();
    if (parser.unknownOptionNames().contains(QLatin1String("password"))) {
        message += QStringLiteral("\nThere is no --password flag, because other users can read "
                                  "command lines; use --password-file FILE or CONFAB_PASSWORD.");
    }
    return usageError(message);
}

void logStartup(const AppSettings &settings)
{
    qCInfo(lcApp, "Confab %s starting; data directory %s", CONFAB_VERSION,
           qUtf8Printable(settings.dataDir));
    if (settings.configFileRead)
        qCInfo(lcConfig, "settings from %s", qUtf8Printable(settings.configFile));
    else
        qCInfo(lcConfig, "no settings file at %s; using defaults and flags",
               qUtf8Printable(settings.configFile));

    for (const QString &warning : settings.warnings)
        qCWarning(lcConfig, "%s", qUtf8Printable(warning));

    if (settings.passwordSource.isEmpty())
        qCInfo(lcConfig, "no hub password: anyone who reaches the port can join");
    else
        qCInfo(lcConfig, "hub password from %s", qUtf8Printable(settings.passwordSource));
}

void logRunning(const HubService &service, const AppSettings &settings)
{
    qCInfo(lcApp, "hub running on port %u; Ctrl-C or SIGTERM stops it", service.port());
    if (settings.hub.listenAddress == QHostAddress(QHostAddress::Any)) {
        qCInfo(lcApp, "accepting clients on every network interface; listen = localhost keeps "
                      "the hub to this machine");
    }
}

// The engine's message says what failed; this adds what to do when the port is taken.
bool portInUse(const HubConfig &config)
{
    if (config.port == 0)
        return false;
    QTcpServer probe;
    return !probe.listen(config.listenAddress, config.port)
           && probe.serverError() == QAbstractSocket::AddressInUseError;
}

int reportStartFailure(const HubService &service, const HubConfig &config)
{
    standardError() << "confab: cannot start the hub: " << service.errorString() << '\n';
    if (portInUse(config)) {
        standardError() << "Port " << config.port << " is already in use (another Confab hub or "
                        << "another program). Start with --port 0 to let the system pick a free "
                        << "port, or choose another one with --port.\n";
    }
    return ExitFailed;
}

int runHeadless(const AppSettings &settings)
{
    SignalWatcher signalWatcher;
    HubService service;
    if (!service.start(settings.hub))
        return reportStartFailure(service, settings.hub);
    logRunning(service, settings);

    bool signalled = false;
    QObject::connect(&signalWatcher, &SignalWatcher::terminationRequested, &service,
                     [&](int signalNumber) {
                         qCInfo(lcApp, "%s received; stopping the hub",
                                qUtf8Printable(SignalWatcher::signalName(signalNumber)));
                         signalled = true;
                         service.stop();
                         QCoreApplication::quit();
                     });
    QObject::connect(&service, &HubService::stopped, qApp, &QCoreApplication::quit);
    QCoreApplication::exec();

    if (!signalled) {
        qCCritical(lcApp, "the hub stopped by itself: %s", qUtf8Printable(service.errorString()));
        return ExitFailed;
    }
    qCInfo(lcApp, "stopped");
    return 0;
}

// What the console's settings dialog saves with. A password that came from the environment or
// --password-file stays where it was: the file keeps its own, so the secret the operator kept
// out of it does not land in it.
// Known limitation: other values that came from flags (--port 9000) are saved into the file
// with the rest, since the dialog shows one merged set; telling them apart would need the
// settings layer to report where each value came from.
MainWindow::SettingsStore settingsStore(const AppSettings &settings)
{
    return [path = settings.configFile, resolved = settings.hub.password](const HubConfig &config,
                                                                          QString *error) {
        HubConfig onDisk;
        QString ignored;
        readSettingsFile(path, &onDisk, &ignored); // a missing file leaves the defaults

        HubConfig toWrite = config;
        if (config.password == resolved && resolved != onDisk.password)
            toWrite.password = onDisk.password;
        if (!writeSettingsFile(path, toWrite, error))
            return false;
        qCInfo(lcConfig, "settings saved to %s", qUtf8Printable(path));
        return true;
    };
}

int runConsole(const AppSettings &settings)
{
    SignalWatcher signalWatcher;
    HubService service;
    MainWindow window(&service);
    window.setHubConfig(settings.hub);
    window.setSettingsFileName(settings.configFile);
    window.setPasswordSource(settings.passwordSource);
    window.setSettingsStore(settingsStore(settings));

    QObject::connect(&signalWatcher, &SignalWatcher::terminationRequested, &window,
                     [&window](int signalNumber) {
                         qCInfo(lcApp, "%s received; stopping the hub",
                                qUtf8Printable(SignalWatcher::signalName(signalNumber)));
                         window.stopHubAndQuit();
                     });
    // Quitting is the window's decision (the tray may keep the hub running with no window),
    // so closing the last window, or a message box while hidden, must not end the process.
    QApplication::setQuitOnLastWindowClosed(false);
    QObject::connect(&window, &MainWindow::quitRequested, qApp, &QCoreApplication::quit,
                     Qt::QueuedConnection);

    window.show();
    // From the event loop, so a start failure is a message box over the console rather than
    // a dialog before any window exists.
    QTimer::singleShot(0, &window, [&window] {
        if (window.startHub())
            qCInfo(lcApp, "console open; the hub keeps running until the console stops it");
    });
    QApplication::exec();

    service.stop();
    qCInfo(lcApp, "stopped");
    return 0;
}

int runHub(const QStringList &arguments)
{
    QCommandLineParser parser;
    setUpParser(&parser);
    if (!parser.parse(arguments))
        return parseError(parser);
    if (parser.isSet(QStringLiteral("help")))
        parser.showHelp(0);
    if (parser.isSet(QStringLiteral("version")))
        parser.showVersion();
    if (parser.isSet(helpSettingsOption)) {
        standardOutput() << settingsTable();
        return 0;
    }
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("unexpected argument '%1'")
                              .arg(parser.positionalArguments().constFirst()));

    AppSettings settings;
    QString error;
    if (!resolveSettings(parser, QProcessEnvironment::systemEnvironment(), &settings, &error)) {
        standardError() << "confab: " << error << '\n';
        return ExitUsage;
    }
    applyLogLevel(settings.logLevel);
    logStartup(settings);

    if (!ensureDataDir(settings.dataDir, &error)) {
        standardError() << "confab: " << error << '\n';
        return ExitFailed;
    }

    if (!settings.headless && qobject_cast<QApplication *>(QCoreApplication::instance()))
        return runConsole(settings);
    if (!settings.headless)
        qCInfo(lcApp, "no display (DISPLAY, WAYLAND_DISPLAY and QT_QPA_PLATFORM are unset); "
                      "running headless");
    return runHeadless(settings);
}

int runCtl(const QStringList &arguments)
{
    return Ctl::run(arguments, standardOutput(), standardError());
}

bool hasDisplay()
{
#if defined(Q_OS_UNIX) && !defined(Q_OS_MACOS)
    return qEnvironmentVariableIsSet("DISPLAY") || qEnvironmentVariableIsSet("WAYLAND_DISPLAY")
           || qEnvironmentVariableIsSet("QT_QPA_PLATFORM");
#else
    return true;
#endif
}

// Decided from argv because the application object must be the first Qt object, before the
// command line is parsed properly. ctl, --headless and the print-and-exit options never need
// a display, so they never ask a windowing system for one.
bool wantsConsole(int argc, char *argv[])
{
    if (argc > 1 && qstrcmp(argv[1], "ctl") == 0)
        return false;
    for (int i = 1; i < argc; ++i) {
        for (const char *option :
             {"--headless", "--help", "-h", "--version", "-v", "--help-settings"}) {
            if (qstrcmp(argv[i], option) == 0)
                return false;
        }
    }
    return hasDisplay();
}

} // namespace

int main(int argc, char *argv[])
{
    // The glib event dispatcher costs O(sockets) on every socket-notifier change (QT-NOTES.md).
    // The engine thread installs its own epoll dispatcher where it can; this keeps Qt's Unix
    // dispatcher as the fallback everywhere else. Set before the first Qt object exists.
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");

    // Log lines carry local time. With TZ unset, glibc looks at /etc/localtime again for every
    // conversion: a stat() per log line, 6 % of the hub's time in a connect storm. Naming the
    // file once lets it cache the zone; a change of the machine's zone then needs a restart.
    if (!qEnvironmentVariableIsSet("TZ") && QFileInfo::exists(QStringLiteral("/etc/localtime")))
        qputenv("TZ", ":/etc/localtime");

    installMessagePattern();
    QCoreApplication::setApplicationName(QStringLiteral("confab"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CONFAB_VERSION));

    std::unique_ptr<QCoreApplication> app;
    if (wantsConsole(argc, argv))
        app = std::make_unique<QApplication>(argc, argv);
    else
        app = std::make_unique<QCoreApplication>(argc, argv);

    const QStringList arguments = QCoreApplication::arguments();
    if (arguments.size() > 1 && arguments.at(1) == QLatin1String("ctl"))
        return runCtl(arguments.mid(2));
    return runHub(arguments);
}
