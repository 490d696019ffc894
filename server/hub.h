#pragma once

#include <memory>
#include <vector>

#include <QHash>
#include <QList>
#include <QObject>

#include "hubconfig.h"
#include "model.h"
#include "protocol.h"
#include "snapshot.h"
#include "store.h"
#include "transport.h"
#include "wsframe.h"

class QTimer;

// The chat hub: connections, users, rooms, presence and delivery, on one thread. Everything
// here runs on the thread the Hub lives on; other threads use HubService.
class Hub
    : public QObject
    , private Transport::Handler
{
    Q_OBJECT

public:
    // Takes ownership of store, which must be open; null means a MemoryStore.
    explicit Hub(const HubConfig &config, Store *store = nullptr, QObject *parent = nullptr);
    ~Hub() override;

    bool listen();
    QString errorString() const;
    quint16 port() const;
    QList<QHostAddress> listenAddresses() const;
    const HubConfig &config() const { return m_config; }

    // Stops accepting and closes every client with 1001; drained() follows once all are gone
    // or after a short grace period.
    void shutdown();
    bool isShuttingDown() const { return m_shuttingDown; }

    HubSnapshot takeSnapshot() const;

    // Room messages for the console's live view, batched with the events. Off by default:
    // a headless hub has no one to show them to.
    void setRoomFeedEnabled(bool enabled);
    static constexpr int MaxFeedPerRoom = 200;
    static constexpr int PairingLifetimeS = 300;

    // Operator commands (operator.cpp, moderation.cpp). `by` is the operator name shown to
    // clients and written in the audit log; empty means the configured one.
    OperatorResult kickConnection(quint64 id, const QString &reason, const QString &by = {});
    QString connectionUser(quint64 id) const; // empty before hello or when there is none
    OperatorResult kickUser(const QString &user, const QString &reason, const QString &by = {});
    OperatorResult broadcast(const QString &text, const QString &room = {}, const QString &by = {});
    OperatorResult createRoom(const QString &room, const QString &topic = {},
                              const QString &by = {});
    OperatorResult deleteRoom(const QString &room, const QString &by = {});
    OperatorResult setTopic(const QString &room, const QString &topic, const QString &by = {});

    OperatorResult ban(const BanRequest &request, const QString &by = {});
    OperatorResult unban(qint64 id, const QString &by = {});
    OperatorResult unbanTarget(bool address, const QString &target, const QString &by = {});
    OperatorResult mute(const MuteRequest &request, const QString &by = {});
    OperatorResult unmute(const QString &user, const QString &room, const QString &by = {});
    OperatorResult setRoomSettings(const QString &room, const RoomSettingsChange &change,
                                   const QString &by = {});
    OperatorResult deleteMessage(const QString &room, quint64 seq, const QString &reason = {},
                                 const QString &by = {});

    HistoryPage history(const QString &room, quint64 before, quint64 after, int limit);
    QList<AuditEntry> audit(const AuditFilter &filter);

    // Caps on what one frame carries, so no client meets a frame past its own size limit.
    static constexpr int MaxHistoryLimit = Protocol::MaxHistoryLimit;
    static constexpr int MaxRecovery = 1000; // join {since}: more missed than this is refused
    static constexpr int MaxListBytes = 512 * 1024; // encoded messages in one frame

signals:
    void eventsOccurred(const QList<HubEvent> &events);
    void roomMessagesArrived(const QList<RoomMessageInfo> &messages);
    void drained();

private:
    // The transport's calls (hub.cpp)
    HttpAnswer answerRequest(const HttpRequest &request) override;
    void linkOpened(Link *link) override;
    void textReceived(Link *link, const QByteArray &utf8) override;
    void binaryReceived(Link *link, const QByteArray &data) override;
    void pongReceived(Link *link) override;
    void queueOverflowed(Link *link) override;
    void linkClosed(Link *link, quint16 code) override;

    // Connection lifecycle (hub.cpp)
    void handleDisconnected(Connection *connection, quint16 code);
    void closeConnection(Connection *connection, quint16 code, const QString &reason);
    void detach(Connection *connection);
    void tick();
    void checkHeartbeat(Connection *connection, qint64 now);
    void updateRates(qint64 now);
    void flushEvents();
    void record(HubEvent::Kind kind, const Connection *connection, const QString &room,
                const QString &detail);
    QString operatorName(const QString &by) const;

    // Client frames (session.cpp)
    void handleText(Connection *connection, const QByteArray &utf8);
    void handleBinary(Connection *connection, const QByteArray &data);
    void dispatch(Connection *connection, const Protocol::ClientFrame &frame);
    void rejectFrame(Connection *connection, const QString &code, const QString &message,
                     const QJsonValue &ref);
    void refuseHello(Connection *connection, const QString &code, const QString &message,
                     quint16 closeCode);
    void handleHello(Connection *connection, const Protocol::ClientFrame &frame);
    void admit(Connection *connection, User *user, const QString &device);
    void takeOver(Connection *connection, Connection *previous);
    void handleJoin(Connection *connection, const Protocol::ClientFrame &frame);
    void handleLeave(Connection *connection, const Protocol::ClientFrame &frame);
    void handleSay(Connection *connection, const Protocol::ClientFrame &frame);
    void deliverAccepted(Connection *sender, const ChatMessage &accepted, const QJsonValue &cid);
    void handleDm(Connection *connection, const Protocol::ClientFrame &frame);
    void handleMulticast(Connection *connection, const Protocol::ClientFrame &frame);
    bool isKnown(const User *user) const;
    void sendPrivately(Connection *sender, const QList<User *> &targets, DirectMessage message,
                       const QJsonValue &cid);
    QJsonObject privateFrame(const DirectMessage &message, bool stored) const;
    void handleStatus(Connection *connection, const Protocol::ClientFrame &frame);
    void handleTyping(Connection *connection, const Protocol::ClientFrame &frame);
    void handleRooms(Connection *connection);
    void handleWho(Connection *connection, const Protocol::ClientFrame &frame);
    void handlePair(Connection *connection);
    User *redeemPairing(const QString &code);
    QString pairingHost(const Connection *connection) const;

    // History, recovery and stored dms (history.cpp)
    void loadState();
    RoomRecord roomRecord(const Room *room) const;
    void saveRoom(const Room *room);
    void saveUser(const User *user);
    // Entries of at most MaxListBytes; fromEnd keeps the newest when it must cut.
    QJsonArray historyEntries(const QList<ChatMessage> &messages, bool fromEnd, bool *cut) const;
    void sendRecovery(Connection *connection, Room *room, quint64 seq, const QString &epoch);
    void handleHistory(Connection *connection, const Protocol::ClientFrame &frame);
    void deliverStored(Connection *connection);
    bool claimLapsed(const QDateTime &lastSeen, const QDateTime &now) const;
    QList<ChatMessage> pageOf(const Room *room, quint64 before, quint64 after, int limit,
                              bool oldestFirst, bool *more);
    void pruneState();

    // Moderation (moderation.cpp)
    bool refuseBannedAddress(Connection *connection);
    const BanRecord *userBan(const QString &userKey) const;
    void closeBanned(Connection *connection, const BanRecord &ban);
    const MuteRecord *muteFor(const User *user, const Room *room) const; // room null: hub-wide
    bool refuseMuted(Connection *connection, const Room *room, const QJsonValue &ref);
    bool refuseSlowMode(Connection *connection, Room *room, const QJsonValue &ref);
    bool refuseJoin(Connection *connection, const Room *room, const Protocol::ClientFrame &frame);
    void kickOne(Connection *connection, const QString &why, const QString &by);
    void expireModeration(const QDateTime &now);
    void notifyUnmuted(const MuteRecord &mute);
    void audit(const QString &action, const QString &by, const QString &target, const QString &room,
               const QString &reason, const QString &detail, const QList<quint64> &connections = {},
               const QDateTime &until = {});
    QString impact(const std::vector<Connection *> &connections) const;
    enum class Noun { Connection, Room, Member, Delivery };
    static QString countText(int count, Noun noun);

    // Rooms and presence (rooms.cpp)
    Room *findRoom(const QString &name) const;
    Room *addRoom(const QString &name, const QString &topic);
    QJsonObject roomSettings(const Room *room) const;
    void enterRoom(Connection *connection, Room *room);
    void exitRoom(Connection *connection, Room *room);
    void memberJoined(Room *room, User *user);
    void memberLeft(Room *room, User *user);
    void flushMemberChanges(Room *room);
    QJsonObject joinedFrame(const Room *room) const;
    QJsonArray memberList(const Room *room, const QString &after, QString *next) const;
    void announcePresence(User *user);
    User *findUser(const QString &name) const;

    // Answers in frame order (delivery.cpp)
    void holdAnswers(Connection *connection);
    void releaseAnswer(Connection *connection);
    void flushHeld(Connection *connection);

    // Delivery (delivery.cpp)
    // shared: the same frame already in the transport's store, when it goes to many.
    void send(Connection *connection, const QByteArray &wireFrame, bool isDelivery = false,
              const Slice *shared = nullptr);
    void sendJson(Connection *connection, const QJsonObject &frame);
    void sendToRoom(Room *room, const QJsonObject &frame, const User *except = nullptr);
    // Sends once to each connection; connections already carrying `mark` are skipped.
    void sendToConnections(const std::vector<Connection *> &connections,
                           const QByteArray &wireFrame, bool isDelivery, quint64 mark = 0);
    void sendToAll(const QJsonObject &frame, bool isDelivery);
    quint64 nextMark() { return ++m_mark; }
    void scheduleSlowConsumerCloses();
    void closeSlowConsumers();
    qint64 queuedBytes(const Connection *connection) const;

    HubConfig m_config;
    std::unique_ptr<Store> m_store;
    Transport *m_transport;
    QTimer *m_tickTimer;
    QTimer *m_eventTimer;
    QString m_errorString;
    bool m_shuttingDown = false;

    quint64 m_nextConnectionId = 1;
    QHash<quint64, Connection *> m_connections;
    QHash<QString, User *> m_users; // by name key
    QHash<QString, Room *> m_rooms; // by name key
    QHash<QString, BanRecord> m_userBans; // by name key
    QHash<QString, BanRecord> m_addressBans; // by address
    QHash<QString, QList<MuteRecord>> m_mutes; // by user name key
    qint64 m_lastPruneMs = 0;

    std::vector<quint64> m_slowConsumers; // to close with 4008 after the current delivery
    bool m_slowClosesScheduled = false;
    Connection *m_answering = nullptr; // the connection whose frame is being handled
    quint64 m_mark = 0;

    HubTotals m_totals;
    HubTotals m_totalsAtLastTick;
    qint64 m_lastTickMs = 0;

    struct Pairing
    {
        QString userKey;
        qint64 expiresMs = 0;
    };
    QHash<QString, Pairing> m_pairings; // single-use codes from `pair`, by code

    QList<HubEvent> m_events;
    int m_eventsDropped = 0;

    bool m_feedEnabled = false;
    QHash<QString, QList<RoomMessageInfo>> m_feed; // by room key, newest last
    void feed(const Room *room, const ChatMessage &message);
};
