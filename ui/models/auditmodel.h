#pragma once

#include <QAbstractTableModel>

#include "keyedrows.h"
#include "snapshot.h"

// Entries of the hub's audit log, as HubService::audit returns them for a filter. Matched by the
// store's id, so a refresh that only adds entries keeps the selection and scroll position.
class AuditModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Time, Actor, Action, Target, Room, Reason, Detail, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1, // the raw value: a QDateTime or a string
        ActionRole, // the engine's action code: ban, unban, mute, delete_message, ...
        ActorRole,
    };

    explicit AuditModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    void setEntries(const QList<AuditEntry> &entries);
    AuditEntry entryAt(int row) const;
    int rowOfEntry(qint64 id) const;

    // The action codes the engine writes, in the order a filter menu lists them.
    static QStringList actions();
    static QString actionName(const QString &action); // translated: "ban", "delete message"

private:
    friend class KeyedRows<AuditEntry, qint64>;

    QVariant display(const AuditEntry &entry, int column) const;
    QVariant toolTip(const AuditEntry &entry, int column) const;

    KeyedRows<AuditEntry, qint64> m_rows;
};
