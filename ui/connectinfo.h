#pragma once

#include <QHostAddress>
#include <QList>
#include <QString>
#include <QStringList>

// What the operator tells people to type, and what to do when the port is taken. Plain
// functions, so the status bar, the tray and the tests agree on one spelling.
namespace ConnectInfo {

// ws://HOST:PORT/ws for each address, IPv4 first; loopback and link-local addresses are left
// out when any other address exists, since nobody else can reach them.
// With Kind::Browser, http://HOST:PORT/ instead: the page people open to chat.
enum class Kind { WebSocket, Browser };
QStringList urls(const QList<QHostAddress> &addresses, quint16 port, Kind kind = Kind::WebSocket);

// True when another socket holds the port on that address (another hub or another program).
bool isPortInUse(const QHostAddress &address, quint16 port);

// The first port after `after` that a listen() on the address succeeds on, or 0 if none of the
// next `attempts` is free. Another program may take it before the hub binds it; the caller
// reports that failure like any other.
quint16 findFreePort(const QHostAddress &address, quint16 after, int attempts = 50);

} // namespace ConnectInfo
