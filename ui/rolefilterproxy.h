#pragma once

#include <QSortFilterProxyModel>

// The console's sort/filter proxy. It can keep only the rows whose column-0 `role` equals a
// value (case-insensitively, as names compare in Confab), on top of the usual text filter: the
// connections table uses that to show every device of one user together. Rows that sort
// equal keep their model order, reversed in a descending sort, so events of the same
// millisecond still read newest first.
class RoleFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit RoleFilterProxy(QObject *parent = nullptr);

    // An empty value shows every row again.
    void setRoleFilter(int role, const QString &value);
    QString roleFilterValue() const { return m_value; }

signals:
    void roleFilterChanged(const QString &value);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    int m_role = Qt::DisplayRole;
    QString m_value;
};
