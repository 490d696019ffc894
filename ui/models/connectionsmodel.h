#pragma once

#include <QAbstractTableModel>
#include <QDateTime>

#include "keyedrows.h"
#include "snapshot.h"

// The hub's connections, one row each, matched by connection id from one snapshot to the next
// so selection and scroll position survive updates.
class ConnectionsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        Id,
        User,
        Device,
        Peer,
        ConnectedAt,
        LastActivity,
        MessagesIn,
        MessagesOut,
        BytesIn,
        BytesOut,
        Queued,
        Rooms,
        ColumnCount
    };
    enum Role {
        SortRole = Qt::UserRole + 1, // the raw value: a number, a QDateTime or a string
        ConnectionIdRole,
        UserNameRole,
    };

    explicit ConnectionsModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    void setConnections(const QList<ConnectionInfo> &connections);

    // The time "12 s ago" counts from; normally the snapshot's takenAt. Until one is set (or
    // after an invalid one), the clock at each setConnections() is used.
    void setReferenceTime(const QDateTime &time);
    QDateTime referenceTime() const { return m_referenceTime; }

    // setReferenceTime(snapshot.takenAt), then setConnections(snapshot.connections).
    void setSnapshot(const HubSnapshot &snapshot);

    ConnectionInfo connectionAt(int row) const;
    int rowOfConnection(quint64 id) const;

private:
    friend class KeyedRows<ConnectionInfo, quint64>;

    QVariant display(const ConnectionInfo &connection, int column) const;
    QVariant sortValue(const ConnectionInfo &connection, int column) const;
    QVariant toolTip(const ConnectionInfo &connection, int column) const;
    QVariant alignment(int column) const;
    QVariant headerToolTip(int section) const;
    void moveReferenceTo(const QDateTime &time);

    KeyedRows<ConnectionInfo, quint64> m_rows;
    QDateTime m_referenceTime;
    bool m_followClock = true;
};
