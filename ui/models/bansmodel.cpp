#include "bansmodel.h"

#include "modelformat.h"

namespace {

qint64 keyOf(const BanInfo &ban)
{
    return ban.id;
}

bool same(const BanInfo &a, const BanInfo &b)
{
    return a.target == b.target && a.address == b.address && a.until == b.until
           && a.issuer == b.issuer && a.reason == b.reason && a.createdAt == b.createdAt;
}

} // namespace

BansModel::BansModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_rows(keyOf, same)
{ }

int BansModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows.size();
}

int BansModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant BansModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    Q_ASSERT(checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid));

    const BanInfo &ban = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return display(ban, index.column());
    case Qt::ToolTipRole:
        return toolTip(ban, index.column());
    case SortRole:
        return sortValue(ban, index.column());
    case BanIdRole:
        return ban.id;
    case TargetRole:
        return ban.target;
    case IsAddressRole:
        return ban.address;
    default:
        return {};
    }
}

QVariant BansModel::display(const BanInfo &ban, int column) const
{
    switch (column) {
    case Target:
        return ban.target;
    case Kind:
        return ban.address ? tr("IP address") : tr("name");
    case Until:
        return ModelFormat::until(ban.until);
    case TimeLeft:
        return ModelFormat::timeLeft(ban.until, m_reference);
    case Issuer:
        return ban.issuer;
    case Reason:
        return ban.reason;
    default:
        return {};
    }
}

QVariant BansModel::sortValue(const BanInfo &ban, int column) const
{
    switch (column) {
    case Until:
    case TimeLeft:
        return ModelFormat::untilSortKey(ban.until);
    case Kind:
        return ban.address;
    default:
        return display(ban, column);
    }
}

QVariant BansModel::toolTip(const BanInfo &ban, int column) const
{
    switch (column) {
    case Until:
    case TimeLeft:
        return ModelFormat::untilToolTip(ban.until);
    case Issuer:
        return tr("Banned %1").arg(ModelFormat::fullTime(ban.createdAt));
    case Reason:
        return ban.reason.isEmpty() ? QVariant() : ban.reason;
    default:
        return {};
    }
}

QVariant BansModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount
        || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);

    switch (section) {
    case Target:
        return tr("Banned");
    case Kind:
        return tr("Kind");
    case Until:
        return tr("Until");
    case TimeLeft:
        return tr("Time left");
    case Issuer:
        return tr("By");
    case Reason:
        return tr("Reason");
    default:
        return {};
    }
}

void BansModel::setSnapshot(const HubSnapshot &snapshot)
{
    setBans(snapshot.bans, snapshot.takenAt);
}

void BansModel::setBans(const QList<BanInfo> &bans, const QDateTime &reference)
{
    m_rows.assign(this, bans);
    moveReferenceTo(reference.isValid() ? reference : QDateTime::currentDateTimeUtc());
}

void BansModel::moveReferenceTo(const QDateTime &reference)
{
    const bool moved = ModelFormat::wholeSecondsBetween(m_reference, reference) != 0;
    m_reference = reference;
    if (!moved || m_rows.size() == 0)
        return;

    // One signal for the column, not one per ban: a list of bans is short.
    emit dataChanged(index(0, TimeLeft), index(m_rows.size() - 1, TimeLeft),
                     {Qt::DisplayRole, SortRole});
}

BanInfo BansModel::banAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row) : BanInfo();
}

int BansModel::rowOfBan(qint64 id) const
{
    return m_rows.indexOf(id);
}
