#pragma once

#include <QAbstractTableModel>
#include <QColor>

#include "keyedrows.h"
#include "snapshot.h"

// Online users and recently seen offline ones, matched by the engine's name key (case and
// Unicode form folded) from one snapshot to the next.
class UsersModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Name, Status, Devices, Rooms, LastSeen, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1, // the raw value: a number, a QDateTime or a string
        UserNameRole,
        StatusRole, // online, away, busy or offline, untranslated
    };

    explicit UsersModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    void setUsers(const QList<UserInfo> &users);
    UserInfo userAt(int row) const;
    int rowOfUser(const QString &name) const;

    // Mid-tone colours, readable as text and as a swatch on light and dark backgrounds.
    static QColor statusColor(const QString &status);
    static QString statusName(const QString &status); // translated

private:
    friend class KeyedRows<UserInfo, QString>;

    QVariant display(const UserInfo &user, int column) const;
    QVariant sortValue(const UserInfo &user, int column) const;
    QVariant toolTip(const UserInfo &user, int column) const;

    KeyedRows<UserInfo, QString> m_rows;
};
