#pragma once

#include <QAbstractTableModel>
#include <QColor>

#include "boundedrows.h"
#include "snapshot.h"

// The operator's event log: what the hub reported, newest at the bottom, bounded. Each batch
// from HubService::eventsOccurred costs the views one insertion and at most one removal.
class EventLogModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Time, Kind, User, Room, Detail, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1, // the raw value: a QDateTime or a string
        KindRole, // int(HubEvent::Kind)
    };

    static constexpr int DefaultLimit = 5000;

    explicit EventLogModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    void appendEvents(const QList<HubEvent> &events);
    void setLimit(int rows); // drops the oldest rows at once if there are more
    int limit() const { return m_rows.limit(); }
    void clear();

    HubEvent eventAt(int row) const;

    static QString kindName(HubEvent::Kind kind); // translated: "joined", "timed out", ...
    static bool isWarning(HubEvent::Kind kind); // something went wrong for someone
    static QColor warningColor(); // readable on light and dark backgrounds

private:
    friend class BoundedRows<HubEvent>;

    QVariant display(const HubEvent &event, int column) const;
    QVariant sortValue(const HubEvent &event, int column) const;
    QVariant toolTip(const HubEvent &event, int column) const;

    BoundedRows<HubEvent> m_rows;
};
