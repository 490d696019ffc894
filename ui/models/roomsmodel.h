#pragma once

#include <QAbstractTableModel>

#include "keyedrows.h"
#include "snapshot.h"

// The hub's rooms, matched by the engine's name key from one snapshot to the next.
class RoomsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Name, Topic, Members, Rate, LastSeq, Settings, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1, // the raw value: a number or a string
        RoomNameRole,
    };

    explicit RoomsModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    void setRooms(const QList<RoomInfo> &rooms);
    RoomInfo roomAt(int row) const;
    int rowOfRoom(const QString &name) const;

    // "locked · max 20 · slow 5 s · password"; empty when the room has no limits.
    static QString settingsText(const RoomInfo &room);

private:
    friend class KeyedRows<RoomInfo, QString>;

    QVariant display(const RoomInfo &room, int column) const;
    QVariant sortValue(const RoomInfo &room, int column) const;
    QVariant toolTip(const RoomInfo &room, int column) const;
    static bool isNumeric(int column);

    KeyedRows<RoomInfo, QString> m_rows;
};
