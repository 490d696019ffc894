// confab-console-bench: the console's responsiveness under load. Opens the real main window
// (offscreen unless a platform is given) with its embedded hub, drives the hub with
// confab-load, and measures how late a 10 ms timer fires on the GUI thread while the load
// runs. Prints one JSON line: the GUI figures next to the load client's own.
#include <algorithm>
#include <cstdio>
#include <vector>

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>

#include "hubservice.h"
#include "mainwindow.h"

namespace {

constexpr int ProbeMs = 10;

double percentile(std::vector<double> sorted, double p)
{
    if (sorted.empty())
        return 0;
    std::sort(sorted.begin(), sorted.end());
    return sorted[std::min(sorted.size() - 1, size_t(p * (sorted.size() - 1) + 0.5))];
}

// Records how much later than asked each 10 ms tick arrives, while recording is on.
class LatenessProbe : public QObject
{
public:
    LatenessProbe()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(ProbeMs);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            const double elapsedMs = m_clock.nsecsElapsed() / 1e6;
            m_clock.restart();
            if (m_recording)
                m_lateMs.push_back(std::max(0.0, elapsedMs - ProbeMs));
        });
        m_clock.start();
        m_timer.start();
    }

    void setRecording(bool on) { m_recording = on; }
    const std::vector<double> &lateness() const { return m_lateMs; }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    bool m_recording = false;
    std::vector<double> m_lateMs;
};

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);

    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("connections"), QStringLiteral("Clients."), QStringLiteral("n"),
         QStringLiteral("10000")},
        {QStringLiteral("members"), QStringLiteral("Clients in the busy room."),
         QStringLiteral("n"), QStringLiteral("1000")},
        {QStringLiteral("rate"), QStringLiteral("Messages per second into the room."),
         QStringLiteral("n"), QStringLiteral("100")},
        {QStringLiteral("duration"), QStringLiteral("Seconds measured."), QStringLiteral("s"),
         QStringLiteral("20")},
        {QStringLiteral("load"), QStringLiteral("Path of confab-load."), QStringLiteral("path")},
    });
    parser.process(app);

    QTemporaryDir dataDir;
    HubConfig config;
    config.listenAddress = QHostAddress::LocalHost;
    config.port = 0;
    config.dataDir = dataDir.path();

    HubService service;
    MainWindow window(&service);
    window.setHubConfig(config);
    window.resize(1400, 900);
    window.show();
    if (!window.startHub()) {
        std::fprintf(stderr, "console-bench: the hub did not start\n");
        return 1;
    }

    const QString loadPath =
        parser.isSet(QStringLiteral("load"))
            ? parser.value(QStringLiteral("load"))
            : QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("confab-load"));
    const int warmupS = 3;
    QProcess load;
    load.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    load.start(loadPath,
               {QStringLiteral("--port"), QString::number(service.port()),
                QStringLiteral("--connections"), parser.value(QStringLiteral("connections")),
                QStringLiteral("--members"), parser.value(QStringLiteral("members")),
                QStringLiteral("--senders"), QStringLiteral("10"), QStringLiteral("--rate"),
                parser.value(QStringLiteral("rate")), QStringLiteral("--warmup"),
                QString::number(warmupS), QStringLiteral("--duration"),
                parser.value(QStringLiteral("duration"))});

    // Record while the room traffic runs: from warm-up's end, once every client is in.
    LatenessProbe probe;
    const int wanted = parser.value(QStringLiteral("connections")).toInt();
    QTimer watcher;
    QObject::connect(&watcher, &QTimer::timeout, &app, [&] {
        if (service.latestSnapshot().totals.connections < wanted)
            return;
        watcher.stop();
        QTimer::singleShot(warmupS * 1000, &app, [&] { probe.setRecording(true); });
    });
    watcher.start(100);
    QObject::connect(&load, &QProcess::finished, &app, [&] {
        probe.setRecording(false);
        QCoreApplication::exit(0); // not quit(): that closes the window, which would ask first
    });
    app.exec();

    const QJsonObject loadReport = QJsonDocument::fromJson(load.readAllStandardOutput()).object();
    const std::vector<double> &late = probe.lateness();
    const QJsonObject report {
        {QStringLiteral("scenario"),
         QStringLiteral("%1 clients, %2 in one room, %3 messages/s")
             .arg(parser.value(QStringLiteral("connections")),
                  parser.value(QStringLiteral("members")), parser.value(QStringLiteral("rate")))},
        {QStringLiteral("gui_timer_samples"), int(late.size())},
        {QStringLiteral("gui_late_p50_ms"), percentile(late, 0.50)},
        {QStringLiteral("gui_late_p99_ms"), percentile(late, 0.99)},
        {QStringLiteral("gui_late_max_ms"),
         late.empty() ? 0 : *std::max_element(late.begin(), late.end())},
        {QStringLiteral("load"), loadReport},
    };
    service.stop(); // not window.stopHub(): that may ask the operator first
    std::printf("%s\n", QJsonDocument(report).toJson(QJsonDocument::Compact).constData());
    return late.empty() ? 1 : 0;
}
