#include "mutesmodel.h"

#include "modelformat.h"

namespace {

qint64 keyOf(const MuteInfo &mute)
{
    return mute.id;
}

bool same(const MuteInfo &a, const MuteInfo &b)
{
    return a.user == b.user && a.room == b.room && a.until == b.until && a.issuer == b.issuer
           && a.reason == b.reason && a.createdAt == b.createdAt;
}

} // namespace

MutesModel::MutesModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_rows(keyOf, same)
{ }

int MutesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows.size();
}

int MutesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant MutesModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    Q_ASSERT(checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid));

    const MuteInfo &mute = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return display(mute, index.column());
    case Qt::ToolTipRole:
        return toolTip(mute, index.column());
    case SortRole:
        return sortValue(mute, index.column());
    case MuteIdRole:
        return mute.id;
    case UserNameRole:
        return mute.user;
    case RoomNameRole:
        return mute.room;
    default:
        return {};
    }
}

QVariant MutesModel::display(const MuteInfo &mute, int column) const
{
    switch (column) {
    case User:
        return mute.user;
    case Room:
        return mute.room.isEmpty() ? tr("hub-wide") : mute.room;
    case Until:
        return ModelFormat::until(mute.until);
    case TimeLeft:
        return ModelFormat::timeLeft(mute.until, m_reference);
    case Issuer:
        return mute.issuer;
    case Reason:
        return mute.reason;
    default:
        return {};
    }
}

QVariant MutesModel::sortValue(const MuteInfo &mute, int column) const
{
    switch (column) {
    case Until:
    case TimeLeft:
        return ModelFormat::untilSortKey(mute.until);
    default:
        return display(mute, column);
    }
}

QVariant MutesModel::toolTip(const MuteInfo &mute, int column) const
{
    switch (column) {
    case Until:
    case TimeLeft:
        return ModelFormat::untilToolTip(mute.until);
    case Issuer:
        return tr("Muted %1").arg(ModelFormat::fullTime(mute.createdAt));
    case Reason:
        return mute.reason.isEmpty() ? QVariant() : mute.reason;
    default:
        return {};
    }
}

QVariant MutesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount
        || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);

    switch (section) {
    case User:
        return tr("Muted");
    case Room:
        return tr("Where");
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

void MutesModel::setSnapshot(const HubSnapshot &snapshot)
{
    setMutes(snapshot.mutes, snapshot.takenAt);
}

void MutesModel::setMutes(const QList<MuteInfo> &mutes, const QDateTime &reference)
{
    m_rows.assign(this, mutes);
    moveReferenceTo(reference.isValid() ? reference : QDateTime::currentDateTimeUtc());
}

void MutesModel::moveReferenceTo(const QDateTime &reference)
{
    const bool moved = ModelFormat::wholeSecondsBetween(m_reference, reference) != 0;
    m_reference = reference;
    if (!moved || m_rows.size() == 0)
        return;

    // One signal for the column, not one per mute: a list of mutes is short.
    emit dataChanged(index(0, TimeLeft), index(m_rows.size() - 1, TimeLeft),
                     {Qt::DisplayRole, SortRole});
}

MuteInfo MutesModel::muteAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row) : MuteInfo();
}

int MutesModel::rowOfMute(qint64 id) const
{
    return m_rows.indexOf(id);
}
