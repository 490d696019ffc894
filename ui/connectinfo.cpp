#include "connectinfo.h"

#include <algorithm>

#include <QTcpServer>

namespace {

bool isLocalOnly(const QHostAddress &address)
{
    return address.isLoopback() || address.isLinkLocal();
}

QString hostPart(const QHostAddress &address)
{
    // RFC 3986 section 3.2.2: an IPv6 literal goes in brackets, and a scope id has no place
    // in a URL people type.
    if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        QHostAddress unscoped = address;
        unscoped.setScopeId(QString());
        return QLatin1Char('[') + unscoped.toString() + QLatin1Char(']');
    }
    return address.toString();
}

} // namespace

namespace ConnectInfo {

QStringList urls(const QList<QHostAddress> &addresses, quint16 port, Kind kind)
{
    const bool anyReachable = std::any_of(addresses.cbegin(), addresses.cend(),
                                          [](const QHostAddress &a) { return !isLocalOnly(a); });

    QList<QHostAddress> shown;
    for (const QHostAddress &address : addresses) {
        if (!anyReachable || !isLocalOnly(address))
            shown.append(address);
    }
    std::stable_sort(shown.begin(), shown.end(), [](const QHostAddress &a, const QHostAddress &b) {
        return a.protocol() == QAbstractSocket::IPv4Protocol
               && b.protocol() != QAbstractSocket::IPv4Protocol;
    });

    QStringList result;
    for (const QHostAddress &address : shown)
        result.append((kind == Kind::Browser ? QStringLiteral("http://%1:%2/")
                                             : QStringLiteral("ws://%1:%2/ws"))
                          .arg(hostPart(address))
                          .arg(port));
    return result;
}

bool isPortInUse(const QHostAddress &address, quint16 port)
{
    if (port == 0)
        return false;
    QTcpServer probe;
    return !probe.listen(address, port)
           && probe.serverError() == QAbstractSocket::AddressInUseError;
}

quint16 findFreePort(const QHostAddress &address, quint16 after, int attempts)
{
    for (int step = 1; step <= attempts && int(after) + step <= 65535; ++step) {
        QTcpServer probe;
        const auto port = quint16(after + step);
        if (probe.listen(address, port))
            return port;
    }
    return 0;
}

} // namespace ConnectInfo
