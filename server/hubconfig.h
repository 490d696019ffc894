#pragma once

#include <QHostAddress>
#include <QString>
#include <QStringList>

// Every setting of the hub, as a plain value. The app fills it from defaults, the INI file and
// the command line (in that order of precedence, lowest first); the engine only reads it.
// docs/CONFIGURATION.md lists the INI key and flag of each field.
struct HubConfig
{
    QHostAddress listenAddress = QHostAddress(QHostAddress::Any);
    quint16 port = 8765; // 0 lets the kernel pick a free port
    int listenBacklog = 4096; // the kernel caps it at net.core.somaxconn

    int heartbeatIntervalS = 20; // a WebSocket ping this often
    int heartbeatTimeoutS = 60; // no inbound frame for this long closes the connection
    int helloTimeoutS = 10; // from TCP accept to a valid hello

    qint64 maxMessageBytes = 64 * 1024; // largest inbound WebSocket frame and message
    int maxTextChars = 4000; // longest say/dm/multicast/announcement text
    qint64 maxOutboundBytes = 4 * 1024 * 1024; // per connection, before a slow-consumer close
    int maxMulticastUsers = 50;
    int writeThreads = 1; // threads that write frames to sockets, the engine's own included

    QString password; // empty: no hub password
    QStringList rooms = {QStringLiteral("general")}; // created on first start
    bool allowUserRooms = false;
    QString operatorName = QStringLiteral("operator");

    int memberListCap = 100; // members listed in joined/who pages
    int coalesceAbove = 100; // rooms larger than this get members_changed instead

    QString dataDir; // holds confab.db, the control socket and lock; empty: none of them

    // Storage: confab.db (SQLite) in dataDir, or memory only when persist is off or there is
    // no dataDir.
    bool persist = true;
    int commitIntervalMs = 2; // room messages are written in groups this far apart at most
    int historyMaxMessages = 10000; // kept per room; 0: no count limit
    int historyMaxDays = 30; // messages and dms older than this go; 0: no age limit
    int nameRetentionDays = 30; // a name stays its token holder's this long after last seen;
                                // 0: free again as soon as the last device goes
};
