#include "usersmodel.h"

#include "modelformat.h"
#include "protocol.h"

namespace {

const QString Offline = QStringLiteral("offline");

bool isOffline(const UserInfo &user)
{
    return user.status == Offline;
}

QString keyOf(const UserInfo &user)
{
    return Protocol::nameKey(user.name);
}

// An online user's lastSeen is the snapshot's own time, new every time; it is shown as "now",
// so only an offline user's lastSeen counts as a change.
bool same(const UserInfo &a, const UserInfo &b)
{
    return a.name == b.name && a.status == b.status && a.devices == b.devices && a.rooms == b.rooms
           && (!isOffline(b) || a.lastSeen == b.lastSeen);
}

} // namespace

UsersModel::UsersModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_rows(keyOf, same, KeyedRows<UserInfo, QString>::Unchanged::Refresh)
{ }

int UsersModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows.size();
}

int UsersModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant UsersModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    Q_ASSERT(checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid));

    const UserInfo &user = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return display(user, index.column());
    case Qt::ToolTipRole:
        return toolTip(user, index.column());
    case Qt::DecorationRole:
        return index.column() == Status ? QVariant(statusColor(user.status)) : QVariant();
    case Qt::ForegroundRole:
        return isOffline(user) ? QVariant(statusColor(Offline)) : QVariant();
    case Qt::TextAlignmentRole:
        return index.column() == Devices ? QVariant(ModelFormat::numberAlignment()) : QVariant();
    case SortRole:
        return sortValue(user, index.column());
    case UserNameRole:
        return user.name;
    case StatusRole:
        return user.status;
    default:
        return {};
    }
}

QVariant UsersModel::display(const UserInfo &user, int column) const
{
    switch (column) {
    case Name:
        return user.name;
    case Status:
        return statusName(user.status);
    case Devices:
        return QString::number(user.devices);
    case Rooms:
        return ModelFormat::list(user.rooms);
    case LastSeen:
        return isOffline(user) ? ModelFormat::when(user.lastSeen) : tr("now");
    default:
        return {};
    }
}

QVariant UsersModel::sortValue(const UserInfo &user, int column) const
{
    switch (column) {
    case Name:
        return user.name;
    case Status:
        return user.status;
    case Devices:
        return user.devices;
    case Rooms:
        return ModelFormat::list(user.rooms);
    case LastSeen:
        return user.lastSeen;
    default:
        return {};
    }
}

QVariant UsersModel::toolTip(const UserInfo &user, int column) const
{
    switch (column) {
    case Rooms:
        return user.rooms.isEmpty() ? QVariant() : user.rooms.join(QLatin1Char('\n'));
    case LastSeen:
        return isOffline(user) ? ModelFormat::fullTime(user.lastSeen) : QVariant();
    default:
        return {};
    }
}

QVariant UsersModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);

    if (role == Qt::TextAlignmentRole)
        return section == Devices ? QVariant(ModelFormat::numberAlignment()) : QVariant();
    if (role != Qt::DisplayRole)
        return {};

    switch (section) {
    case Name:
        return tr("Name");
    case Status:
        return tr("Status");
    case Devices:
        return tr("Devices");
    case Rooms:
        return tr("Rooms");
    case LastSeen:
        return tr("Last seen");
    default:
        return {};
    }
}

void UsersModel::setUsers(const QList<UserInfo> &users)
{
    m_rows.assign(this, users);
}

UserInfo UsersModel::userAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row) : UserInfo();
}

int UsersModel::rowOfUser(const QString &name) const
{
    return m_rows.indexOf(Protocol::nameKey(name));
}

QColor UsersModel::statusColor(const QString &status)
{
    if (status == QLatin1String("online"))
        return QColor(0x2e, 0xa0, 0x4a);
    if (status == QLatin1String("away"))
        return QColor(0xe0, 0x9a, 0x1c);
    if (status == QLatin1String("busy"))
        return QColor(0xd9, 0x40, 0x40);
    return QColor(0x8c, 0x8c, 0x8c);
}

QString UsersModel::statusName(const QString &status)
{
    if (status == QLatin1String("online"))
        return tr("online");
    if (status == QLatin1String("away"))
        return tr("away");
    if (status == QLatin1String("busy"))
        return tr("busy");
    if (status == Offline)
        return tr("offline");
    return status;
}
