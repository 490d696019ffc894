#pragma once

#include <QAbstractTableModel>
#include <QDateTime>

#include "keyedrows.h"
#include "snapshot.h"

// The bans in force, from HubSnapshot::bans, matched by ban id from one snapshot to the next.
// "Time left" counts from the snapshot's time, so it moves only when a snapshot arrives.
class BansModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Target, Kind, Until, TimeLeft, Issuer, Reason, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1, // the raw value: a QDateTime, a number or a string
        BanIdRole,
        TargetRole,
        IsAddressRole,
    };

    explicit BansModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // The reference time for "time left" (the snapshot's takenAt), then the bans.
    void setSnapshot(const HubSnapshot &snapshot);
    void setBans(const QList<BanInfo> &bans, const QDateTime &reference);

    BanInfo banAt(int row) const;
    int rowOfBan(qint64 id) const;

private:
    friend class KeyedRows<BanInfo, qint64>;

    QVariant display(const BanInfo &ban, int column) const;
    QVariant sortValue(const BanInfo &ban, int column) const;
    QVariant toolTip(const BanInfo &ban, int column) const;
    void moveReferenceTo(const QDateTime &reference);

    KeyedRows<BanInfo, qint64> m_rows;
    QDateTime m_reference;
};
