#pragma once

#include <QObject>

class QSocketNotifier;

// Turns SIGINT and SIGTERM into terminationRequested() on the thread that made the watcher, so
// shutdown runs as ordinary Qt code instead of inside a signal handler. One per process.
//
// After the first signal the default action is back in place: a second Ctrl-C ends a shutdown
// that hangs, the way people expect.
class SignalWatcher : public QObject
{
    Q_OBJECT

public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

    // False where signals are not watched: off Unix, or if the pipe could not be made.
    bool isActive() const { return m_notifier != nullptr; }

    static QString signalName(int signalNumber);

signals:
    void terminationRequested(int signalNumber);

private:
    void readSignals();

    QSocketNotifier *m_notifier = nullptr;
};
