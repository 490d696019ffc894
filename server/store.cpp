#include "store.h"

#include <QCryptographicHash>
#include <QRandomGenerator>

namespace {

constexpr int MaxMemoryAudit = 10000; // the oldest go first; SqliteStore keeps them all

QByteArray randomHex(int bytes)
{
    QByteArray raw(bytes, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(raw.data()), bytes / 4);
    return raw.toHex();
}

QByteArray digest(const QByteArray &salt, const QString &password)
{
    const QByteArray salted = salt + password.toUtf8();
    return QCryptographicHash::hash(salted, QCryptographicHash::Sha256).toHex();
}

} // namespace

QString Store::hashPassword(const QString &password)
{
    const QByteArray salt = randomHex(16);
    const QByteArray hash = salt + '$' + digest(salt, password);
    return QString::fromLatin1(hash);
}

bool Store::checkPassword(const QString &password, const QString &hash)
{
    const QByteArray stored = hash.toLatin1();
    const qsizetype dollar = stored.indexOf('$');
    if (dollar < 0)
        return false;

    // Compared in full whatever differs, so the time taken says nothing about the password.
    const QByteArray expected = stored.mid(dollar + 1);
    const QByteArray actual = digest(stored.left(dollar), password);
    if (expected.size() != actual.size())
        return false;
    char difference = 0;
    for (qsizetype i = 0; i < actual.size(); ++i)
        difference |= char(expected.at(i) ^ actual.at(i));
    return difference == 0;
}

QString Store::newEpoch()
{
    return QString::fromLatin1(randomHex(8));
}

bool auditMatches(const AuditEntry &entry, const AuditFilter &filter)
{
    if (!filter.actor.isEmpty() && entry.actor.compare(filter.actor, Qt::CaseInsensitive) != 0)
        return false;
    if (!filter.action.isEmpty() && entry.action.compare(filter.action, Qt::CaseInsensitive) != 0)
        return false;
    if (!filter.target.isEmpty() && !entry.target.contains(filter.target, Qt::CaseInsensitive))
        return false;
    return !filter.since.isValid() || entry.ts >= filter.since;
}

bool MemoryStore::open(QString *)
{
    return true;
}

void MemoryStore::append(ChatMessage message, Accepted accepted)
{
    RoomLog &log = m_rooms[message.roomKey];
    message.seq = ++log.lastSeq;
    log.messages.append(message);
    trim(log, message.ts);
    accepted(message);
}

void MemoryStore::trim(RoomLog &log, const QDateTime &now)
{
    if (m_retention.maxMessagesPerRoom > 0) {
        const qsizetype over = log.messages.size() - m_retention.maxMessagesPerRoom;
        if (over > 0)
            log.messages.remove(0, over);
    }
    if (m_retention.maxAgeDays > 0) {
        const QDateTime oldest = now.addDays(-m_retention.maxAgeDays);
        qsizetype expired = 0;
        while (expired < log.messages.size() && log.messages.at(expired).ts < oldest)
            ++expired;
        log.messages.remove(0, expired);
    }
}

QList<ChatMessage> MemoryStore::messages(const QString &roomKey, quint64 after, quint64 before,
                                         int limit, bool newest)
{
    QList<ChatMessage> found;
    const QList<ChatMessage> &kept = m_rooms.value(roomKey).messages;
    for (const ChatMessage &message : kept) {
        if (message.seq > after && (before == 0 || message.seq < before))
            found.append(message);
    }
    if (limit <= 0)
        return {};
    if (found.size() > limit)
        found = newest ? found.mid(found.size() - limit) : found.first(limit);
    return found;
}

quint64 MemoryStore::oldestSeq(const QString &roomKey)
{
    const QList<ChatMessage> &kept = m_rooms.value(roomKey).messages;
    return kept.isEmpty() ? 0 : kept.first().seq;
}

bool MemoryStore::deleteMessage(const QString &roomKey, quint64 seq)
{
    auto log = m_rooms.find(roomKey);
    if (log == m_rooms.end())
        return false;
    for (ChatMessage &message : log->messages) {
        if (message.seq == seq && !message.deleted) {
            message.deleted = true;
            message.from.clear();
            message.text.clear();
            return true;
        }
    }
    return false;
}

void MemoryStore::saveRoom(const RoomRecord &room)
{
    RoomLog &log = m_rooms[room.key];
    log.lastSeq = qMax(log.lastSeq, room.lastSeq);
}

void MemoryStore::dropRoom(const QString &roomKey)
{
    m_rooms.remove(roomKey);
}

qint64 MemoryStore::addDirectMessage(const DirectMessage &message)
{
    DirectMessage kept = message;
    kept.id = m_nextId++;
    if (!kept.pending.isEmpty()) // only undelivered ones are ever read back here
        m_directMessages.append(kept);
    return kept.id;
}

QList<DirectMessage> MemoryStore::pendingFor(const QString &userKey)
{
    QList<DirectMessage> found;
    for (const DirectMessage &message : std::as_const(m_directMessages)) {
        if (message.pending.contains(userKey))
            found.append(message);
    }
    return found;
}

void MemoryStore::markDelivered(qint64 id, const QString &userKey)
{
    for (auto it = m_directMessages.begin(); it != m_directMessages.end(); ++it) {
        if (it->id != id)
            continue;
        it->pending.removeAll(userKey);
        if (it->pending.isEmpty())
            m_directMessages.erase(it);
        return;
    }
}

qint64 MemoryStore::addAudit(const AuditEntry &entry)
{
    AuditEntry kept = entry;
    kept.id = m_nextId++;
    m_audit.append(kept);
    if (m_audit.size() > MaxMemoryAudit)
        m_audit.removeFirst();
    return kept.id;
}

QList<AuditEntry> MemoryStore::audit(const AuditFilter &filter)
{
    QList<AuditEntry> found;
    for (auto it = m_audit.crbegin(); it != m_audit.crend() && found.size() < filter.limit; ++it) {
        if (auditMatches(*it, filter))
            found.append(*it);
    }
    return found;
}

void MemoryStore::prune(const QDateTime &now)
{
    for (RoomLog &log : m_rooms)
        trim(log, now);

    if (m_retention.maxAgeDays > 0) {
        const QDateTime oldest = now.addDays(-m_retention.maxAgeDays);
        m_directMessages.removeIf([&](const DirectMessage &m) { return m.ts < oldest; });
    }
}
