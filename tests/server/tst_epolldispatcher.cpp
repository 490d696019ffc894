// The scenarios run on an engine QThread that gets the epoll dispatcher through
// QThread::setEventDispatcher() before start(), as the hub's engine thread will. The test thread
// keeps Qt's default dispatcher, so QtTest's own waiting (QTRY_*) never depends on the code
// under test, and a client on the test thread talking to a server on the engine thread drives
// both dispatchers at once. That is also why QTEST_GUILESS_MAIN is enough here.
//
// Results are produced on the engine thread and compared on the test thread: inside a
// runOnEngine() task they go into captured variables, and asynchronous ones into atomics or a
// Recorder.

#include <QTest>

#include "epolldispatcher.h"

#ifdef Q_OS_LINUX

#include <arpa/inet.h>
#include <array>
#include <atomic>
#include <fcntl.h>
#include <functional>
#include <memory>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

#include <QElapsedTimer>
#include <QEventLoop>
#include <QHash>
#include <QMutex>
#include <QPointer>
#include <QSet>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryFile>
#include <QThread>
#include <QTimer>

namespace {

// Generous: a loaded machine, or valgrind, makes timers late, never early.
constexpr int LatenessSlackMs = 1000;

QStringList names(std::initializer_list<const char *> list)
{
    QStringList result;
    for (const char *name : list)
        result.append(QString::fromLatin1(name));
    return result;
}

// Collects what happened on the engine thread; the test thread reads it while it waits.
class Recorder
{
public:
    void add(const QString &event)
    {
        QMutexLocker locker(&m_mutex);
        m_events.append(event);
    }

    QStringList events() const
    {
        QMutexLocker locker(&m_mutex);
        return m_events;
    }

private:
    mutable QMutex m_mutex;
    QStringList m_events;
};

// A QObject whose timer events run a handler the test supplies, so a test can act from inside
// one: kill timers, start others, delete objects.
class TimerProbe : public QObject
{
public:
    std::function<void(TimerProbe *probe, int timerId)> onTimer;

protected:
    void timerEvent(QTimerEvent *event) override
    {
        // A copy: the handler may delete this probe, and onTimer with it.
        const auto handler = onTimer;
        if (handler)
            handler(this, event->timerId());
    }
};

// Two connected non-blocking sockets, closed on destruction. The code under test watches
// `local`; the test writes to or closes `remote`.
struct SocketPair
{
    enum class Kind { Local, Tcp };

    explicit SocketPair(Kind kind = Kind::Local)
    {
        if (kind == Kind::Local)
            makeLocal();
        else
            makeTcp();
    }

    ~SocketPair()
    {
        closeFd(local);
        closeFd(remote);
    }

    SocketPair(const SocketPair &) = delete;
    SocketPair &operator=(const SocketPair &) = delete;

    bool isValid() const { return local >= 0 && remote >= 0; }

    static void closeFd(int &fd)
    {
        if (fd >= 0)
            ::close(fd);
        fd = -1;
    }

    int local = -1;
    int remote = -1;

private:
    void makeLocal()
    {
        int fds[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0)
            return;
        local = fds[0];
        remote = fds[1];
    }

    // A loopback TCP connection, for urgent data and resets, which AF_UNIX lacks.
    void makeTcp()
    {
        sockaddr_in address {};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        const auto *generic = reinterpret_cast<sockaddr *>(&address);

        const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (::bind(listener, generic, length) != 0 || ::listen(listener, 1) != 0
            || ::getsockname(listener, reinterpret_cast<sockaddr *>(&address), &length) != 0) {
            ::close(listener);
            return;
        }

        // A blocking connect to loopback completes against the backlog, before accept().
        remote = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (::connect(remote, generic, length) == 0)
            local = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        ::fcntl(remote, F_SETFL, ::fcntl(remote, F_GETFL) | O_NONBLOCK);
        ::close(listener);
    }
};

bool sendAll(int fd, const QByteArray &data)
{
    return ::send(fd, data.constData(), size_t(data.size()), MSG_NOSIGNAL) == data.size();
}

// Reads whatever is ready; reports the end of the stream through atEnd.
qint64 drain(int fd, bool *atEnd = nullptr)
{
    char buffer[4096];
    qint64 total = 0;
    for (;;) {
        const ssize_t count = ::read(fd, buffer, sizeof buffer);
        if (count > 0) {
            total += count;
            continue;
        }
        if (atEnd)
            *atEnd = count == 0;
        return total;
    }
}

QByteArray payload(int client, int size)
{
    QByteArray data(size, Qt::Uninitialized);
    for (int i = 0; i < size; ++i)
        data[i] = char('a' + (client * 7 + i) % 26);
    return data;
}

int clientCount()
{
    // CONFAB_TEST_CLIENTS shrinks the socket tests for a valgrind run.
    const int fromEnvironment = qEnvironmentVariableIntValue("CONFAB_TEST_CLIENTS");
    return fromEnvironment > 0 ? fromEnvironment : 200;
}

// Lives on the engine thread. Echoes every byte back; "big" asks for BigReplyBytes instead.
// With doomEveryOther, the first read anywhere deletes every other socket accepted so far, in
// the middle of whatever batch of ready events the dispatcher is working through.
class EchoServer : public QObject
{
public:
    static constexpr int BigReplyBytes = 4 * 1024 * 1024;

    explicit EchoServer(QObject *parent)
        : QObject(parent)
        , m_server(new QTcpServer(this))
    {
        connect(m_server, &QTcpServer::newConnection, this, &EchoServer::acceptAll);
    }

    bool listen()
    {
        m_server->setListenBacklogSize(1024);
        return m_server->listen(QHostAddress::LocalHost, 0);
    }

    quint16 port() const { return m_server->serverPort(); }

    QSet<quint16> doomedPorts() const
    {
        QMutexLocker locker(&m_mutex);
        return m_doomedPorts;
    }

    bool nestOnFirstRead = false;
    bool doomEveryOther = false;
    std::atomic<int> accepted {0};
    std::atomic<int> disconnected {0};
    std::atomic<int> bigDisconnected {0};

private:
    void acceptAll()
    {
        while (m_server->hasPendingConnections())
            watch(m_server->nextPendingConnection());
    }

    void watch(QTcpSocket *socket)
    {
        m_sockets.append(socket);
        ++accepted;
        connect(socket, &QTcpSocket::readyRead, socket, [this, socket] { serve(socket); });
        connect(socket, &QTcpSocket::disconnected, socket, [this, socket] {
            ++disconnected;
            if (socket->property("big").toBool())
                ++bigDisconnected;
            socket->deleteLater();
        });
    }

    void serve(QTcpSocket *socket)
    {
        if (nestOnFirstRead && !m_nested) {
            m_nested = true;
            QEventLoop loop;
            QTimer::singleShot(50, &loop, &QEventLoop::quit);
            loop.exec();
        }
        if (doomEveryOther && doomOthers(socket))
            return;

        const QByteArray data = socket->readAll();
        if (data == "big") {
            socket->setProperty("big", true);
            socket->write(QByteArray(BigReplyBytes, 'b'));
            return;
        }
        socket->write(data);
    }

    // Returns true when `current` itself is doomed: deleting it inside its own readyRead
    // would be a bug in the test, so it is aborted and deleted later instead.
    bool doomOthers(QTcpSocket *current)
    {
        doomEveryOther = false;
        bool currentDoomed = false;
        QMutexLocker locker(&m_mutex);

        // By accept order: Linux hands out even ephemeral ports to connect(), so port parity
        // would spare them all.
        for (qsizetype i = 1; i < m_sockets.size(); i += 2) {
            const QPointer<QTcpSocket> &socket = m_sockets[i];
            if (!socket)
                continue;
            m_doomedPorts.insert(socket->peerPort());
            if (socket == current) {
                currentDoomed = true;
                current->abort();
                current->deleteLater();
            } else {
                delete socket.data();
            }
        }
        return currentDoomed;
    }

    QTcpServer *m_server;
    QList<QPointer<QTcpSocket>> m_sockets;
    bool m_nested = false;
    mutable QMutex m_mutex;
    QSet<quint16> m_doomedPorts;
};

// The test thread's side of many connections.
class Clients
{
public:
    ~Clients() { qDeleteAll(m_sockets); }

    QTcpSocket *add(quint16 port, const QByteArray &request)
    {
        const int index = int(m_sockets.size());
        auto *socket = new QTcpSocket;
        m_sockets.append(socket);
        m_sent.append(request);
        m_received.append(QByteArray());
        m_closed.append(false);
        m_ports.append(0);

        QObject::connect(socket, &QTcpSocket::connected, socket, [this, socket, index] {
            m_ports[index] = socket->localPort();
            socket->write(m_sent[index]);
        });
        QObject::connect(socket, &QTcpSocket::readyRead, socket,
                         [this, socket, index] { m_received[index] += socket->readAll(); });
        QObject::connect(socket, &QTcpSocket::disconnected, socket,
                         [this, index] { m_closed[index] = true; });
        socket->connectToHost(QHostAddress::LocalHost, port);
        return socket;
    }

    int size() const { return int(m_sockets.size()); }
    QTcpSocket *socket(int index) const { return m_sockets[index]; }
    const QByteArray &sent(int index) const { return m_sent[index]; }
    const QByteArray &received(int index) const { return m_received[index]; }
    bool closed(int index) const { return m_closed[index]; }

    // Kept from the connection: QAbstractSocket forgets it on close.
    quint16 localPort(int index) const { return m_ports[index]; }

    bool allEchoed(int from = 0) const
    {
        for (int i = from; i < size(); ++i) {
            if (m_received[i].size() < m_sent[i].size())
                return false;
        }
        return true;
    }

private:
    QList<QTcpSocket *> m_sockets;
    QList<QByteArray> m_sent;
    QList<QByteArray> m_received;
    QList<bool> m_closed;
    QList<quint16> m_ports;
};

// Runs `iterations` non-blocking loop iterations with `notifierCount` idle read notifiers
// registered on the thread of `context`, and returns how long they took.
qint64 measureIterations(QObject *context, int notifierCount, int iterations)
{
    qint64 elapsedUs = -1;
    QMetaObject::invokeMethod(
        context,
        [&] {
            std::vector<std::unique_ptr<SocketPair>> pairs;
            std::vector<std::unique_ptr<QSocketNotifier>> notifiers;
            while (int(notifiers.size()) < notifierCount) {
                pairs.push_back(std::make_unique<SocketPair>());
                for (int fd : {pairs.back()->local, pairs.back()->remote})
                    notifiers.push_back(
                        std::make_unique<QSocketNotifier>(fd, QSocketNotifier::Read));
            }

            QAbstractEventDispatcher *dispatcher = QAbstractEventDispatcher::instance();
            QElapsedTimer clock;
            clock.start();
            for (int i = 0; i < iterations; ++i)
                dispatcher->processEvents(QEventLoop::AllEvents);
            elapsedUs = clock.nsecsElapsed() / 1000;

            notifiers.clear();
        },
        Qt::BlockingQueuedConnection);
    return elapsedUs;
}

} // namespace

#endif // Q_OS_LINUX

class tst_EpollDispatcher : public QObject
{
    Q_OBJECT

private slots:
#ifdef Q_OS_LINUX
    void init();
    void cleanup();

    void factoryInstallsOnThread();
    void singleShotTimersFireInDeadlineOrder();
    void repeatingTimerKeepsItsInterval();
    void timerKilledFromAnotherTimerNeverFires();
    void objectsDeletedInsideTimerEvents();
    void zeroTimerDoesNotStarveSockets();
    void timerBookkeeping();
    void timersFollowObjectsAcrossThreads();
    void singleShotFromAnotherThreadWakesLoop();
    void queuedCallsFromOtherThreadsRun();
    void interruptReturnsFromProcessEvents();
    void excludeFlagsAreRespected();
    void readAndWriteNotifiersShareDescriptor();
    void staleEventsInBatchAreNotDelivered();
    void hangUpActivatesNotifiers();
    void exceptionNotifierSeesUrgentData();
    void regularFileNotifierIsAlwaysReady();
    void tcpServerEchoesToManyClients_data();
    void tcpServerEchoesToManyClients();
    void socketsClosedDuringActivity();
    void deleteLaterDeletes();
    void nestedEventLoopInsideSlot();
    void idleNotifiersDoNotSlowIterations();
#else
    void factoryReturnsNullElsewhere();
#endif

#ifdef Q_OS_LINUX
private:
    void runOnEngine(const std::function<void()> &task);

    std::unique_ptr<QThread> m_engine;
    QObject *m_context = nullptr; // lives on the engine; the parent of a test's engine objects
    EpollEventDispatcher *m_dispatcher = nullptr; // owned by m_engine
#endif
};

#ifdef Q_OS_LINUX

void tst_EpollDispatcher::init()
{
    m_engine = std::make_unique<QThread>();
    m_engine->setObjectName(QStringLiteral("engine"));

    QAbstractEventDispatcher *dispatcher = createEngineEventDispatcher();
    m_dispatcher = qobject_cast<EpollEventDispatcher *>(dispatcher);
    QVERIFY(m_dispatcher);
    m_engine->setEventDispatcher(dispatcher);
    m_engine->start();

    m_context = new QObject;
    m_context->moveToThread(m_engine.get());
}

void tst_EpollDispatcher::cleanup()
{
    if (m_context)
        m_context->deleteLater();
    m_context = nullptr;

    // QThread::quit() goes through interrupt() from this thread.
    if (m_engine) {
        m_engine->quit();
        QVERIFY(m_engine->wait(10000));
    }
    m_engine.reset();
    m_dispatcher = nullptr;
}

void tst_EpollDispatcher::runOnEngine(const std::function<void()> &task)
{
    QMetaObject::invokeMethod(m_context, task, Qt::BlockingQueuedConnection);
}

void tst_EpollDispatcher::factoryInstallsOnThread()
{
    QAbstractEventDispatcher *seen = nullptr;
    runOnEngine([&] { seen = QAbstractEventDispatcher::instance(); });

    QCOMPARE(seen, m_dispatcher);
    QCOMPARE(QAbstractEventDispatcher::instance(m_engine.get()), m_dispatcher);
    QVERIFY(m_dispatcher->isValid());
}

void tst_EpollDispatcher::singleShotTimersFireInDeadlineOrder()
{
    const QList<int> intervals = {60, 5, 40, 20};
    std::array<std::atomic<qint64>, 4> elapsedMs {};
    Recorder fired;

    runOnEngine([&] {
        QElapsedTimer clock;
        clock.start();
        for (int i = 0; i < intervals.size(); ++i) {
            QTimer::singleShot(intervals[i], Qt::PreciseTimer, m_context, [&, i, clock] {
                elapsedMs[size_t(i)] = clock.elapsed();
                fired.add(QString::number(intervals[i]));
            });
        }
    });

    QTRY_COMPARE(fired.events(), names({"5", "20", "40", "60"}));
    for (int i = 0; i < intervals.size(); ++i) {
        const qint64 elapsed = elapsedMs[size_t(i)];
        QVERIFY2(elapsed >= intervals[i], qPrintable(QString::number(elapsed)));
        QVERIFY2(elapsed < intervals[i] + LatenessSlackMs, qPrintable(QString::number(elapsed)));
    }
}

void tst_EpollDispatcher::repeatingTimerKeepsItsInterval()
{
    constexpr int IntervalMs = 25;
    constexpr int Ticks = 8;
    std::array<std::atomic<qint64>, Ticks> tickAtMs {};
    std::atomic<int> ticks {0};

    runOnEngine([&] {
        auto *timer = new QTimer(m_context);
        timer->setTimerType(Qt::PreciseTimer);
        timer->setInterval(IntervalMs);
        QElapsedTimer clock;
        clock.start();
        connect(timer, &QTimer::timeout, timer, [&, timer, clock] {
            tickAtMs[size_t(ticks.load())] = clock.elapsed();
            if (++ticks == Ticks)
                timer->stop();
        });
        timer->start();
    });

    QTRY_COMPARE(ticks.load(), Ticks);

    // Scheduled from each planned deadline, so tick n is never before n intervals and the
    // lateness does not add up.
    for (int n = 0; n < Ticks; ++n)
        QVERIFY2(tickAtMs[size_t(n)] >= IntervalMs * (n + 1), qPrintable(QString::number(n)));
    QVERIFY(tickAtMs[Ticks - 1] < IntervalMs * Ticks + LatenessSlackMs);
}

void tst_EpollDispatcher::timerKilledFromAnotherTimerNeverFires()
{
    Recorder fired;

    runOnEngine([&] {
        auto *probe = new TimerProbe;
        probe->setParent(m_context);
        auto timerNames = std::make_shared<QHash<int, QString>>();
        const int first = probe->startTimer(5, Qt::PreciseTimer);
        const int second = probe->startTimer(6, Qt::PreciseTimer);
        timerNames->insert(first, QStringLiteral("first"));
        timerNames->insert(second, QStringLiteral("second"));

        probe->onTimer = [&fired, timerNames, first, second](TimerProbe *self, int timerId) {
            fired.add(timerNames->value(timerId, QStringLiteral("unknown")));
            self->killTimer(timerId);
            timerNames->remove(timerId);
            if (timerId != first)
                return;

            // Qt hands freed ids out again, so the new timer likely takes over `second`'s id
            // while a stale entry for `second` could still be due in this very pass.
            self->killTimer(second);
            timerNames->remove(second);
            timerNames->insert(self->startTimer(0), QStringLiteral("third"));
        };

        // Both deadlines pass while the engine is busy here, so one pass sees both.
        QThread::msleep(20);
    });

    QTRY_COMPARE(fired.events(), names({"first", "third"}));
    runOnEngine([] {});
    QCOMPARE(fired.events(), names({"first", "third"}));
}

void tst_EpollDispatcher::objectsDeletedInsideTimerEvents()
{
    Recorder fired;

    runOnEngine([&] {
        auto *a = new TimerProbe;
        auto *b = new TimerProbe;
        auto *c = new TimerProbe;
        auto *d = new TimerProbe;
        a->startTimer(5, Qt::PreciseTimer);
        b->startTimer(6, Qt::PreciseTimer);
        c->startTimer(7, Qt::PreciseTimer);
        d->startTimer(8, Qt::PreciseTimer);

        a->onTimer = [&fired, b](TimerProbe *self, int timerId) {
            fired.add(QStringLiteral("a"));
            delete b; // its timer is due in this same pass
            self->killTimer(timerId);
            self->deleteLater();
        };
        b->onTimer = [&fired](TimerProbe *, int) {
            fired.add(QStringLiteral("b"));
        };
        c->onTimer = [&fired](TimerProbe *self, int) {
            fired.add(QStringLiteral("c"));
            delete self;
        };
        d->onTimer = [&fired](TimerProbe *self, int timerId) {
            fired.add(QStringLiteral("d"));
            self->killTimer(timerId);
            self->deleteLater();
        };

        QThread::msleep(20);
    });

    QTRY_COMPARE(fired.events(), names({"a", "c", "d"}));
}

void tst_EpollDispatcher::zeroTimerDoesNotStarveSockets()
{
    constexpr int Rounds = 20;
    constexpr int ChunkBytes = 1024;
    SocketPair pair;
    QVERIFY(pair.isValid());
    std::atomic<int> bytesRead {0};
    QTimer *zero = nullptr;
    QSocketNotifier *notifier = nullptr;
    int zeroTicks = 0;
    int iterations = 0;

    runOnEngine([&] {
        connect(m_dispatcher, &QAbstractEventDispatcher::awake, m_context, [&] { ++iterations; });
        zero = new QTimer(m_context);
        zero->setInterval(0);
        connect(zero, &QTimer::timeout, zero, [&] { ++zeroTicks; });
        zero->start();

        notifier = new QSocketNotifier(pair.local, QSocketNotifier::Read);
        connect(notifier, &QSocketNotifier::activated, notifier,
                [&] { bytesRead += int(drain(pair.local)); });
    });

    for (int round = 1; round <= Rounds; ++round) {
        QVERIFY(sendAll(pair.remote, QByteArray(ChunkBytes, 'z')));
        QTRY_COMPARE(bytesRead.load(), round * ChunkBytes);
    }

    int ticks = 0;
    int loops = 0;
    runOnEngine([&] {
        ticks = zeroTicks;
        loops = iterations;
        delete zero;
        delete notifier;
    });

    QVERIFY(ticks >= Rounds);
    QVERIFY2(ticks <= loops,
             qPrintable(QStringLiteral("%1 ticks in %2 loops").arg(ticks).arg(loops)));
}

void tst_EpollDispatcher::timerBookkeeping()
{
    QList<QAbstractEventDispatcher::TimerInfo> infos;
    int preciseLeft = -2;
    int veryCoarseLeft = -2;
    int killedLeft = -2;
    qsizetype afterKill = -1;
    bool unknownUnregistered = true;
    bool directUnregistered = false;
    bool directAgain = true;

    runOnEngine([&] {
        TimerProbe probe;
        const int precise = probe.startTimer(500, Qt::PreciseTimer);
        const int veryCoarse = probe.startTimer(1400, Qt::VeryCoarseTimer);
        infos = m_dispatcher->registeredTimers(&probe);
        preciseLeft = m_dispatcher->remainingTime(precise);
        veryCoarseLeft = m_dispatcher->remainingTime(veryCoarse);

        probe.killTimer(precise);
        killedLeft = m_dispatcher->remainingTime(precise);
        afterKill = m_dispatcher->registeredTimers(&probe).size();
        unknownUnregistered = m_dispatcher->unregisterTimer(0x7ffffff0);

        // Registered behind QObject's back, so QObject will not clean these up itself.
        QObject direct;
        m_dispatcher->registerTimer(1000, Qt::CoarseTimer, &direct);
        m_dispatcher->registerTimer(2000, Qt::CoarseTimer, &direct);
        directUnregistered = m_dispatcher->unregisterTimers(&direct);
        directAgain = m_dispatcher->unregisterTimers(&direct);
    });

    QCOMPARE(infos.size(), 2);
    for (const auto &info : std::as_const(infos)) {
        QVERIFY(info.interval == 500 || info.interval == 1400);
        QCOMPARE(info.timerType, info.interval == 500 ? Qt::PreciseTimer : Qt::VeryCoarseTimer);
    }
    QVERIFY(preciseLeft > 0 && preciseLeft <= 500);
    QVERIFY2(veryCoarseLeft > 500 && veryCoarseLeft <= 1000, "rounded to whole seconds");
    QCOMPARE(killedLeft, -1);
    QCOMPARE(afterKill, 1);
    QVERIFY(!unknownUnregistered);
    QVERIFY(directUnregistered);
    QVERIFY(!directAgain);
}

void tst_EpollDispatcher::timersFollowObjectsAcrossThreads()
{
    Recorder fired;
    QThread *const testThread = QThread::currentThread();

    // Started on this thread and moved: the engine gets it through moveToThread()'s
    // re-registration, that is registeredTimers() here and registerTimer() there.
    QTimer::singleShot(30, m_context, [&] {
        fired.add(QThread::currentThread() == m_engine.get() ? QStringLiteral("on engine")
                                                             : QStringLiteral("elsewhere"));
    });
    QTRY_COMPARE(fired.events(), names({"on engine"}));

    qsizetype before = -1;
    qsizetype after = -1;
    runOnEngine([&] {
        auto *timer = new QTimer;
        timer->setSingleShot(true);
        timer->setInterval(30);
        connect(timer, &QTimer::timeout, timer, [&fired, timer, testThread] {
            fired.add(QThread::currentThread() == testThread ? QStringLiteral("on test thread")
                                                             : QStringLiteral("elsewhere"));
            timer->deleteLater();
        });
        timer->start();

        before = m_dispatcher->registeredTimers(timer).size();
        timer->moveToThread(testThread);
        after = m_dispatcher->registeredTimers(timer).size();
    });

    QCOMPARE(before, 1);
    QCOMPARE(after, 0);
    QTRY_COMPARE(fired.events(), names({"on engine", "on test thread"}));
}

void tst_EpollDispatcher::singleShotFromAnotherThreadWakesLoop()
{
    std::atomic<int> blocks {0};
    runOnEngine([&] {
        connect(m_dispatcher, &QAbstractEventDispatcher::aboutToBlock, m_context,
                [&] { ++blocks; });
    });

    // No timer runs on the engine: once it blocks, only the eventfd can wake it.
    QTRY_VERIFY(blocks.load() > 0);

    std::atomic<int> ran {0};
    QTimer::singleShot(0, m_context, [&] { ++ran; });
    QTRY_COMPARE(ran.load(), 1);

    QTimer::singleShot(20, m_context, [&] { ++ran; });
    QTRY_COMPARE(ran.load(), 2);

    // And from a thread that never runs an event loop.
    std::unique_ptr<QThread> plain(
        QThread::create([&] { QTimer::singleShot(0, m_context, [&] { ++ran; }); }));
    plain->start();
    QVERIFY(plain->wait(5000));
    QTRY_COMPARE(ran.load(), 3);
}

void tst_EpollDispatcher::queuedCallsFromOtherThreadsRun()
{
    constexpr int Senders = 4;
    constexpr int CallsEach = 1000;
    std::atomic<int> calls {0};
    std::vector<std::unique_ptr<QThread>> senders;

    for (int i = 0; i < Senders; ++i) {
        senders.emplace_back(QThread::create([&] {
            for (int n = 0; n < CallsEach; ++n)
                QMetaObject::invokeMethod(
                    m_context, [&] { ++calls; }, Qt::QueuedConnection);
        }));
        senders.back()->start();
    }
    for (const auto &sender : senders)
        QVERIFY(sender->wait(10000));

    QTRY_COMPARE(calls.load(), Senders * CallsEach);

    int answer = 0;
    QMetaObject::invokeMethod(
        m_context, [] { return 42; }, Qt::BlockingQueuedConnection, &answer);
    QCOMPARE(answer, 42);
}

void tst_EpollDispatcher::interruptReturnsFromProcessEvents()
{
    std::atomic<int> blocks {0};
    std::atomic<bool> returned {false};
    runOnEngine([&] {
        connect(m_dispatcher, &QAbstractEventDispatcher::aboutToBlock, m_context,
                [&] { ++blocks; });
    });
    QTRY_VERIFY(blocks.load() > 0);

    // The task's own processEvents() has nothing to wait for and blocks until interrupted.
    const int before = blocks.load();
    QMetaObject::invokeMethod(
        m_context,
        [&] {
            m_dispatcher->processEvents(QEventLoop::WaitForMoreEvents);
            returned = true;
        },
        Qt::QueuedConnection);
    QTRY_VERIFY(blocks.load() > before);
    QVERIFY(!returned.load());

    m_dispatcher->interrupt();
    QTRY_VERIFY(returned.load());
}

void tst_EpollDispatcher::excludeFlagsAreRespected()
{
    struct Step
    {
        bool result = false;
        int reads = -1;
        int ticks = -1;
    };
    Step neither, timersOnly, socketsOnly, waitWithoutSockets, idle;
    SocketPair pair;
    QVERIFY(pair.isValid());

    runOnEngine([&] {
        const auto run = [&](QEventLoop::ProcessEventsFlags flags, int &reads, int &ticks) {
            Step step;
            step.result = m_dispatcher->processEvents(flags);
            step.reads = reads;
            step.ticks = ticks;
            return step;
        };
        for (int settle = 0; settle < 10 && m_dispatcher->processEvents(QEventLoop::AllEvents);)
            ++settle;

        int reads = 0;
        int ticks = 0;
        QSocketNotifier reader(pair.local, QSocketNotifier::Read);
        connect(&reader, &QSocketNotifier::activated, &reader, [&] {
            ++reads;
            drain(pair.local);
        });
        TimerProbe probe;
        probe.onTimer = [&](TimerProbe *, int) {
            ++ticks;
        };
        const int timerId = probe.startTimer(1, Qt::PreciseTimer);
        sendAll(pair.remote, "x");
        QThread::msleep(5);

        neither =
            run(QEventLoop::ExcludeSocketNotifiers | QEventLoop::X11ExcludeTimers, reads, ticks);
        timersOnly = run(QEventLoop::ExcludeSocketNotifiers, reads, ticks);
        // A ready socket must not cut this wait short; the 1 ms timer ends it.
        waitWithoutSockets =
            run(QEventLoop::ExcludeSocketNotifiers | QEventLoop::WaitForMoreEvents, reads, ticks);
        QThread::msleep(5);
        socketsOnly = run(QEventLoop::X11ExcludeTimers, reads, ticks);

        probe.killTimer(timerId);
        idle = run(QEventLoop::AllEvents, reads, ticks);
    });

    QVERIFY(!neither.result);
    QCOMPARE(neither.reads, 0);
    QCOMPARE(neither.ticks, 0);
    QVERIFY(timersOnly.result);
    QCOMPARE(timersOnly.reads, 0);
    QCOMPARE(timersOnly.ticks, 1);
    QCOMPARE(waitWithoutSockets.reads, 0);
    QCOMPARE(waitWithoutSockets.ticks, 2);
    QVERIFY(socketsOnly.result);
    QCOMPARE(socketsOnly.reads, 1);
    QCOMPARE(socketsOnly.ticks, 2);
    QVERIFY(!idle.result);
    QCOMPARE(idle.reads, 1);
}

void tst_EpollDispatcher::readAndWriteNotifiersShareDescriptor()
{
    struct Result
    {
        bool firstWrite = false;
        int readsBeforeData = -1;
        bool firstRead = false;
        int writesWhileDisabled = -1;
        bool writeAlone = false;
        int readsWhileDisabled = -1;
        bool readBack = false;
    } r;
    SocketPair pair;
    QVERIFY(pair.isValid());

    runOnEngine([&] {
        const auto waitFor = [](const std::function<bool()> &done) {
            return QTest::qWaitFor(done, 5000);
        };
        int reads = 0;
        int writes = 0;
        QSocketNotifier reader(pair.local, QSocketNotifier::Read);
        QSocketNotifier writer(pair.local, QSocketNotifier::Write);
        connect(&reader, &QSocketNotifier::activated, &reader, [&] {
            ++reads;
            drain(pair.local);
        });
        connect(&writer, &QSocketNotifier::activated, &writer, [&] {
            ++writes;
            writer.setEnabled(false);
        });

        r.firstWrite = waitFor([&] { return writes == 1; });
        r.readsBeforeData = reads;
        sendAll(pair.remote, "x");
        r.firstRead = waitFor([&] { return reads == 1; });
        r.writesWhileDisabled = writes;

        // Write alone in the epoll mask, then read alone again: EPOLL_CTL_MOD both ways.
        reader.setEnabled(false);
        writer.setEnabled(true);
        sendAll(pair.remote, "y");
        r.writeAlone = waitFor([&] { return writes == 2; });
        r.readsWhileDisabled = reads;
        reader.setEnabled(true);
        r.readBack = waitFor([&] { return reads == 2; });
    });

    QVERIFY(r.firstWrite);
    QCOMPARE(r.readsBeforeData, 0);
    QVERIFY(r.firstRead);
    QCOMPARE(r.writesWhileDisabled, 1);
    QVERIFY(r.writeAlone);
    QCOMPARE(r.readsWhileDisabled, 1);
    QVERIFY(r.readBack);
}

void tst_EpollDispatcher::staleEventsInBatchAreNotDelivered()
{
    std::array<int, 2> fires {0, 0};
    int replacementFires = 0;
    int sharedReads = 0;
    int sharedWrites = 0;
    bool reused = false;
    SocketPair a, b, shared;
    QVERIFY(a.isValid() && b.isValid() && shared.isValid());

    runOnEngine([&] {
        std::array<SocketPair *, 2> pairs = {&a, &b};
        std::array<QSocketNotifier *, 2> notifiers = {
            new QSocketNotifier(a.local, QSocketNotifier::Read),
            new QSocketNotifier(b.local, QSocketNotifier::Read)};
        QSocketNotifier *replacement = nullptr;
        int freshRemote = -1;

        // Whichever of the two fires first deletes the other, whose event is in the same
        // batch, and puts a new, idle socket with a new notifier under the same fd number.
        for (size_t i = 0; i < 2; ++i) {
            connect(notifiers[i], &QSocketNotifier::activated, notifiers[i], [&, i] {
                ++fires[i];
                drain(pairs[i]->local);
                if (replacement)
                    return;

                const size_t other = 1 - i;
                const int number = pairs[other]->local;
                delete notifiers[other];
                notifiers[other] = nullptr;

                int fresh[2];
                ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fresh);
                reused = ::dup2(fresh[0], number) == number;
                ::close(fresh[0]);
                freshRemote = fresh[1];
                replacement = new QSocketNotifier(number, QSocketNotifier::Read);
                connect(replacement, &QSocketNotifier::activated, replacement,
                        [&] { ++replacementFires; });
            });
        }

        // Both ends of one socket ready in one event; the read handler deletes the writer.
        auto *sharedReader = new QSocketNotifier(shared.local, QSocketNotifier::Read);
        QSocketNotifier *sharedWriter = new QSocketNotifier(shared.local, QSocketNotifier::Write);
        connect(sharedReader, &QSocketNotifier::activated, sharedReader, [&] {
            ++sharedReads;
            drain(shared.local);
            delete sharedWriter;
            sharedWriter = nullptr;
        });
        connect(sharedWriter, &QSocketNotifier::activated, sharedWriter, [&] { ++sharedWrites; });

        sendAll(a.remote, "a");
        sendAll(b.remote, "b");
        sendAll(shared.remote, "s");
        for (int i = 0; i < 5; ++i)
            m_dispatcher->processEvents(QEventLoop::AllEvents);

        qDeleteAll(notifiers);
        delete replacement;
        delete sharedReader;
        delete sharedWriter;
        SocketPair::closeFd(freshRemote);
    });

    QVERIFY(reused);
    QCOMPARE(fires[0] + fires[1], 1);
    QCOMPARE(replacementFires, 0);
    QCOMPARE(sharedReads, 1);
    QCOMPARE(sharedWrites, 0);
}

void tst_EpollDispatcher::hangUpActivatesNotifiers()
{
    bool sawEnd = false;
    bool readerFired = false;
    bool writerFired = false;
    bool writeFailed = false;
    bool resetSeen = false;
    SocketPair local;
    SocketPair tcp(SocketPair::Kind::Tcp);
    QVERIFY(local.isValid() && tcp.isValid());

    runOnEngine([&] {
        QSocketNotifier reader(local.local, QSocketNotifier::Read);
        connect(&reader, &QSocketNotifier::activated, &reader, [&] {
            drain(local.local, &sawEnd);
            reader.setEnabled(false);
        });
        SocketPair::closeFd(local.remote);
        readerFired = QTest::qWaitFor([&] { return sawEnd; }, 5000);

        // A reset peer, seen by a socket that only wants to write.
        QSocketNotifier writer(tcp.local, QSocketNotifier::Write);
        connect(&writer, &QSocketNotifier::activated, &writer, [&] {
            writerFired = true;
            writeFailed = ::send(tcp.local, "w", 1, MSG_NOSIGNAL) < 0;
            writer.setEnabled(!writeFailed);
        });
        linger reset {1, 0};
        ::setsockopt(tcp.remote, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
        SocketPair::closeFd(tcp.remote);
        resetSeen = QTest::qWaitFor([&] { return writeFailed; }, 5000);
    });

    QVERIFY(readerFired);
    QVERIFY(sawEnd);
    QVERIFY(writerFired);
    QVERIFY(writeFailed);
    QVERIFY(resetSeen);
}

void tst_EpollDispatcher::exceptionNotifierSeesUrgentData()
{
    bool fired = false;
    bool seen = false;
    char urgent = 0;
    SocketPair tcp(SocketPair::Kind::Tcp);
    QVERIFY(tcp.isValid());

    runOnEngine([&] {
        QSocketNotifier exception(tcp.local, QSocketNotifier::Exception);
        connect(&exception, &QSocketNotifier::activated, &exception, [&] {
            fired = ::recv(tcp.local, &urgent, 1, MSG_OOB) == 1;
            exception.setEnabled(false);
        });
        ::send(tcp.remote, "!", 1, MSG_OOB | MSG_NOSIGNAL);
        seen = QTest::qWaitFor([&] { return fired; }, 5000);
    });

    QVERIFY(seen);
    QCOMPARE(urgent, '!');
}

void tst_EpollDispatcher::regularFileNotifierIsAlwaysReady()
{
    int reads = 0;
    bool readsAgain = false;
    bool idleAfterDelete = true;
    QTemporaryFile file;
    QVERIFY(file.open());

    runOnEngine([&] {
        // epoll refuses regular files (EPERM); poll() calls them always ready.
        auto *notifier = new QSocketNotifier(file.handle(), QSocketNotifier::Read);
        connect(notifier, &QSocketNotifier::activated, notifier, [&] { ++reads; });
        m_dispatcher->processEvents(QEventLoop::AllEvents);
        readsAgain = QTest::qWaitFor([&] { return reads >= 3; }, 5000);

        delete notifier;
        m_dispatcher->processEvents(QEventLoop::AllEvents);
        idleAfterDelete = m_dispatcher->processEvents(QEventLoop::AllEvents);
    });

    QVERIFY(readsAgain);
    QVERIFY(!idleAfterDelete);
}

void tst_EpollDispatcher::tcpServerEchoesToManyClients_data()
{
    QTest::addColumn<bool>("nestOnFirstRead");

    QTest::addRow("plain echo") << false;
    QTest::addRow("nested loop in the first read slot") << true;
}

void tst_EpollDispatcher::tcpServerEchoesToManyClients()
{
    QFETCH(bool, nestOnFirstRead);
    constexpr int BigRequestBytes = 2 * 1024 * 1024;
    const int count = clientCount();
    EchoServer *server = nullptr;
    bool listening = false;
    quint16 port = 0;

    runOnEngine([&] {
        server = new EchoServer(m_context);
        server->nestOnFirstRead = nestOnFirstRead;
        listening = server->listen();
        port = server->port();
    });
    QVERIFY(listening);

    // The first client's request is large enough to fill socket buffers, so the server's
    // read and write notifiers on that socket are both in play.
    Clients clients;
    for (int i = 0; i < count; ++i)
        clients.add(port, payload(i, i == 0 ? BigRequestBytes : 4096));

    QTRY_COMPARE_WITH_TIMEOUT(server->accepted.load(), count, 30000);
    QTRY_VERIFY_WITH_TIMEOUT(clients.allEchoed(), 60000);
    for (int i = 0; i < count; ++i)
        QVERIFY2(clients.received(i) == clients.sent(i), qPrintable(QString::number(i)));

    // A close on the client side must reach the server as a disconnect.
    for (int i = 0; i < count; ++i)
        clients.socket(i)->disconnectFromHost();
    QTRY_COMPARE_WITH_TIMEOUT(server->disconnected.load(), count, 30000);
}

void tst_EpollDispatcher::socketsClosedDuringActivity()
{
    constexpr int Resetters = 10;
    const int firstWave = qMax(clientCount() / 2, 10);
    EchoServer *server = nullptr;
    quint16 port = 0;

    runOnEngine([&] {
        server = new EchoServer(m_context);
        server->listen();
        port = server->port();
    });
    QVERIFY(port != 0);

    Clients clients;
    for (int i = 0; i < firstWave; ++i)
        clients.add(port, QByteArray());
    QTRY_COMPARE_WITH_TIMEOUT(server->accepted.load(), firstWave, 30000);

    // All at once, and a second wave connecting meanwhile, whose sockets may take over the fd
    // numbers of the ones the server deletes in the middle of a batch.
    runOnEngine([&] { server->doomEveryOther = true; });
    for (int i = 0; i < firstWave; ++i)
        clients.socket(i)->write(payload(i, 512));
    for (int i = 0; i < firstWave; ++i)
        clients.add(port, payload(firstWave + i, 512));

    const auto settled = [&] {
        const QSet<quint16> doomed = server->doomedPorts();
        for (int i = 0; i < clients.size(); ++i) {
            const bool isDoomed = doomed.contains(clients.localPort(i));
            if (isDoomed ? !clients.closed(i) : clients.received(i).size() < 512)
                return false;
        }
        return !doomed.isEmpty();
    };
    QTRY_VERIFY_WITH_TIMEOUT(settled(), 60000);

    const QSet<quint16> doomed = server->doomedPorts();
    for (int i = 0; i < clients.size(); ++i) {
        if (!doomed.contains(clients.localPort(i)))
            QVERIFY2(clients.received(i) == payload(i, 512), qPrintable(QString::number(i)));
    }

    // Clients that reset their connection while the server still has megabytes to send.
    Clients resetters;
    for (int i = 0; i < Resetters; ++i) {
        QTcpSocket *socket = resetters.add(port, "big");
        QObject::connect(socket, &QTcpSocket::readyRead, socket, [socket] { socket->abort(); });
    }
    QTRY_COMPARE_WITH_TIMEOUT(server->bigDisconnected.load(), Resetters, 30000);

    // And the server still serves.
    Clients last;
    last.add(port, "still here");
    QTRY_COMPARE(last.received(0), QByteArray("still here"));
}

void tst_EpollDispatcher::deleteLaterDeletes()
{
    std::atomic<int> destroyed {0};
    std::atomic<int> aliveAfterNested {-1};
    QObject *fromTestThread = nullptr;
    const auto watch = [&](QObject *object) {
        connect(object, &QObject::destroyed, m_context, [&] { ++destroyed; });
    };

    runOnEngine([&] {
        auto *object = new QObject;
        watch(object);
        object->deleteLater();
    });
    QTRY_COMPARE(destroyed.load(), 1);

    runOnEngine([&] {
        fromTestThread = new QObject;
        watch(fromTestThread);
    });
    fromTestThread->deleteLater();
    QTRY_COMPARE(destroyed.load(), 2);

    // Qt's rule: a nested loop entered after deleteLater() does not delete; control returning
    // to the loop that called it does. That depends on events going through sendEvent().
    QMetaObject::invokeMethod(
        m_context,
        [&] {
            auto *object = new QObject;
            QPointer<QObject> guard(object);
            watch(object);
            object->deleteLater();

            QEventLoop loop;
            QTimer::singleShot(30, &loop, &QEventLoop::quit);
            loop.exec();
            aliveAfterNested = guard ? 1 : 0;
        },
        Qt::QueuedConnection);
    QTRY_COMPARE(destroyed.load(), 3);
    QCOMPARE(aliveAfterNested.load(), 1);
}

void tst_EpollDispatcher::nestedEventLoopInsideSlot()
{
    std::atomic<int> outerTicks {0};
    std::atomic<int> ticksDuringNested {0};
    std::atomic<int> readsDuringNested {0};
    std::atomic<int> othersDuringNested {0};
    std::atomic<bool> nestedRunning {false};
    std::atomic<bool> nestedDone {false};
    QEventLoop *nested = nullptr;
    QSocketNotifier *notifier = nullptr;
    QTimer *repeating = nullptr;
    SocketPair pair;
    QVERIFY(pair.isValid());

    runOnEngine([&] {
        const auto quitWhenServed = [&] {
            if (nested && readsDuringNested > 0 && othersDuringNested > 0)
                nested->quit();
        };
        notifier = new QSocketNotifier(pair.local, QSocketNotifier::Read);
        connect(notifier, &QSocketNotifier::activated, notifier, [&, quitWhenServed] {
            drain(pair.local);
            readsDuringNested += nestedRunning ? 1 : 0;
            quitWhenServed();
        });

        repeating = new QTimer(m_context);
        repeating->setInterval(10);
        connect(repeating, &QTimer::timeout, repeating, [&, quitWhenServed] {
            // Qt's dispatchers never re-enter a timer from inside its own event.
            if (nestedRunning) {
                ++ticksDuringNested;
                return;
            }
            if (++outerTicks != 1)
                return;

            QTimer::singleShot(20, m_context, [&, quitWhenServed] {
                othersDuringNested += nestedRunning ? 1 : 0;
                quitWhenServed();
            });
            QEventLoop loop;
            nested = &loop;
            nestedRunning = true;
            loop.exec();
            nestedRunning = false;
            nested = nullptr;
            nestedDone = true;
        });
        repeating->start();
    });

    QTRY_VERIFY(nestedRunning.load());
    QVERIFY(sendAll(pair.remote, "n"));
    QTRY_VERIFY(nestedDone.load());
    QTRY_VERIFY(outerTicks.load() >= 4);

    runOnEngine([&] {
        delete notifier;
        delete repeating;
    });
    QCOMPARE(ticksDuringNested.load(), 0);
    QCOMPARE(readsDuringNested.load(), 1);
    QCOMPARE(othersDuringNested.load(), 1);
}

void tst_EpollDispatcher::idleNotifiersDoNotSlowIterations()
{
    // Printed, not asserted: any threshold would be flaky on a loaded machine.
    constexpr int Iterations = 1000;
    const qint64 epollFew = measureIterations(m_context, 10, Iterations);
    const qint64 epollMany = measureIterations(m_context, 5000, Iterations);

    QThread plainThread;
    plainThread.start();
    auto *plainContext = new QObject;
    plainContext->moveToThread(&plainThread);
    const qint64 defaultFew = measureIterations(plainContext, 10, Iterations);
    const qint64 defaultMany = measureIterations(plainContext, 5000, Iterations);
    const QByteArray defaultName =
        QAbstractEventDispatcher::instance(&plainThread)->metaObject()->className();
    plainContext->deleteLater();
    plainThread.quit();
    QVERIFY(plainThread.wait(10000));

    qInfo("%d iterations of processEvents(): epoll %lld us with 10 idle socket notifiers, "
          "%lld us with 5000; %s %lld us and %lld us",
          Iterations, epollFew, epollMany, defaultName.constData(), defaultFew, defaultMany);
    QVERIFY(epollFew >= 0 && epollMany >= 0);
}

#else // Q_OS_LINUX

void tst_EpollDispatcher::factoryReturnsNullElsewhere()
{
    QCOMPARE(createEngineEventDispatcher(), nullptr);
}

#endif // Q_OS_LINUX

QTEST_GUILESS_MAIN(tst_EpollDispatcher)
#include "tst_epolldispatcher.moc"
