#pragma once

#include <QHostAddress>
#include <QString>

#include "transport.h"

// What the hub's port answers over plain HTTP: WebSocket upgrades on /ws, the browser client
// (Qt resources under :/web), /qr.svg, and a plain status for everything else. The transport
// reads the request and writes the answer; this only decides.
namespace Gateway {

HttpAnswer answer(const HttpRequest &request);

} // namespace Gateway

QString peerString(const QHostAddress &address, quint16 port);
// An address as bans and the console name it: IPv4-mapped IPv6 addresses as plain IPv4.
QString addressString(const QHostAddress &address);
