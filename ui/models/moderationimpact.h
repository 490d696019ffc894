#pragma once

#include <QString>
#include <QStringList>

#include "snapshot.h"

// What a ban or mute would touch, computed from the console's latest snapshot so the operator
// is told before confirming ("This closes 3 connections in 2 rooms."). The hub decides again
// when the command arrives; a client that connects in between is covered all the same.
struct ModerationImpact
{
    int connections = 0;
    int rooms = 0; // distinct rooms those connections are in
    QStringList users; // distinct user names among them, sorted

    static ModerationImpact ofUser(const HubSnapshot &snapshot, const QString &user);
    static ModerationImpact ofAddress(const HubSnapshot &snapshot, const QString &address);

    // The address of a ConnectionInfo::peer ("10.0.0.5:41000", "[fe80::1]:41000"); empty if
    // it is not one.
    static QString addressOfPeer(const QString &peer);
    static bool sameAddress(const QString &a, const QString &b);

    // "Ban alice? This closes 3 connections in 2 rooms." / "... nobody is connected as alice."
    QString banQuestion(bool address, const QString &target) const;
    // "Mute alice hub-wide for 1 h? Their 2 connections can still read, but not speak."
    QString muteQuestion(const QString &user, const QString &room, qint64 durationS) const;
};
