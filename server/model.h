#pragma once

#include <deque>
#include <optional>
#include <vector>

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QMap>
#include <QString>
#include <QStringList>

struct Link;
struct Room;
struct User;

// A set with O(1) insert, remove and contains, iterated as a dense vector: fan-out walks it
// for every message, joins and leaves in big rooms touch it once each.
template<typename T>
class IndexedSet
{
public:
    bool insert(T item)
    {
        if (m_index.contains(item))
            return false;
        m_index.insert(item, m_items.size());
        m_items.push_back(item);
        return true;
    }

    bool remove(T item)
    {
        const auto found = m_index.constFind(item);
        if (found == m_index.constEnd())
            return false;

        const size_t slot = found.value();
        m_index.erase(found);
        if (slot + 1 != m_items.size()) {
            m_items[slot] = m_items.back();
            m_index[m_items[slot]] = slot;
        }
        m_items.pop_back();
        return true;
    }

    bool contains(const T &item) const { return m_index.contains(item); }
    void clear()
    {
        m_items.clear();
        m_index.clear();
    }
    size_t size() const { return m_items.size(); }
    bool isEmpty() const { return m_items.empty(); }
    auto begin() const { return m_items.begin(); }
    auto end() const { return m_items.end(); }
    const std::vector<T> &items() const { return m_items; }

private:
    std::vector<T> m_items;
    QHash<T, size_t> m_index;
};

// One WebSocket. Owned by the Hub; the UI only ever sees a ConnectionInfo copy.
struct Connection
{
    enum class State { AwaitingHello, Active, Closing };

    quint64 id = 0;
    State state = State::AwaitingHello;
    Link *link = nullptr; // the transport's side of it; frames are queued there

    QString peer;
    QString address; // the peer's IP address alone, IPv4-mapped addresses as plain IPv4
    QDateTime connectedAt;
    QDateTime lastActivity;
    qint64 lastInboundMs = 0; // any frame, pongs included
    qint64 lastPingMs = 0;
    qint64 closingSinceMs = 0;

    User *user = nullptr;
    QString device;
    IndexedSet<Room *> rooms;

    // Answers held back so that they go out in the order their frames came: a say's ack waits
    // for its commit, and an answer to a later frame waits behind it. nullopt marks an answer
    // still waiting for the store (Hub::holdAnswers, Hub::releaseAnswer).
    std::deque<std::optional<QByteArray>> held;
    bool overBound = false; // a slow consumer waiting for its 4008 close
    quint64 mark = 0; // de-duplicates recipients within one delivery

    quint64 messagesIn = 0;
    quint64 messagesOut = 0;
    quint64 bytesIn = 0;
    quint64 bytesOut = 0;
};

// A claimed name, with or without connections. The claim (name and token) outlives the last
// connection by HubConfig::nameRetentionDays and survives a restart through the store, so
// status survives a reconnect and the console can show "last seen". Records whose claim has
// lapsed are dropped by the hub's prune pass.
struct User
{
    QString name; // as first claimed
    QString key; // Protocol::nameKey(name)
    QString token; // proves the claim; empty once it lapsed (name_retention_days = 0)
    QString status = QStringLiteral("online"); // what the user last chose
    QDateTime lastSeen;
    IndexedSet<Connection *> connections;

    bool isOnline() const { return !connections.isEmpty(); }
    QString presence() const { return isOnline() ? status : QStringLiteral("offline"); }
};

struct Room
{
    QString name;
    QString key;
    QString topic;
    quint64 lastSeq = 0; // the last seq accepted (durable, acked and fanned out)
    QString epoch;
    QDateTime createdAt;

    int maxMembers = 0;
    bool locked = false;
    int slowModeS = 0;
    QString passwordHash;
    QHash<QString, qint64> lastSayMs; // slow mode: user key -> monotonic ms of their last say

    IndexedSet<Connection *> connections; // fan-out list
    QHash<User *, int> members; // user -> how many of their connections are in the room
    QMap<QString, User *> membersByKey; // the same users in name-key order, for member pages

    // Coalesced membership changes for rooms above HubConfig::coalesceAbove.
    // Name -> order of arrival. Hashes, not lists: a mass leave from a big room takes each name
    // out of pendingJoined, which a list made quadratic.
    QHash<QString, quint64> pendingJoined;
    QHash<QString, quint64> pendingLeft;
    quint64 pendingOrder = 0;

    quint64 messagesSinceTick = 0;
    double messagesPerSecond = 0;
};
