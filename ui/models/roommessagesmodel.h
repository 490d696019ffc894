#pragma once

#include <QAbstractTableModel>

#include "boundedrows.h"
#include "snapshot.h"

// The live view of one room's messages, from HubService::roomMessagesArrived: newest at the
// bottom, bounded, read-only. Messages of other rooms are ignored.
class RoomMessagesModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Time, Seq, From, Text, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1, // the raw value: a QDateTime, a number or a string
        SeqRole,
        SenderRole, // the sender's name; empty for a tombstone
    };

    static constexpr int DefaultLimit = 1000;

    explicit RoomMessagesModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // Another room clears the model; the room it already shows (in any case) keeps it.
    void setRoom(const QString &room);
    QString room() const { return m_room; }

    void appendMessages(const QList<RoomMessageInfo> &messages);
    void setLimit(int rows); // drops the oldest rows at once if there are more
    int limit() const { return m_rows.limit(); }
    void clear();

    RoomMessageInfo messageAt(int row) const;

    // Shows the message as a tombstone, as the hub's history does once it is deleted. False if
    // the model does not hold it.
    bool markDeleted(const QString &room, quint64 seq);

    // "(deleted)", what every view shows in a tombstone's place.
    static QString tombstoneText();

private:
    friend class BoundedRows<RoomMessageInfo>;

    QVariant display(const RoomMessageInfo &message, int column) const;
    QVariant sortValue(const RoomMessageInfo &message, int column) const;

    BoundedRows<RoomMessageInfo> m_rows;
    QString m_room;
    QString m_roomKey;
};
