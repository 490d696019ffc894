#pragma once

#include <QAbstractTableModel>

#include "snapshot.h"

// One room's kept history, as the history viewer pages back through it: oldest at the top,
// each older page inserted above the rows already shown. Tombstones read "(deleted)".
class HistoryModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Time, Seq, From, Text, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1, // the raw value: a QDateTime, a number or a string
        SeqRole,
        DeletedRole,
    };

    explicit HistoryModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // The newest page: replaces everything shown.
    void setPage(const HistoryPage &page);
    // A page from before the oldest message shown. A page of another epoch (the room's history
    // was lost or the room made again meanwhile) replaces everything instead.
    void addOlderPage(const HistoryPage &page);
    void clear();

    // Whether the hub holds messages older than the oldest one shown.
    bool hasOlder() const { return m_hasOlder; }
    quint64 oldestSeq() const; // 0 when empty
    QString epoch() const { return m_epoch; }

    RoomMessageInfo messageAt(int row) const;
    int rowOfSeq(quint64 seq) const;
    bool markDeleted(quint64 seq);

private:
    QVariant display(const RoomMessageInfo &message, int column) const;
    QVariant sortValue(const RoomMessageInfo &message, int column) const;

    QList<RoomMessageInfo> m_rows; // oldest first
    QString m_epoch;
    bool m_hasOlder = false;
};
