#pragma once

#include <QAbstractTableModel>

#include "keyedrows.h"
#include "snapshot.h"

// The members of one room with their presence, from the latest snapshot. Changing the room
// resets the model; a new snapshot only touches the members that changed.
class RoomMembersModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { User, Status, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1, // the raw value: a string
        UserNameRole,
        StatusRole, // online, away, busy or offline, untranslated
    };

    struct Member
    {
        QString name;
        QString status;
    };

    explicit RoomMembersModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // Setting the room it already shows (in any case) changes nothing.
    void setRoom(const QString &room);
    QString room() const { return m_room; }
    void setSnapshot(const HubSnapshot &snapshot);

    Member memberAt(int row) const;
    int rowOfMember(const QString &name) const;

private:
    friend class KeyedRows<Member, QString>;

    QList<Member> membersOf(const HubSnapshot &snapshot) const;
    QVariant display(const Member &member, int column) const;

    KeyedRows<Member, QString> m_rows;
    QString m_room;
    QString m_roomKey;
    HubSnapshot m_snapshot; // the latest, for when the room changes between snapshots
};
