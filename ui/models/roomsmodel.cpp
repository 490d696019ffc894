#include "roomsmodel.h"

#include <cmath>

#include "modelformat.h"
#include "protocol.h"

namespace {

// A tool tip listing thousands of members would fill the screen.
constexpr int MaxMembersInToolTip = 30;

QString keyOf(const RoomInfo &room)
{
    return Protocol::nameKey(room.name);
}

// The rate is shown with one decimal; wobbles below that are not a change worth a repaint.
qint64 shownRate(double rate)
{
    return std::llround(rate * 10);
}

bool same(const RoomInfo &a, const RoomInfo &b)
{
    return a.name == b.name && a.topic == b.topic && a.lastSeq == b.lastSeq
           && shownRate(a.messagesPerSecond) == shownRate(b.messagesPerSecond)
           && a.members == b.members && a.maxMembers == b.maxMembers && a.locked == b.locked
           && a.slowModeS == b.slowModeS && a.hasPassword == b.hasPassword;
}

} // namespace

RoomsModel::RoomsModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_rows(keyOf, same)
{ }

int RoomsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows.size();
}

int RoomsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RoomsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    Q_ASSERT(checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid));

    const RoomInfo &room = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return display(room, index.column());
    case Qt::ToolTipRole:
        return toolTip(room, index.column());
    case Qt::TextAlignmentRole:
        return isNumeric(index.column()) ? QVariant(ModelFormat::numberAlignment()) : QVariant();
    case SortRole:
        return sortValue(room, index.column());
    case RoomNameRole:
        return room.name;
    default:
        return {};
    }
}

QVariant RoomsModel::display(const RoomInfo &room, int column) const
{
    switch (column) {
    case Name:
        return room.name;
    case Topic:
        return room.topic;
    case Members:
        return QString::number(room.members.size());
    case Rate:
        return ModelFormat::decimal(room.messagesPerSecond, 1);
    case LastSeq:
        return ModelFormat::number(room.lastSeq);
    case Settings:
        return settingsText(room);
    default:
        return {};
    }
}

QVariant RoomsModel::sortValue(const RoomInfo &room, int column) const
{
    switch (column) {
    case Name:
        return room.name;
    case Topic:
        return room.topic;
    case Members:
        return int(room.members.size());
    case Rate:
        return room.messagesPerSecond;
    case LastSeq:
        return room.lastSeq;
    case Settings:
        return settingsText(room);
    default:
        return {};
    }
}

QVariant RoomsModel::toolTip(const RoomInfo &room, int column) const
{
    switch (column) {
    case Topic:
        return room.topic.isEmpty() ? QVariant() : room.topic;
    case Members: {
        if (room.members.isEmpty())
            return {};
        QString names = ModelFormat::list(room.members.mid(0, MaxMembersInToolTip));
        if (room.members.size() > MaxMembersInToolTip)
            names += tr(", and %n more", nullptr, int(room.members.size()) - MaxMembersInToolTip);
        return names;
    }
    case Rate:
        return tr("Messages per second");
    case LastSeq:
        return tr("Sequence number of the room's newest message");
    case Settings:
        return tr("Who may join and how often members may speak (Room settings)");
    default:
        return {};
    }
}

bool RoomsModel::isNumeric(int column)
{
    return column == Members || column == Rate || column == LastSeq;
}

QVariant RoomsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);

    if (role == Qt::TextAlignmentRole)
        return isNumeric(section) ? QVariant(ModelFormat::numberAlignment()) : QVariant();
    if (role != Qt::DisplayRole)
        return {};

    switch (section) {
    case Name:
        return tr("Room");
    case Topic:
        return tr("Topic");
    case Members:
        return tr("Members");
    case Rate:
        return tr("Msgs/s");
    case LastSeq:
        return tr("Last seq");
    case Settings:
        return tr("Limits");
    default:
        return {};
    }
}

void RoomsModel::setRooms(const QList<RoomInfo> &rooms)
{
    m_rows.assign(this, rooms);
}

RoomInfo RoomsModel::roomAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row) : RoomInfo();
}

int RoomsModel::rowOfRoom(const QString &name) const
{
    return m_rows.indexOf(Protocol::nameKey(name));
}

QString RoomsModel::settingsText(const RoomInfo &room)
{
    QStringList parts;
    if (room.locked)
        parts.append(tr("locked"));
    if (room.maxMembers > 0)
        parts.append(tr("max %1").arg(room.maxMembers));
    if (room.slowModeS > 0)
        parts.append(tr("slow %1 s").arg(room.slowModeS));
    if (room.hasPassword)
        parts.append(tr("password"));
    return parts.join(QStringLiteral(" · "));
}
