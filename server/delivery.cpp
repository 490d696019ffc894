// Delivery: every frame for a connection goes through send(), which enforces the outbound
// bound; the transport writes it with the rest of that connection's frames once per loop
// iteration.
#include <QTimer>

#include "hub.h"
#include "logging.h"
#include "wsframe.h"

using namespace Protocol;

qint64 Hub::queuedBytes(const Connection *connection) const
{
    return connection->link->queuedBytes;
}

void Hub::send(Connection *connection, const QByteArray &wireFrame, bool isDelivery,
               const Slice *shared)
{
    if (connection->state == Connection::State::Closing || connection->overBound)
        return;
    if (connection == m_answering && !connection->held.empty()) {
        connection->held.push_back(wireFrame); // behind an answer that waits for the store
        return;
    }

    if (queuedBytes(connection) + wireFrame.size() > m_config.maxOutboundBytes) {
        // Closing now would change the room lists a fan-out may be walking; the close waits
        // for the end of this delivery, and nothing more is queued meanwhile.
        connection->overBound = true;
        m_slowConsumers.push_back(connection->id);
        scheduleSlowConsumerCloses();
        return;
    }

    if (shared)
        m_transport->queue(connection->link, *shared);
    else
        m_transport->queue(connection->link, wireFrame);
    ++connection->messagesOut;
    connection->bytesOut += wireFrame.size();
    ++m_totals.messagesOut;
    m_totals.bytesOut += wireFrame.size();
    if (isDelivery)
        ++m_totals.deliveries;
}

// A frame whose answer comes from the store (a say's ack, a dm's): what this connection is
// answered meanwhile waits behind it, so answers keep the order of the frames.
void Hub::holdAnswers(Connection *connection)
{
    connection->held.push_back(std::nullopt);
}

// The store's answer has come: it goes first (the caller sends it next), then what waited.
void Hub::releaseAnswer(Connection *connection)
{
    if (!connection->held.empty() && !connection->held.front())
        connection->held.pop_front();
}

void Hub::flushHeld(Connection *connection)
{
    while (!connection->held.empty() && connection->held.front()) {
        const QByteArray frame = *connection->held.front();
        connection->held.pop_front();
        send(connection, frame);
    }
}

void Hub::sendJson(Connection *connection, const QJsonObject &frame)
{
    send(connection, WsFrame::text(encode(frame)));
}

void Hub::sendToConnections(const std::vector<Connection *> &connections,
                            const QByteArray &wireFrame, bool isDelivery, quint64 mark)
{
    if (mark == 0)
        mark = nextMark();
    const Slice shared = m_transport->share(wireFrame); // one copy for every recipient
    for (Connection *connection : connections) {
        if (connection->mark == mark)
            continue;
        connection->mark = mark;
        send(connection, wireFrame, isDelivery, &shared);
    }
}

void Hub::sendToRoom(Room *room, const QJsonObject &frame, const User *except)
{
    const QByteArray wire = WsFrame::text(encode(frame));
    const Slice shared = m_transport->share(wire);
    for (Connection *connection : room->connections) {
        if (connection->user != except)
            send(connection, wire, false, &shared);
    }
}

void Hub::sendToAll(const QJsonObject &frame, bool isDelivery)
{
    const QByteArray wire = WsFrame::text(encode(frame));
    const Slice shared = m_transport->share(wire);
    for (Connection *connection : std::as_const(m_connections)) {
        if (connection->state == Connection::State::Active)
            send(connection, wire, isDelivery, &shared);
    }
}

void Hub::scheduleSlowConsumerCloses()
{
    if (m_slowClosesScheduled)
        return;
    m_slowClosesScheduled = true;
    QMetaObject::invokeMethod(this, &Hub::closeSlowConsumers, Qt::QueuedConnection);
}

// Their own queue is dropped; the rest of the hub is unaffected.
void Hub::closeSlowConsumers()
{
    m_slowClosesScheduled = false;
    const std::vector<quint64> slow = std::exchange(m_slowConsumers, {});
    for (quint64 id : slow) {
        Connection *connection = m_connections.value(id);
        if (!connection || connection->state == Connection::State::Closing)
            continue;
        ++m_totals.slowConsumerCloses;
        qCWarning(lcDelivery) << "connection" << connection->id << "from" << connection->peer
                              << "is not reading; more than" << m_config.maxOutboundBytes
                              << "bytes queued, closing with 4008";
        record(HubEvent::Kind::SlowConsumer, connection, {},
               tr("over %1 bytes queued").arg(m_config.maxOutboundBytes));
        closeConnection(connection, CloseSlowConsumer, tr("slow consumer"));
    }
}
