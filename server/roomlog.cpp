#include "roomlog.h"

void MemoryRoomLog::append(ChatMessage message, Accepted accepted)
{
    message.seq = ++m_lastSeq[message.roomKey];
    accepted(message);
}

quint64 MemoryRoomLog::lastSeq(const QString &roomKey) const
{
    return m_lastSeq.value(roomKey);
}

void MemoryRoomLog::dropRoom(const QString &roomKey)
{
    m_lastSeq.remove(roomKey);
}
