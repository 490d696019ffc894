#pragma once

#include <QWidget>

class QLabel;
class QStackedWidget;
class QTableView;
class RoomMembersModel;
class RoomMessagesModel;
class TablePane;

// The selected room: its topic, its members with their presence, and its messages as they
// arrive (read-only; the operator watches, the broadcast composer speaks).
class RoomPane : public QWidget
{
    Q_OBJECT

public:
    RoomPane(RoomMembersModel *members, RoomMessagesModel *messages, QWidget *parent = nullptr);

    // Empty room: nothing selected.
    void showRoom(const QString &room, const QString &topic, int memberCount);

    TablePane *membersPane() const { return m_members; }
    QTableView *messagesView() const { return m_messagesView; }
    QByteArray saveLayout() const;
    void restoreLayout(const QByteArray &state);

private:
    QWidget *buildMessages(RoomMessagesModel *messages);
    void rememberScroll();
    void followNewMessages();
    void updateMessagesPlaceholder();

    QLabel *m_header;
    TablePane *m_members;
    QStackedWidget *m_messagesStack = nullptr;
    QLabel *m_placeholder = nullptr;
    QTableView *m_messagesView = nullptr;
    QString m_room;
    bool m_wasAtBottom = true;
};
