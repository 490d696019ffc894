#include "signalwatcher.h"

#ifdef Q_OS_UNIX
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <unistd.h>
#endif

#include <QSocketNotifier>

#include "logsetup.h"

#ifdef Q_OS_UNIX

// A self-pipe rather than signalfd: signalfd needs the signals blocked in every thread, and Qt
// and the engine start threads of their own; a handler that only write()s works on any thread.
namespace {

int pipeFds[2] = {-1, -1};
constexpr int watchedSignals[] = {SIGINT, SIGTERM};

void handleSignal(int signalNumber)
{
    // Only async-signal-safe calls here. A full pipe drops the byte, which is fine: a stop is
    // already pending.
    const int savedErrno = errno;
    const unsigned char byte = static_cast<unsigned char>(signalNumber);
    [[maybe_unused]] const ssize_t written = ::write(pipeFds[1], &byte, 1);
    errno = savedErrno;
}

bool makePipe()
{
    if (::pipe(pipeFds) != 0)
        return false;

    for (int fd : pipeFds) {
        ::fcntl(fd, F_SETFD, FD_CLOEXEC);
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    }
    return true;
}

bool setHandler(int signalNumber, void (*handler)(int))
{
    struct sigaction action = {};
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = handler == SIG_DFL ? 0 : SA_RESTART | SA_RESETHAND;
    return ::sigaction(signalNumber, &action, nullptr) == 0;
}

} // namespace

SignalWatcher::SignalWatcher(QObject *parent)
    : QObject(parent)
{
    Q_ASSERT_X(pipeFds[0] < 0, "SignalWatcher", "only one SignalWatcher per process");
    if (!makePipe()) {
        qCWarning(lcApp, "cannot watch for SIGINT and SIGTERM: pipe() failed");
        return;
    }

    m_notifier = new QSocketNotifier(pipeFds[0], QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &SignalWatcher::readSignals);
    for (int signalNumber : watchedSignals)
        setHandler(signalNumber, handleSignal);
}

SignalWatcher::~SignalWatcher()
{
    if (!m_notifier)
        return;

    // Handlers first, so none writes to a closed descriptor.
    for (int signalNumber : watchedSignals)
        setHandler(signalNumber, SIG_DFL);
    delete m_notifier;
    for (int &fd : pipeFds) {
        ::close(fd);
        fd = -1;
    }
}

void SignalWatcher::readSignals()
{
    unsigned char byte = 0;
    while (::read(pipeFds[0], &byte, 1) == 1)
        emit terminationRequested(byte);
}

QString SignalWatcher::signalName(int signalNumber)
{
    switch (signalNumber) {
    case SIGINT:
        return QStringLiteral("SIGINT");
    case SIGTERM:
        return QStringLiteral("SIGTERM");
    default:
        return QStringLiteral("signal %1").arg(signalNumber);
    }
}

#else

// Known limitation: off Unix nothing is watched, so Ctrl-C or a service stop ends the process
// at once and clients see an abnormal close (1006) instead of 1001 going-away. A handler
// registered with SetConsoleCtrlHandler that queues the same signal would remove this.
SignalWatcher::SignalWatcher(QObject *parent)
    : QObject(parent)
{ }

SignalWatcher::~SignalWatcher() = default;

void SignalWatcher::readSignals() { }

QString SignalWatcher::signalName(int signalNumber)
{
    return QStringLiteral("signal %1").arg(signalNumber);
}

#endif
