#include "eventlogmodel.h"

#include "modelformat.h"

namespace {

// A join or leave involves no single connection, so the engine names the member in the
// detail; the log shows that name as the event's user.
bool namesMemberInDetail(const HubEvent &event)
{
    return event.kind == HubEvent::Kind::Joined || event.kind == HubEvent::Kind::Left;
}

QString userOf(const HubEvent &event)
{
    if (!event.user.isEmpty())
        return event.user;
    if (namesMemberInDetail(event))
        return event.detail;
    return event.connection != 0 ? QStringLiteral("#%1").arg(event.connection) : QString();
}

QString detailOf(const HubEvent &event)
{
    return namesMemberInDetail(event) && event.user.isEmpty() ? QString() : event.detail;
}

} // namespace

EventLogModel::EventLogModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_rows(DefaultLimit)
{ }

int EventLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows.size();
}

int EventLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventLogModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    Q_ASSERT(checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid));

    const HubEvent &event = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return display(event, index.column());
    case Qt::ToolTipRole:
        return toolTip(event, index.column());
    case Qt::ForegroundRole:
        return isWarning(event.kind) ? QVariant(warningColor()) : QVariant();
    case SortRole:
        return sortValue(event, index.column());
    case KindRole:
        return int(event.kind);
    default:
        return {};
    }
}

QVariant EventLogModel::display(const HubEvent &event, int column) const
{
    switch (column) {
    case Time:
        return ModelFormat::clock(event.time);
    case Kind:
        return kindName(event.kind);
    case User:
        return userOf(event);
    case Room:
        return event.room;
    case Detail:
        return detailOf(event);
    default:
        return {};
    }
}

QVariant EventLogModel::sortValue(const HubEvent &event, int column) const
{
    return column == Time ? QVariant(event.time) : display(event, column);
}

QVariant EventLogModel::toolTip(const HubEvent &event, int column) const
{
    switch (column) {
    case Time:
        return ModelFormat::fullTime(event.time);
    case User:
        return event.connection != 0 ? tr("Connection %1").arg(event.connection) : QVariant();
    case Detail:
        return detailOf(event).isEmpty() ? QVariant() : detailOf(event);
    default:
        return {};
    }
}

QVariant EventLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role != Qt::DisplayRole)
        return {};

    switch (section) {
    case Time:
        return tr("Time");
    case Kind:
        return tr("Event");
    case User:
        return tr("User");
    case Room:
        return tr("Room");
    case Detail:
        return tr("Detail");
    default:
        return {};
    }
}

void EventLogModel::appendEvents(const QList<HubEvent> &events)
{
    m_rows.append(this, events);
}

void EventLogModel::setLimit(int rows)
{
    m_rows.setLimit(this, rows);
}

void EventLogModel::clear()
{
    m_rows.clear(this);
}

HubEvent EventLogModel::eventAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row) : HubEvent();
}

QString EventLogModel::kindName(HubEvent::Kind kind)
{
    switch (kind) {
    case HubEvent::Kind::Started:
        return tr("hub started");
    case HubEvent::Kind::Stopped:
        return tr("hub stopped");
    case HubEvent::Kind::Connected:
        return tr("connected");
    case HubEvent::Kind::Disconnected:
        return tr("disconnected");
    case HubEvent::Kind::Joined:
        return tr("joined");
    case HubEvent::Kind::Left:
        return tr("left");
    case HubEvent::Kind::HelloTimeout:
        return tr("no hello in time");
    case HubEvent::Kind::HeartbeatTimeout:
        return tr("timed out");
    case HubEvent::Kind::SlowConsumer:
        return tr("slow consumer closed");
    case HubEvent::Kind::Kicked:
        return tr("kicked");
    case HubEvent::Kind::Broadcast:
        return tr("broadcast");
    case HubEvent::Kind::RoomCreated:
        return tr("room created");
    case HubEvent::Kind::RoomDeleted:
        return tr("room deleted");
    case HubEvent::Kind::TopicChanged:
        return tr("topic changed");
    case HubEvent::Kind::Rejected:
        return tr("rejected");
    case HubEvent::Kind::Moderation:
        return tr("moderation");
    case HubEvent::Kind::Error:
        return tr("error");
    }
    return tr("unknown");
}

bool EventLogModel::isWarning(HubEvent::Kind kind)
{
    switch (kind) {
    case HubEvent::Kind::Rejected:
    case HubEvent::Kind::SlowConsumer:
    case HubEvent::Kind::HeartbeatTimeout:
    case HubEvent::Kind::HelloTimeout:
    case HubEvent::Kind::Kicked:
    case HubEvent::Kind::Error:
        return true;
    default:
        return false;
    }
}

QColor EventLogModel::warningColor()
{
    return QColor(0xd0, 0x5a, 0x10);
}
