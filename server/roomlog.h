#pragma once

#include <functional>

#include <QDateTime>
#include <QHash>
#include <QString>

// A room message as the hub accepted it.
struct ChatMessage
{
    QString roomKey;
    quint64 seq = 0;
    QString from;
    QString text;
    QDateTime ts;
};

// Numbers and keeps room messages. The hub asks it for a seq before it acks or fans out a
// message, so a persistent log (written before the ack) or a cluster-wide sequencer (over
// Redis) can take its place without changing the hub.
//
// Contract: append() assigns seq = last seq of the room + 1 and calls accepted on the engine
// thread once the message may be acknowledged and delivered: at once here, later for a log
// that must write first. For one room, accepted is called in seq order.
class RoomLog
{
public:
    using Accepted = std::function<void(const ChatMessage &)>;

    virtual ~RoomLog() = default;

    virtual void append(ChatMessage message, Accepted accepted) = 0;
    virtual quint64 lastSeq(const QString &roomKey) const = 0;

    // A deleted room's numbering ends with it; a room of the same name starts again at 1.
    virtual void dropRoom(const QString &roomKey) = 0;
};

// Numbering only, kept in memory: the default until persistence lands.
// Known limitation: history is not kept, so a restart starts every room again at seq 1 and
// clients cannot fetch what they missed.
class MemoryRoomLog : public RoomLog
{
public:
    void append(ChatMessage message, Accepted accepted) override;
    quint64 lastSeq(const QString &roomKey) const override;
    void dropRoom(const QString &roomKey) override;

private:
    QHash<QString, quint64> m_lastSeq;
};
