#pragma once

#include <QList>
#include <QWidget>

#include "snapshot.h"

class AuditModel;
class HubService;
class QAction;
class QComboBox;
class QHBoxLayout;
class QLineEdit;
class QTimer;
class TablePane;

// The hub's audit log: who banned, muted, kicked or deleted what, and why. Filtered by actor
// and action in the hub (HubService::audit), by free text here, and fetched again on request or
// shortly after the hub reports a moderation event.
class AuditPane : public QWidget
{
    Q_OBJECT

public:
    static constexpr int FetchLimit = 1000;
    static constexpr int RefreshDelayMs = 250; // a burst of moderation events costs one fetch

    AuditPane(HubService *service, QWidget *parent = nullptr);

    TablePane *table() const { return m_table; }
    AuditModel *model() const { return m_model; }
    AuditFilter filter() const;
    void addToolAction(QAction *action); // a tool button on the filter row

    void refresh(); // fetches now
    void scheduleRefresh();
    void clear();

    // The rows the table shows, in its order, as RFC 4180 CSV with a header row.
    QList<AuditEntry> shownEntries() const;
    bool exportCsv(const QString &path, QString *error) const;

signals:
    void refreshed(int entries);

private:
    HubService *m_service;
    AuditModel *m_model;
    TablePane *m_table;
    QLineEdit *m_actor;
    QComboBox *m_action;
    QHBoxLayout *m_filters;
    QTimer *m_refreshTimer;
    quint64 m_generation = 0; // answers to an older fetch are dropped
};
