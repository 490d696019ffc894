#include "moderationimpact.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QSet>

#include "modelformat.h"
#include "protocol.h"

namespace {

QString translate(const char *text, int n = -1)
{
    return QCoreApplication::translate("ModerationImpact", text, nullptr, n);
}

// Spelled out per count: a %n string shows "connection(s)" when no translation is loaded.
QString connections(int n)
{
    return n == 1 ? translate("%n connection", n) : translate("%n connections", n);
}

QString rooms(int n)
{
    return n == 1 ? translate("%n room", n) : translate("%n rooms", n);
}

template<typename Covers>
ModerationImpact impactOf(const HubSnapshot &snapshot, Covers covers)
{
    ModerationImpact impact;
    QSet<QString> roomKeys;
    QSet<QString> userKeys;
    for (const ConnectionInfo &connection : snapshot.connections) {
        if (!covers(connection))
            continue;
        ++impact.connections;
        for (const QString &room : connection.rooms)
            roomKeys.insert(Protocol::nameKey(room));
        if (!connection.user.isEmpty() && !userKeys.contains(Protocol::nameKey(connection.user))) {
            userKeys.insert(Protocol::nameKey(connection.user));
            impact.users.append(connection.user);
        }
    }
    impact.rooms = int(roomKeys.size());
    impact.users.sort(Qt::CaseInsensitive);
    return impact;
}

} // namespace

ModerationImpact ModerationImpact::ofUser(const HubSnapshot &snapshot, const QString &user)
{
    const QString key = Protocol::nameKey(user);
    return impactOf(snapshot, [&key](const ConnectionInfo &connection) {
        return !connection.user.isEmpty() && Protocol::nameKey(connection.user) == key;
    });
}

ModerationImpact ModerationImpact::ofAddress(const HubSnapshot &snapshot, const QString &address)
{
    return impactOf(snapshot, [&address](const ConnectionInfo &connection) {
        return sameAddress(addressOfPeer(connection.peer), address);
    });
}

QString ModerationImpact::addressOfPeer(const QString &peer)
{
    if (peer.startsWith(QLatin1Char('['))) {
        const qsizetype end = peer.indexOf(QLatin1Char(']'));
        return end > 1 ? peer.mid(1, end - 1) : QString();
    }
    const qsizetype colon = peer.lastIndexOf(QLatin1Char(':'));
    return colon > 0 ? peer.left(colon) : QString();
}

bool ModerationImpact::sameAddress(const QString &a, const QString &b)
{
    const QHostAddress left(a.trimmed());
    return !left.isNull()
           && left.isEqual(QHostAddress(b.trimmed()), QHostAddress::ConvertV4MappedToIPv4);
}

QString ModerationImpact::banQuestion(bool address, const QString &target) const
{
    const QString ban =
        address ? translate("Ban the address %1?").arg(target) : translate("Ban %1?").arg(target);
    if (connections == 0)
        return ban + QLatin1Char(' ')
               + (address ? translate("Nobody is connected from it now.")
                          : translate("Nobody is connected as %1 now.").arg(target));

    QString closes =
        translate("This closes %1 in %2.").arg(::connections(connections), ::rooms(this->rooms));
    if (address && !users.isEmpty())
        closes += QLatin1Char(' ') + translate("Users: %1.").arg(ModelFormat::list(users));
    return ban + QLatin1Char(' ') + closes;
}

QString ModerationImpact::muteQuestion(const QString &user, const QString &room,
                                       qint64 durationS) const
{
    const QString where = room.isEmpty() ? translate("hub-wide") : translate("in %1").arg(room);
    const QString length = durationS > 0 ? translate("for %1").arg(ModelFormat::duration(durationS))
                                         : translate("permanently");
    const QString mute = translate("Mute %1 %2 %3?").arg(user, where, length);
    if (connections == 0)
        return mute + QLatin1Char(' ') + translate("%1 is not connected now.").arg(user);
    return mute + QLatin1Char(' ')
           + translate("Their %1 can still read, but not speak.").arg(::connections(connections));
}
