#pragma once

#include <QAbstractTableModel>
#include <QDateTime>

#include "keyedrows.h"
#include "snapshot.h"

// The mutes in force, from HubSnapshot::mutes, matched by mute id from one snapshot to the next.
// "Time left" counts from the snapshot's time, so it moves only when a snapshot arrives.
class MutesModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { User, Room, Until, TimeLeft, Issuer, Reason, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1, // the raw value: a QDateTime, a number or a string
        MuteIdRole,
        UserNameRole,
        RoomNameRole, // empty for a hub-wide mute
    };

    explicit MutesModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // The reference time for "time left" (the snapshot's takenAt), then the mutes.
    void setSnapshot(const HubSnapshot &snapshot);
    void setMutes(const QList<MuteInfo> &mutes, const QDateTime &reference);

    MuteInfo muteAt(int row) const;
    int rowOfMute(qint64 id) const;

private:
    friend class KeyedRows<MuteInfo, qint64>;

    QVariant display(const MuteInfo &mute, int column) const;
    QVariant sortValue(const MuteInfo &mute, int column) const;
    QVariant toolTip(const MuteInfo &mute, int column) const;
    void moveReferenceTo(const QDateTime &reference);

    KeyedRows<MuteInfo, qint64> m_rows;
    QDateTime m_reference;
};
