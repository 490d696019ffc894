#include "rolefilterproxy.h"

RoleFilterProxy::RoleFilterProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{ }

void RoleFilterProxy::setRoleFilter(int role, const QString &value)
{
    if (role == m_role && value == m_value)
        return;

    m_role = role;
    m_value = value;
    invalidateFilter();
    emit roleFilterChanged(m_value);
}

bool RoleFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (!m_value.isEmpty()) {
        const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
        if (index.data(m_role).toString().compare(m_value, Qt::CaseInsensitive) != 0)
            return false;
    }
    return QSortFilterProxyModel::filterAcceptsRow(sourceRow, sourceParent);
}

bool RoleFilterProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    if (QSortFilterProxyModel::lessThan(left, right))
        return true;
    if (QSortFilterProxyModel::lessThan(right, left))
        return false;
    return left.row() < right.row();
}
