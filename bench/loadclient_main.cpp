// confab-load: drives a running hub with N protocol clients and reports deliveries per second
// and delivery latency. Used by the benchmarks; see bench/README.md.
#include <cstdio>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "loadclient.h"

namespace {

// Non-empty buckets as [bucket, count] pairs, for a driver that merges several processes.
QJsonArray histogramJson(const LatencyHistogram &histogram)
{
    QJsonArray buckets;
    for (int i = 0; i < LatencyHistogram::Buckets; ++i) {
        if (const qint64 count = histogram.counts[size_t(i)])
            buckets.append(QJsonArray {i, double(count)});
    }
    return buckets;
}

LoadClient::Options parseOptions(const QCoreApplication &app)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Load client for a Confab hub."));
    parser.addHelpOption();
    const QList<QCommandLineOption> options = {
        {QStringLiteral("host"), QStringLiteral("Hub address."), QStringLiteral("address"),
         QStringLiteral("127.0.0.1")},
        {QStringLiteral("port"), QStringLiteral("Hub port."), QStringLiteral("port")},
        {QStringLiteral("connections"), QStringLiteral("Connections."), QStringLiteral("n"),
         QStringLiteral("100")},
        {QStringLiteral("members"), QStringLiteral("Connections that join the room."),
         QStringLiteral("n"), QStringLiteral("100")},
        {QStringLiteral("senders"), QStringLiteral("Members that post."), QStringLiteral("n"),
         QStringLiteral("1")},
        {QStringLiteral("rate"), QStringLiteral("Messages per second, in total."),
         QStringLiteral("n"), QStringLiteral("100")},
        {QStringLiteral("duration"), QStringLiteral("Seconds measured."), QStringLiteral("s"),
         QStringLiteral("10")},
        {QStringLiteral("warmup"), QStringLiteral("Seconds sent before measuring."),
         QStringLiteral("s"), QStringLiteral("2")},
        {QStringLiteral("sources"), QStringLiteral("Source addresses 127.0.0.1..N."),
         QStringLiteral("n"), QStringLiteral("1")},
        {QStringLiteral("text-bytes"), QStringLiteral("Bytes of each message text."),
         QStringLiteral("n"), QStringLiteral("64")},
        {QStringLiteral("raw"),
         QStringLiteral("No Confab protocol: upgrade on /, send and count bare text frames.")},
        {QStringLiteral("in-flight"),
         QStringLiteral("At most this many connects not yet welcomed (0: all at once)."),
         QStringLiteral("n"), QStringLiteral("0")},
        {QStringLiteral("wait-go"),
         QStringLiteral("Once everyone is in, print READY and wait for a line on stdin.")},
    };
    parser.addOptions(options);
    parser.process(app);

    LoadClient::Options o;
    o.host = QHostAddress(parser.value(QStringLiteral("host")));
    o.port = quint16(parser.value(QStringLiteral("port")).toUInt());
    o.connections = parser.value(QStringLiteral("connections")).toInt();
    o.roomMembers = parser.value(QStringLiteral("members")).toInt();
    o.senders = parser.value(QStringLiteral("senders")).toInt();
    o.rate = parser.value(QStringLiteral("rate")).toDouble();
    o.durationS = parser.value(QStringLiteral("duration")).toInt();
    o.warmupS = parser.value(QStringLiteral("warmup")).toInt();
    o.sourceAddresses = parser.value(QStringLiteral("sources")).toInt();
    o.textBytes = parser.value(QStringLiteral("text-bytes")).toInt();
    o.raw = parser.isSet(QStringLiteral("raw"));
    o.waitForGo = parser.isSet(QStringLiteral("wait-go"));
    o.inFlight = parser.value(QStringLiteral("in-flight")).toInt();
    if (o.raw)
        o.roomMembers = o.connections; // a relay has no rooms: everyone hears every frame
    return o;
}

} // namespace

int main(int argc, char **argv)
{
    // Qt's own dispatcher is enough: LoadClient keeps its sockets in an epoll set of its own and
    // gives the event loop that one descriptor.
    QCoreApplication app(argc, argv);
    const LoadClient::Options options = parseOptions(app);
    if (options.port == 0) {
        std::fprintf(stderr, "confab-load: --port is required\n");
        return 2;
    }
    if (options.host.protocol() != QAbstractSocket::IPv4Protocol) {
        std::fprintf(stderr, "confab-load: --host must be an IPv4 address\n");
        return 2;
    }

    LoadClient client(options);
    QObject::connect(&client, &LoadClient::finished, &app, &QCoreApplication::quit);
    client.start();
    app.exec();

    const LoadClient::Result &r = client.result();
    const double welcomeS = double(r.welcomeNs) / 1e9;
    const QJsonObject report {
        {QStringLiteral("mode"), options.raw ? QStringLiteral("raw") : QStringLiteral("confab")},
        {QStringLiteral("connections"), options.connections},
        {QStringLiteral("welcomed"), r.welcomed},
        {QStringLiteral("joined"), r.joined},
        {QStringLiteral("connect_ms"), double(r.connectMs)},
        {QStringLiteral("tcp_connected_ms"), double(r.tcpConnectedNs) / 1e6},
        {QStringLiteral("welcome_ms"), welcomeS * 1000},
        {QStringLiteral("connect_welcome_per_s"), welcomeS > 0 ? r.welcomed / welcomeS : 0},
        {QStringLiteral("sent"), double(r.sent)},
        {QStringLiteral("deliveries_per_s"), r.seconds > 0 ? r.deliveries / r.seconds : 0},
        {QStringLiteral("deliveries"), double(r.deliveries)},
        {QStringLiteral("p50_ms"), r.latency.percentile(0.50)},
        {QStringLiteral("p99_ms"), r.latency.percentile(0.99)},
        {QStringLiteral("p999_ms"), r.latency.percentile(0.999)},
        {QStringLiteral("max_ms"), r.latency.maxMs},
        {QStringLiteral("latency_hist"), histogramJson(r.latency)},
        {QStringLiteral("closed_by_hub"), r.closed},
        {QStringLiteral("first_error"), QString::fromUtf8(r.firstError)},
        {QStringLiteral("client_cpu_percent"),
         r.seconds > 0 ? 100.0 * r.cpuSeconds / r.seconds : 0},
    };
    std::printf("%s\n", QJsonDocument(report).toJson(QJsonDocument::Compact).constData());
    return r.welcomed == options.connections ? 0 : 1;
}
