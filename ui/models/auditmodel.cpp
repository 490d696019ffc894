#include "auditmodel.h"

#include "modelformat.h"

namespace {

qint64 keyOf(const AuditEntry &entry)
{
    return entry.id;
}

// The store never rewrites an entry; comparing what is shown guards against a store that
// reuses ids after a reset.
bool same(const AuditEntry &a, const AuditEntry &b)
{
    return a.ts == b.ts && a.action == b.action && a.target == b.target && a.detail == b.detail;
}

// Time, then the store's id: several actions in one millisecond keep the order they were done.
QString timeKey(const AuditEntry &entry)
{
    return QStringLiteral("%1.%2")
        .arg(entry.ts.toMSecsSinceEpoch(), 15, 10, QLatin1Char('0'))
        .arg(entry.id, 12, 10, QLatin1Char('0'));
}

} // namespace

AuditModel::AuditModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_rows(keyOf, same)
{ }

int AuditModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows.size();
}

int AuditModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AuditModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    Q_ASSERT(checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid));

    const AuditEntry &entry = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return display(entry, index.column());
    case Qt::ToolTipRole:
        return toolTip(entry, index.column());
    case SortRole:
        return index.column() == Time ? timeKey(entry) : display(entry, index.column());
    case ActionRole:
        return entry.action;
    case ActorRole:
        return entry.actor;
    default:
        return {};
    }
}

QVariant AuditModel::display(const AuditEntry &entry, int column) const
{
    switch (column) {
    case Time:
        return ModelFormat::when(entry.ts);
    case Actor:
        return entry.actor;
    case Action:
        return actionName(entry.action);
    case Target:
        return entry.target;
    case Room:
        return entry.room;
    case Reason:
        return entry.reason;
    case Detail:
        return entry.detail;
    default:
        return {};
    }
}

QVariant AuditModel::toolTip(const AuditEntry &entry, int column) const
{
    switch (column) {
    case Time:
        return ModelFormat::fullTime(entry.ts);
    case Action:
        return entry.until.isValid() ? tr("until %1").arg(ModelFormat::fullTime(entry.until))
                                     : QVariant();
    case Reason:
        return entry.reason.isEmpty() ? QVariant() : entry.reason;
    case Detail:
        return entry.detail.isEmpty() ? QVariant() : entry.detail;
    default:
        return {};
    }
}

QVariant AuditModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount
        || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);

    switch (section) {
    case Time:
        return tr("Time");
    case Actor:
        return tr("By");
    case Action:
        return tr("Action");
    case Target:
        return tr("Target");
    case Room:
        return tr("Room");
    case Reason:
        return tr("Reason");
    case Detail:
        return tr("Detail");
    default:
        return {};
    }
}

void AuditModel::setEntries(const QList<AuditEntry> &entries)
{
    m_rows.assign(this, entries);
}

AuditEntry AuditModel::entryAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row) : AuditEntry();
}

int AuditModel::rowOfEntry(qint64 id) const
{
    return m_rows.indexOf(id);
}

QStringList AuditModel::actions()
{
    return {QStringLiteral("ban"),           QStringLiteral("unban"),
            QStringLiteral("mute"),          QStringLiteral("unmute"),
            QStringLiteral("kick"),          QStringLiteral("delete_message"),
            QStringLiteral("room_settings"), QStringLiteral("room_create"),
            QStringLiteral("room_delete"),   QStringLiteral("topic"),
            QStringLiteral("broadcast")};
}

QString AuditModel::actionName(const QString &action)
{
    if (action == QLatin1String("ban"))
        return tr("ban");
    if (action == QLatin1String("unban"))
        return tr("lift ban");
    if (action == QLatin1String("mute"))
        return tr("mute");
    if (action == QLatin1String("unmute"))
        return tr("lift mute");
    if (action == QLatin1String("kick"))
        return tr("kick");
    if (action == QLatin1String("delete_message"))
        return tr("delete message");
    if (action == QLatin1String("room_settings"))
        return tr("room settings");
    if (action == QLatin1String("room_create"))
        return tr("create room");
    if (action == QLatin1String("room_delete"))
        return tr("delete room");
    if (action == QLatin1String("topic"))
        return tr("set topic");
    if (action == QLatin1String("broadcast"))
        return tr("broadcast");
    return action;
}
