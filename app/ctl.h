#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

class QTextStream;

// `confab ctl`: one request to the running hub over its control socket, one reply, printed.
// The wire format is one JSON object per line each way (docs/CONTROL.md).
namespace Ctl {

enum ExitCode {
    Ok = 0,
    Failed = 1, // the hub answered with an error, or stopped answering
    Usage = 2,
    NoHub = 3, // no hub to talk to for that data directory
};

// How long the client waits for each step (connect, write, each piece of the reply).
constexpr int TimeoutMs = 5000;

// One parsed `confab ctl` command line.
struct Invocation
{
    QString dataDir; // absolute
    bool json = false;
    bool csv = false; // audit only
    bool help = false;
    QJsonObject request; // exactly what goes on the wire
};

// Parses the arguments that follow "ctl". Returns false with a usage message in error.
bool parseArguments(const QStringList &arguments, Invocation *invocation, QString *error);

QString usage();

// The name an action is done and audited under when --as is absent: the caller's login name
// ($USER, then $LOGNAME), or "ctl" when neither is set.
QString actorName();

// Runs `confab ctl ARGUMENTS...`, printing to out and err; returns the process exit code.
int run(const QStringList &arguments, QTextStream &out, QTextStream &err);

} // namespace Ctl
