#include "connectionsmodel.h"

#include "modelformat.h"

namespace {

quint64 keyOf(const ConnectionInfo &connection)
{
    return connection.id;
}

bool same(const ConnectionInfo &a, const ConnectionInfo &b)
{
    return a.id == b.id && a.user == b.user && a.device == b.device && a.peer == b.peer
           && a.connectedAt == b.connectedAt && a.lastActivity == b.lastActivity
           && a.messagesIn == b.messagesIn && a.messagesOut == b.messagesOut
           && a.bytesIn == b.bytesIn && a.bytesOut == b.bytesOut && a.queuedBytes == b.queuedBytes
           && a.rooms == b.rooms;
}

bool isNumeric(int column)
{
    switch (column) {
    case ConnectionsModel::Id:
    case ConnectionsModel::MessagesIn:
    case ConnectionsModel::MessagesOut:
    case ConnectionsModel::BytesIn:
    case ConnectionsModel::BytesOut:
    case ConnectionsModel::Queued:
        return true;
    default:
        return false;
    }
}

} // namespace

ConnectionsModel::ConnectionsModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_rows(keyOf, same)
{ }

int ConnectionsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows.size();
}

int ConnectionsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ConnectionsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    Q_ASSERT(checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid));

    const ConnectionInfo &connection = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return display(connection, index.column());
    case Qt::ToolTipRole:
        return toolTip(connection, index.column());
    case Qt::TextAlignmentRole:
        return alignment(index.column());
    case SortRole:
        return sortValue(connection, index.column());
    case ConnectionIdRole:
        return connection.id;
    case UserNameRole:
        return connection.user;
    default:
        return {};
    }
}

QVariant ConnectionsModel::display(const ConnectionInfo &connection, int column) const
{
    switch (column) {
    case Id:
        return QString::number(connection.id);
    case User:
        return connection.user.isEmpty() ? tr("(no hello yet)") : connection.user;
    case Device:
        return connection.device;
    case Peer:
        return connection.peer;
    case ConnectedAt:
        return ModelFormat::clock(connection.connectedAt);
    case LastActivity:
        return ModelFormat::age(
            ModelFormat::wholeSecondsBetween(connection.lastActivity, m_referenceTime));
    case MessagesIn:
        return ModelFormat::number(connection.messagesIn);
    case MessagesOut:
        return ModelFormat::number(connection.messagesOut);
    case BytesIn:
        return ModelFormat::bytes(qint64(connection.bytesIn));
    case BytesOut:
        return ModelFormat::bytes(qint64(connection.bytesOut));
    case Queued:
        return ModelFormat::bytes(connection.queuedBytes);
    case Rooms:
        return ModelFormat::list(connection.rooms);
    default:
        return {};
    }
}

QVariant ConnectionsModel::sortValue(const ConnectionInfo &connection, int column) const
{
    switch (column) {
    case Id:
        return connection.id;
    case User:
        return connection.user;
    case Device:
        return connection.device;
    case Peer:
        return connection.peer;
    case ConnectedAt:
        return connection.connectedAt;
    case LastActivity:
        return connection.lastActivity;
    case MessagesIn:
        return connection.messagesIn;
    case MessagesOut:
        return connection.messagesOut;
    case BytesIn:
        return connection.bytesIn;
    case BytesOut:
        return connection.bytesOut;
    case Queued:
        return connection.queuedBytes;
    case Rooms:
        return ModelFormat::list(connection.rooms);
    default:
        return {};
    }
}

QVariant ConnectionsModel::toolTip(const ConnectionInfo &connection, int column) const
{
    switch (column) {
    case User:
        return connection.user.isEmpty() ? tr("Connected, but has not sent hello yet") : QVariant();
    case ConnectedAt:
        return ModelFormat::fullTime(connection.connectedAt);
    case LastActivity:
        return ModelFormat::fullTime(connection.lastActivity);
    case BytesIn:
        return ModelFormat::exactBytes(qint64(connection.bytesIn));
    case BytesOut:
        return ModelFormat::exactBytes(qint64(connection.bytesOut));
    case Queued:
        return ModelFormat::exactBytes(connection.queuedBytes);
    case Rooms:
        return connection.rooms.isEmpty() ? QVariant() : connection.rooms.join(QLatin1Char('\n'));
    default:
        return {};
    }
}

QVariant ConnectionsModel::alignment(int column) const
{
    return isNumeric(column) ? QVariant(ModelFormat::numberAlignment()) : QVariant();
}

QVariant ConnectionsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);

    if (role == Qt::TextAlignmentRole)
        return alignment(section);
    if (role == Qt::ToolTipRole)
        return headerToolTip(section);
    if (role != Qt::DisplayRole)
        return {};

    switch (section) {
    case Id:
        return tr("ID");
    case User:
        return tr("User");
    case Device:
        return tr("Device");
    case Peer:
        return tr("Peer");
    case ConnectedAt:
        return tr("Connected");
    case LastActivity:
        return tr("Last activity");
    case MessagesIn:
        return tr("Msgs in");
    case MessagesOut:
        return tr("Msgs out");
    case BytesIn:
        return tr("Bytes in");
    case BytesOut:
        return tr("Bytes out");
    case Queued:
        return tr("Queued");
    case Rooms:
        return tr("Rooms");
    default:
        return {};
    }
}

QVariant ConnectionsModel::headerToolTip(int section) const
{
    switch (section) {
    case MessagesIn:
        return tr("Frames received from this client since its hello");
    case MessagesOut:
        return tr("Frames written to this client");
    case Queued:
        return tr("Bytes waiting to be written to this client; a client that lets this grow "
                  "past the hub's limit is closed as a slow consumer");
    case LastActivity:
        return tr("Time since this client last sent a frame");
    default:
        return {};
    }
}

void ConnectionsModel::setConnections(const QList<ConnectionInfo> &connections)
{
    if (m_followClock)
        moveReferenceTo(QDateTime::currentDateTimeUtc());

    m_rows.assign(this, connections);
}

void ConnectionsModel::setReferenceTime(const QDateTime &time)
{
    m_followClock = !time.isValid();
    if (!m_followClock)
        moveReferenceTo(time);
}

void ConnectionsModel::setSnapshot(const HubSnapshot &snapshot)
{
    setReferenceTime(snapshot.takenAt);
    setConnections(snapshot.connections);
}

// Ages are counted in whole seconds of the reference, so the column changes at most once a
// second however often snapshots come, and then in one signal for the whole column.
void ConnectionsModel::moveReferenceTo(const QDateTime &time)
{
    const bool newSecond =
        !m_referenceTime.isValid() || time.toSecsSinceEpoch() != m_referenceTime.toSecsSinceEpoch();
    m_referenceTime = time;

    if (newSecond && m_rows.size() > 0)
        emit dataChanged(index(0, LastActivity), index(m_rows.size() - 1, LastActivity));
}

ConnectionInfo ConnectionsModel::connectionAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row) : ConnectionInfo();
}

int ConnectionsModel::rowOfConnection(quint64 id) const
{
    return m_rows.indexOf(id);
}
