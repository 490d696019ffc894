#pragma once

#include <QDialog>

#include "snapshot.h"

class HistoryModel;
class HubService;
class QAction;
class QLabel;
class QPushButton;
class QTableView;

// Pages back through one room's kept history (HubService::history): the newest page first,
// then older ones on request. Not modal, so the console keeps updating while the operator
// reads; deleting a message is asked of the window, which confirms and runs it.
class HistoryDialog : public QDialog
{
    Q_OBJECT

public:
    static constexpr int PageSize = 100;

    HistoryDialog(HubService *service, const QString &room, QWidget *parent = nullptr);

    QString room() const { return m_room; }
    HistoryModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    QAction *deleteAction() const { return m_deleteAction; }
    bool isLoading() const { return m_loading; }

    void reload(); // the newest page again
    void loadOlder();
    void markDeleted(quint64 seq);

signals:
    void deleteRequested(const QString &room, const RoomMessageInfo &message);
    void pageLoaded();

private:
    void fetch(quint64 before);
    void pageArrived(const HistoryPage &page, bool older);
    void requestDelete();
    void updateState();

    HubService *m_service;
    QString m_room;
    HistoryModel *m_model;
    QTableView *m_view;
    QLabel *m_status;
    QPushButton *m_older;
    QPushButton *m_newest;
    QAction *m_deleteAction;
    QString m_error;
    bool m_loading = false;
};
