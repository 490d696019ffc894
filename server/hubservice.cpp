#include "hubservice.h"

#include <QDir>
#include <QLockFile>
#include <QMutexLocker>
#include <QPromise>
#include <QSemaphore>
#include <QThread>
#include <QTimer>

#include "controlserver.h"
#include "epolldispatcher.h"
#include "hub.h"
#include "logging.h"
#include "sqlitestore.h"
#include "store.h"

namespace {

// The engine thread: builds the Hub on itself, so every engine object lives and dies here.
class EngineThread : public QThread
{
public:
    explicit EngineThread(const HubConfig &config)
        : m_config(config)
    {
        setObjectName(QStringLiteral("confab-engine"));
    }

    QSemaphore started;
    QString errorString;
    quint16 port = 0;
    Hub *hub = nullptr;

    std::function<void(Hub *)> onReady; // runs on this thread, before started is released

protected:
    void run() override
    {
        std::unique_ptr<QLockFile> lock;
        if (!lockDataDir(&lock)) {
            started.release();
            return;
        }

        std::unique_ptr<Store> store = openStore();
        if (!store) {
            started.release();
            return;
        }

        Hub engine(m_config, store.release());
        ControlServer control(&engine);
        if (!engine.listen()) {
            errorString = engine.errorString();
            started.release();
            return;
        }
        if (!m_config.dataDir.isEmpty() && !control.listen(m_config.dataDir))
            qCWarning(lcControl).noquote() << control.errorString();

        QObject::connect(&engine, &Hub::drained, this, &QThread::quit, Qt::DirectConnection);
        hub = &engine;
        port = engine.port();
        if (onReady)
            onReady(&engine);
        started.release();

        exec();
        hub = nullptr;
    }

private:
    // confab.db in the data directory, or memory when there is none or persist is off.
    std::unique_ptr<Store> openStore()
    {
        std::unique_ptr<Store> store;
        if (m_config.persist && !m_config.dataDir.isEmpty())
            store = std::make_unique<SqliteStore>(
                QDir(m_config.dataDir).filePath(QStringLiteral("confab.db")),
                m_config.commitIntervalMs);
        else
            store = std::make_unique<MemoryStore>();

        QString error;
        if (!store->open(&error)) {
            errorString = error;
            qCCritical(lcStore).noquote() << error;
            return nullptr;
        }
        return store;
    }

    // Two hubs on one data directory would fight over its control socket (and, later, its
    // database); the lock file makes the second one refuse with a plain message.
    bool lockDataDir(std::unique_ptr<QLockFile> *lock)
    {
        if (m_config.dataDir.isEmpty())
            return true;
        *lock = std::make_unique<QLockFile>(
            QDir(m_config.dataDir).filePath(QStringLiteral("confab.lock")));
        (*lock)->setStaleLockTime(0);
        if ((*lock)->tryLock(100))
            return true;

        qint64 pid = 0;
        QString host, app;
        (*lock)->getLockInfo(&pid, &host, &app);
        errorString = QObject::tr("Another Confab hub (pid %1) is already using the data "
                                  "directory %2")
                          .arg(pid)
                          .arg(m_config.dataDir);
        return false;
    }

    HubConfig m_config;
};

} // namespace

HubService::HubService(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<HubSnapshot>();
    qRegisterMetaType<HubEvent>();
    qRegisterMetaType<QList<HubEvent>>();
    qRegisterMetaType<OperatorResult>();
    qRegisterMetaType<RoomMessageInfo>();
    qRegisterMetaType<QList<RoomMessageInfo>>();
    qRegisterMetaType<HistoryPage>();
    qRegisterMetaType<QList<AuditEntry>>();
}

HubService::~HubService()
{
    stop();
}

bool HubService::start(const HubConfig &config)
{
    if (isRunning()) {
        m_errorString = tr("the hub is already running");
        return false;
    }

    auto *thread = new EngineThread(config);
    if (QAbstractEventDispatcher *dispatcher = createEngineEventDispatcher())
        thread->setEventDispatcher(dispatcher);

    thread->onReady = [this](Hub *hub) {
        connect(hub, &Hub::eventsOccurred, this, &HubService::eventsOccurred);
        connect(hub, &Hub::roomMessagesArrived, this, &HubService::roomMessagesArrived);
        {
            QMutexLocker locker(&m_mutex);
            hub->setRoomFeedEnabled(m_roomFeedEnabled);
        }
        auto *timer = new QTimer(hub);
        connect(timer, &QTimer::timeout, hub, [this, hub] { publishSnapshot(hub); });
        m_snapshotTimer = timer;
        applySnapshotInterval();
    };

    thread->start();
    thread->started.acquire();

    QMutexLocker locker(&m_mutex);
    if (!thread->hub) {
        m_errorString = thread->errorString;
        locker.unlock();
        thread->wait();
        delete thread;
        return false;
    }

    m_thread = thread;
    m_hub = thread->hub;
    m_config = config;
    m_port = thread->port;
    m_errorString.clear();
    return true;
}

void HubService::stop(int waitMs)
{
    if (!m_thread)
        return;

    if (m_hub)
        QMetaObject::invokeMethod(m_hub, &Hub::shutdown, Qt::QueuedConnection);
    if (!m_thread->wait(waitMs)) {
        qCWarning(lcHub) << "engine thread did not stop within" << waitMs << "ms; forcing";
        m_thread->quit();
        m_thread->wait();
    }

    delete m_thread;
    {
        QMutexLocker locker(&m_mutex);
        m_thread = nullptr;
        m_hub = nullptr;
        m_snapshotTimer = nullptr;
        m_latest.running = false;
    }
    emit stopped();
}

bool HubService::isRunning() const
{
    QMutexLocker locker(&m_mutex);
    return m_thread && m_thread->isRunning();
}

QString HubService::errorString() const
{
    QMutexLocker locker(&m_mutex);
    return m_errorString;
}

quint16 HubService::port() const
{
    QMutexLocker locker(&m_mutex);
    return m_port;
}

HubConfig HubService::config() const
{
    QMutexLocker locker(&m_mutex);
    return m_config;
}

void HubService::setSnapshotInterval(int ms)
{
    {
        QMutexLocker locker(&m_mutex);
        m_snapshotIntervalMs = ms;
    }
    applySnapshotInterval();
}

void HubService::setRoomFeedEnabled(bool enabled)
{
    QMutexLocker locker(&m_mutex);
    m_roomFeedEnabled = enabled;
    QPointer<Hub> hub = m_hub;
    locker.unlock();
    if (hub)
        QMetaObject::invokeMethod(hub, [hub, enabled] {
            if (hub)
                hub->setRoomFeedEnabled(enabled);
        });
}

void HubService::applySnapshotInterval()
{
    QMutexLocker locker(&m_mutex);
    QTimer *timer = m_snapshotTimer;
    const int ms = m_snapshotIntervalMs;
    locker.unlock();
    if (!timer)
        return;

    QMetaObject::invokeMethod(timer, [timer, ms] {
        if (ms > 0)
            timer->start(ms);
        else
            timer->stop();
    });
}

void HubService::publishSnapshot(Hub *hub)
{
    const HubSnapshot snapshot = hub->takeSnapshot();
    {
        QMutexLocker locker(&m_mutex);
        m_latest = snapshot;
    }
    emit snapshotUpdated(snapshot);
}

HubSnapshot HubService::latestSnapshot() const
{
    QMutexLocker locker(&m_mutex);
    return m_latest;
}

template<typename Result, typename Call>
QFuture<Result> HubService::queue(Call call, Result whenStopped)
{
    auto promise = std::make_shared<QPromise<Result>>();
    QFuture<Result> future = promise->future();
    promise->start();

    QMutexLocker locker(&m_mutex);
    QPointer<Hub> hub = m_hub;
    locker.unlock();
    const bool queued = hub
                        && QMetaObject::invokeMethod(
                            hub.data(),
                            [hub, promise, call] {
                                promise->addResult(call(hub.data()));
                                promise->finish();
                            },
                            Qt::QueuedConnection);
    if (!queued) {
        promise->addResult(whenStopped);
        promise->finish();
    }
    return future;
}

namespace {

OperatorResult notRunning()
{
    return OperatorResult::failure(QStringLiteral("hub_stopped"), QObject::tr("the hub is not "
                                                                              "running"));
}

} // namespace

QFuture<HubSnapshot> HubService::snapshot()
{
    return queue([](Hub *hub) { return hub->takeSnapshot(); }, HubSnapshot());
}

QFuture<OperatorResult> HubService::kickConnection(quint64 connection, const QString &reason,
                                                   const QString &by)
{
    return queue([=](Hub *hub) { return hub->kickConnection(connection, reason, by); },
                 notRunning());
}

QFuture<OperatorResult> HubService::kickUser(const QString &user, const QString &reason,
                                             const QString &by)
{
    return queue([=](Hub *hub) { return hub->kickUser(user, reason, by); }, notRunning());
}

QFuture<OperatorResult> HubService::broadcast(const QString &text, const QString &room,
                                              const QString &by)
{
    return queue([=](Hub *hub) { return hub->broadcast(text, room, by); }, notRunning());
}

QFuture<OperatorResult> HubService::createRoom(const QString &room, const QString &topic,
                                               const QString &by)
{
    return queue([=](Hub *hub) { return hub->createRoom(room, topic, by); }, notRunning());
}

QFuture<OperatorResult> HubService::deleteRoom(const QString &room, const QString &by)
{
    return queue([=](Hub *hub) { return hub->deleteRoom(room, by); }, notRunning());
}

QFuture<OperatorResult> HubService::setTopic(const QString &room, const QString &topic,
                                             const QString &by)
{
    return queue([=](Hub *hub) { return hub->setTopic(room, topic, by); }, notRunning());
}

QFuture<OperatorResult> HubService::ban(const BanRequest &request, const QString &by)
{
    return queue([=](Hub *hub) { return hub->ban(request, by); }, notRunning());
}

QFuture<OperatorResult> HubService::unban(qint64 id, const QString &by)
{
    return queue([=](Hub *hub) { return hub->unban(id, by); }, notRunning());
}

QFuture<OperatorResult> HubService::unbanTarget(bool address, const QString &target,
                                                const QString &by)
{
    return queue([=](Hub *hub) { return hub->unbanTarget(address, target, by); }, notRunning());
}

QFuture<OperatorResult> HubService::mute(const MuteRequest &request, const QString &by)
{
    return queue([=](Hub *hub) { return hub->mute(request, by); }, notRunning());
}

QFuture<OperatorResult> HubService::unmute(const QString &user, const QString &room,
                                           const QString &by)
{
    return queue([=](Hub *hub) { return hub->unmute(user, room, by); }, notRunning());
}

QFuture<OperatorResult> HubService::setRoomSettings(const QString &room,
                                                    const RoomSettingsChange &change,
                                                    const QString &by)
{
    return queue([=](Hub *hub) { return hub->setRoomSettings(room, change, by); }, notRunning());
}

QFuture<OperatorResult> HubService::deleteMessage(const QString &room, quint64 seq,
                                                  const QString &reason, const QString &by)
{
    return queue([=](Hub *hub) { return hub->deleteMessage(room, seq, reason, by); }, notRunning());
}

QFuture<HistoryPage> HubService::history(const QString &room, quint64 before, quint64 after,
                                         int limit)
{
    HistoryPage stopped;
    stopped.error = QStringLiteral("hub_stopped");
    stopped.message = tr("the hub is not running");
    return queue([=](Hub *hub) { return hub->history(room, before, after, limit); }, stopped);
}

QFuture<QList<AuditEntry>> HubService::audit(const AuditFilter &filter)
{
    return queue([=](Hub *hub) { return hub->audit(filter); }, QList<AuditEntry>());
}
