#include "roommembersmodel.h"

#include <QHash>

#include "protocol.h"
#include "usersmodel.h"

namespace {

QString keyOf(const RoomMembersModel::Member &member)
{
    return Protocol::nameKey(member.name);
}

bool same(const RoomMembersModel::Member &a, const RoomMembersModel::Member &b)
{
    return a.name == b.name && a.status == b.status;
}

} // namespace

RoomMembersModel::RoomMembersModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_rows(keyOf, same)
{ }

int RoomMembersModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows.size();
}

int RoomMembersModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RoomMembersModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    Q_ASSERT(checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid));

    const Member &member = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return display(member, index.column());
    case Qt::DecorationRole:
        return index.column() == Status ? QVariant(UsersModel::statusColor(member.status))
                                        : QVariant();
    case Qt::ForegroundRole:
        return member.status == QLatin1String("offline")
                   ? QVariant(UsersModel::statusColor(member.status))
                   : QVariant();
    case SortRole:
        return index.column() == User ? member.name : member.status;
    case UserNameRole:
        return member.name;
    case StatusRole:
        return member.status;
    default:
        return {};
    }
}

QVariant RoomMembersModel::display(const Member &member, int column) const
{
    switch (column) {
    case User:
        return member.name;
    case Status:
        return UsersModel::statusName(member.status);
    default:
        return {};
    }
}

QVariant RoomMembersModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role != Qt::DisplayRole)
        return {};

    return section == User ? tr("User") : tr("Status");
}

void RoomMembersModel::setRoom(const QString &room)
{
    const QString key = Protocol::nameKey(room);
    m_room = room;
    if (key == m_roomKey)
        return;

    m_roomKey = key;
    m_rows.reset(this, membersOf(m_snapshot));
}

void RoomMembersModel::setSnapshot(const HubSnapshot &snapshot)
{
    m_snapshot = snapshot;
    m_rows.assign(this, membersOf(snapshot));
}

QList<RoomMembersModel::Member> RoomMembersModel::membersOf(const HubSnapshot &snapshot) const
{
    if (m_roomKey.isEmpty())
        return {};

    const RoomInfo *room = nullptr;
    for (const RoomInfo &candidate : snapshot.rooms) {
        if (Protocol::nameKey(candidate.name) == m_roomKey) {
            room = &candidate;
            break;
        }
    }
    if (!room)
        return {};

    // Both lists carry the engine's own spelling of each name, so exact matching is enough.
    QHash<QString, QString> statusOf;
    statusOf.reserve(room->members.size());
    for (const QString &name : room->members)
        statusOf.insert(name, QStringLiteral("offline"));
    for (const UserInfo &user : snapshot.users) {
        const auto it = statusOf.find(user.name);
        if (it != statusOf.end())
            *it = user.status;
    }

    QList<Member> members;
    members.reserve(room->members.size());
    for (const QString &name : room->members)
        members.append({name, statusOf.value(name)});
    return members;
}

RoomMembersModel::Member RoomMembersModel::memberAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row) : Member();
}

int RoomMembersModel::rowOfMember(const QString &name) const
{
    return m_rows.indexOf(Protocol::nameKey(name));
}
