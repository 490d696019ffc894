#pragma once

#include <QFuture>
#include <QMutex>
#include <QObject>
#include <QPointer>

#include "hubconfig.h"
#include "snapshot.h"

class Hub;
class QThread;
class QTimer;

// Runs a Hub on its own named thread and is the only way other threads talk to it. Every call
// here is safe from any thread; operator commands are queued to the engine thread and answer
// through a QFuture, so the caller never blocks on a busy hub.
//
// Follows the QWebSocketServer idiom: start() returns false and errorString() says why.
class HubService : public QObject
{
    Q_OBJECT

public:
    explicit HubService(QObject *parent = nullptr);
    ~HubService() override;

    // Starts the engine thread and listens. Blocks until the hub listens or has failed.
    bool start(const HubConfig &config);

    // Closes every client with 1001 and stops the thread, waiting at most waitMs.
    void stop(int waitMs = 3000);

    bool isRunning() const;
    QString errorString() const;
    quint16 port() const; // the real port, also when 0 was asked for
    HubConfig config() const;

    // How often snapshotUpdated is emitted; 0 switches periodic snapshots off (the default).
    void setSnapshotInterval(int ms);

    // Turns on roomMessagesArrived (off by default).
    void setRoomFeedEnabled(bool enabled);

    // The latest periodic snapshot (empty before the first one).
    HubSnapshot latestSnapshot() const;

    // A snapshot taken now, on the engine thread.
    QFuture<HubSnapshot> snapshot();

    // Operator commands. `by` is the name the action is done and audited under; empty means
    // the configured operator name.
    QFuture<OperatorResult> kickConnection(quint64 connection, const QString &reason,
                                           const QString &by = {});
    QFuture<OperatorResult> kickUser(const QString &user, const QString &reason,
                                     const QString &by = {});
    QFuture<OperatorResult> broadcast(const QString &text, const QString &room = {},
                                      const QString &by = {});
    QFuture<OperatorResult> createRoom(const QString &room, const QString &topic = {},
                                       const QString &by = {});
    QFuture<OperatorResult> deleteRoom(const QString &room, const QString &by = {});
    QFuture<OperatorResult> setTopic(const QString &room, const QString &topic,
                                     const QString &by = {});

    // Moderation. affected is the number of connections closed (ban) or touched.
    QFuture<OperatorResult> ban(const BanRequest &request, const QString &by = {});
    QFuture<OperatorResult> unban(qint64 id, const QString &by = {});
    QFuture<OperatorResult> unbanTarget(bool address, const QString &target,
                                        const QString &by = {});
    QFuture<OperatorResult> mute(const MuteRequest &request, const QString &by = {});
    QFuture<OperatorResult> unmute(const QString &user, const QString &room,
                                   const QString &by = {});
    QFuture<OperatorResult> setRoomSettings(const QString &room, const RoomSettingsChange &change,
                                            const QString &by = {});
    QFuture<OperatorResult> deleteMessage(const QString &room, quint64 seq,
                                          const QString &reason = {}, const QString &by = {});

    // Reading the kept state. before/after 0: no bound; with neither, the newest page.
    QFuture<HistoryPage> history(const QString &room, quint64 before, quint64 after, int limit);
    QFuture<QList<AuditEntry>> audit(const AuditFilter &filter);

signals:
    void snapshotUpdated(const HubSnapshot &snapshot);
    void eventsOccurred(const QList<HubEvent> &events);
    // Batched a few times per second; at most Hub::MaxFeedPerRoom per room per batch.
    void roomMessagesArrived(const QList<RoomMessageInfo> &messages);
    void stopped();

private:
    template<typename Result, typename Call>
    QFuture<Result> queue(Call call, Result whenStopped);
    void applySnapshotInterval();
    void publishSnapshot(Hub *hub);

    mutable QMutex m_mutex;
    QThread *m_thread = nullptr;
    QPointer<Hub> m_hub;
    QPointer<QTimer> m_snapshotTimer; // lives on the engine thread
    HubConfig m_config;
    QString m_errorString;
    quint16 m_port = 0;
    HubSnapshot m_latest;
    int m_snapshotIntervalMs = 0;
    bool m_roomFeedEnabled = false;
};
