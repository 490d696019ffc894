// MainWindow: actions, menus, the toolbar, context menus and what the selection targets. Every
// way to run a command (menu, toolbar, shortcut, context menu) triggers the same QAction.
#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QStyle>
#include <QTableView>
#include <QToolBar>
#include <QToolButton>

#include "auditpane.h"
#include "connectionsmodel.h"
#include "eventlogmodel.h"
#include "hubservice.h"
#include "mainwindow.h"
#include "moderationimpact.h"
#include "protocol.h"
#include "rolefilterproxy.h"
#include "roommembersmodel.h"
#include "roommessagesmodel.h"
#include "roompane.h"
#include "roomsmodel.h"
#include "tablepane.h"
#include "usersmodel.h"

namespace {

QAction *separator(QObject *parent)
{
    auto *action = new QAction(parent);
    action->setSeparator(true);
    return action;
}

QString firstSelected(const TablePane *pane, int role)
{
    const QList<int> rows = pane->selectedSourceRows();
    if (rows.isEmpty())
        return {};
    const QAbstractItemModel *model = pane->proxy()->sourceModel();
    return model->index(rows.constFirst(), 0).data(role).toString();
}

} // namespace

QIcon MainWindow::themeIcon(const QString &name, int fallback) const
{
    // Desktop themes on Linux; the style's own icons where there is no theme (offscreen,
    // Windows, macOS). Nothing is downloaded or bundled.
    return QIcon::fromTheme(name, style()->standardIcon(QStyle::StandardPixmap(fallback)));
}

template<typename Slot>
QAction *MainWindow::makeAction(const QString &name, const QString &text, const QIcon &icon,
                                const QKeySequence &shortcut, Slot slot)
{
    auto *action = new QAction(icon, text, this);
    action->setObjectName(name);
    action->setShortcut(shortcut);
    connect(action, &QAction::triggered, this, slot);
    addAction(action); // shortcuts work even while the menu bar is hidden
    return action;
}

void MainWindow::createActions()
{
    createHubActions();
    createPeopleActions();
    createRoomActions();
    createViewActions();
    createModerationActions();
    labelActions();
    labelModerationActions();
}

void MainWindow::createHubActions()
{
    m_startAction =
        makeAction(QStringLiteral("startHubAction"), tr("&Start hub"),
                   themeIcon(QStringLiteral("media-playback-start"), QStyle::SP_MediaPlay), {},
                   &MainWindow::startHub);
    m_stopAction =
        makeAction(QStringLiteral("stopHubAction"), tr("S&top hub"),
                   themeIcon(QStringLiteral("media-playback-stop"), QStyle::SP_MediaStop), {},
                   &MainWindow::stopHub);
    m_restartAction =
        makeAction(QStringLiteral("restartHubAction"), tr("&Restart hub"),
                   themeIcon(QStringLiteral("view-refresh"), QStyle::SP_BrowserReload),
                   QKeySequence(tr("Ctrl+Shift+R")), &MainWindow::restartHub);
    m_settingsAction = makeAction(
        QStringLiteral("settingsAction"), tr("Hub se&ttings…"),
        themeIcon(QStringLiteral("preferences-system"), QStyle::SP_FileDialogDetailedView),
        QKeySequence(tr("Ctrl+,")), &MainWindow::editSettings);
    m_quitAction =
        makeAction(QStringLiteral("quitAction"), tr("&Quit"),
                   themeIcon(QStringLiteral("application-exit"), QStyle::SP_DialogCloseButton),
                   QKeySequence(tr("Ctrl+Q")), &MainWindow::close);
    m_quitAction->setMenuRole(QAction::QuitRole);
    m_copyAddressAction = makeAction(QStringLiteral("copyAddressAction"),
                                     tr("Copy connect &address"), {}, {}, &MainWindow::copyAddress);
    m_joinLinkAction = makeAction(QStringLiteral("joinLinkAction"), tr("&Join link and QR code…"),
                                  style()->standardIcon(QStyle::SP_DriveNetIcon),
                                  QKeySequence(Qt::CTRL | Qt::Key_J), &MainWindow::showJoinLink);
}

void MainWindow::createPeopleActions()
{
    m_kickUserAction =
        makeAction(QStringLiteral("kickUserAction"), tr("&Kick user…"),
                   themeIcon(QStringLiteral("im-kick-user"), QStyle::SP_DialogCancelButton),
                   QKeySequence(tr("Ctrl+K")), &MainWindow::kickUser);
    m_kickConnectionAction =
        makeAction(QStringLiteral("kickConnectionAction"), tr("Kick &connection…"),
                   themeIcon(QStringLiteral("network-disconnect"), QStyle::SP_DialogDiscardButton),
                   QKeySequence(tr("Ctrl+Shift+K")), &MainWindow::kickConnection);
    m_showDevicesAction =
        makeAction(QStringLiteral("showDevicesAction"), tr("Show all &devices of user"), {},
                   QKeySequence(tr("Ctrl+D")), &MainWindow::showDevicesOfSelectedUser);
    m_showAllAction =
        makeAction(QStringLiteral("showAllConnectionsAction"), tr("Show &all connections"),
                   themeIcon(QStringLiteral("edit-clear"), QStyle::SP_DialogResetButton),
                   QKeySequence(tr("Ctrl+Shift+D")), &MainWindow::showAllConnections);
    m_broadcastAction =
        makeAction(QStringLiteral("broadcastAction"), tr("&Broadcast…"),
                   themeIcon(QStringLiteral("mail-send"), QStyle::SP_MessageBoxInformation),
                   QKeySequence(tr("Ctrl+B")), &MainWindow::broadcast);
    m_broadcastRoomAction =
        makeAction(QStringLiteral("broadcastRoomAction"), tr("Broadcast to &room…"), {},
                   QKeySequence(tr("Ctrl+Shift+B")), &MainWindow::broadcastToRoom);
}

void MainWindow::createRoomActions()
{
    m_newRoomAction =
        makeAction(QStringLiteral("newRoomAction"), tr("&New room…"),
                   themeIcon(QStringLiteral("list-add"), QStyle::SP_FileDialogNewFolder),
                   QKeySequence::New, &MainWindow::createRoom);
    m_topicAction =
        makeAction(QStringLiteral("setTopicAction"), tr("Set &topic…"),
                   themeIcon(QStringLiteral("document-edit"), QStyle::SP_FileDialogContentsView),
                   QKeySequence(tr("Ctrl+T")), &MainWindow::setTopic);
    m_deleteRoomAction = makeAction(QStringLiteral("deleteRoomAction"), tr("&Delete room…"),
                                    themeIcon(QStringLiteral("edit-delete"), QStyle::SP_TrashIcon),
                                    {}, &MainWindow::deleteRoom);
}

void MainWindow::createViewActions()
{
    m_copyAction = makeAction(QStringLiteral("copyAction"), tr("&Copy"),
                              themeIcon(QStringLiteral("edit-copy"), QStyle::SP_FileIcon),
                              QKeySequence::Copy, &MainWindow::copySelection);
    m_filterAction = makeAction(QStringLiteral("filterAction"), tr("&Filter"), {},
                                QKeySequence::Find, &MainWindow::focusFilter);
    m_clearLogAction = makeAction(QStringLiteral("clearEventLogAction"), tr("C&lear event log"), {},
                                  {}, [this] { m_eventsModel->clear(); });
    m_shortcutsAction = makeAction(QStringLiteral("shortcutsAction"), tr("&Keyboard shortcuts"), {},
                                   QKeySequence::HelpContents, &MainWindow::showShortcuts);
    m_aboutAction = makeAction(QStringLiteral("aboutAction"), tr("&About Confab"), {}, {},
                               &MainWindow::showAbout);
    m_aboutQtAction = makeAction(QStringLiteral("aboutQtAction"), tr("About &Qt"), {}, {},
                                 &QApplication::aboutQt);
}

void MainWindow::createModerationActions()
{
    const QIcon ban = themeIcon(QStringLiteral("im-ban-user"), QStyle::SP_BrowserStop);
    m_banUserAction = makeAction(QStringLiteral("banUserAction"), tr("&Ban user…"), ban,
                                 QKeySequence(tr("Ctrl+Alt+B")), &MainWindow::banSelectedUser);
    m_banAddressAction = makeAction(QStringLiteral("banAddressAction"), tr("Ban &address…"), {}, {},
                                    &MainWindow::banSelectedAddress);
    m_muteUserAction =
        makeAction(QStringLiteral("muteUserAction"), tr("&Mute user…"),
                   themeIcon(QStringLiteral("audio-volume-muted"), QStyle::SP_MediaVolumeMuted),
                   QKeySequence(tr("Ctrl+M")), &MainWindow::muteSelectedUser);
    m_addBanAction =
        makeAction(QStringLiteral("addBanAction"), tr("&New ban…"), ban, {}, &MainWindow::addBan);
    m_liftBanAction =
        makeAction(QStringLiteral("liftBanAction"), tr("&Lift ban"),
                   themeIcon(QStringLiteral("edit-undo"), QStyle::SP_DialogResetButton), {},
                   &MainWindow::liftBan);
    m_addMuteAction = makeAction(QStringLiteral("addMuteAction"), tr("New m&ute…"),
                                 m_muteUserAction->icon(), {}, &MainWindow::addMute);
    m_liftMuteAction = makeAction(QStringLiteral("liftMuteAction"), tr("Lift mu&te"),
                                  m_liftBanAction->icon(), {}, &MainWindow::liftMute);
    m_roomSettingsAction = makeAction(
        QStringLiteral("roomSettingsAction"), tr("Room &settings…"),
        themeIcon(QStringLiteral("document-properties"), QStyle::SP_FileDialogDetailedView),
        QKeySequence(tr("Ctrl+Shift+S")), &MainWindow::editRoomSettings);
    m_historyAction =
        makeAction(QStringLiteral("historyAction"), tr("&History…"),
                   themeIcon(QStringLiteral("document-open-recent"), QStyle::SP_FileDialogBack),
                   QKeySequence(tr("Ctrl+H")), &MainWindow::showHistory);
    m_deleteMessageAction =
        makeAction(QStringLiteral("deleteMessageAction"), tr("De&lete message…"),
                   m_deleteRoomAction->icon(), {}, &MainWindow::deleteSelectedMessage);
    m_refreshAuditAction =
        makeAction(QStringLiteral("refreshAuditAction"), tr("&Refresh audit log"),
                   themeIcon(QStringLiteral("view-refresh"), QStyle::SP_BrowserReload), {},
                   [this] { m_auditPane->refresh(); });
    m_exportAuditAction =
        makeAction(QStringLiteral("exportAuditAction"), tr("&Export audit log as CSV…"),
                   themeIcon(QStringLiteral("document-save-as"), QStyle::SP_DialogSaveButton), {},
                   &MainWindow::exportAudit);
}

void MainWindow::labelModerationActions()
{
    m_banUserAction->setIconText(tr("Ban"));
    m_muteUserAction->setIconText(tr("Mute"));
    m_addBanAction->setIconText(tr("New ban"));
    m_liftBanAction->setIconText(tr("Lift"));
    m_addMuteAction->setIconText(tr("New mute"));
    m_liftMuteAction->setIconText(tr("Lift"));
    m_roomSettingsAction->setIconText(tr("Room settings"));
    m_historyAction->setIconText(tr("History"));
    m_refreshAuditAction->setIconText(tr("Refresh"));
    m_exportAuditAction->setIconText(tr("Export CSV…"));
    m_banUserAction->setToolTip(tr("Ban the selected user's name: every device is closed with "
                                   "code 4013 (Ctrl+Alt+B)"));
    m_muteUserAction->setToolTip(tr("Stop the selected user speaking in a room or anywhere "
                                    "(Ctrl+M)"));
}

void MainWindow::labelActions()
{
    // The toolbar keeps short labels while the menu items name their target.
    m_kickUserAction->setIconText(tr("Kick user"));
    m_kickConnectionAction->setIconText(tr("Kick connection"));
    m_showAllAction->setIconText(tr("All connections"));
    m_broadcastAction->setIconText(tr("Broadcast"));
    m_newRoomAction->setIconText(tr("New room"));
    m_topicAction->setIconText(tr("Topic"));
    m_deleteRoomAction->setIconText(tr("Delete room"));
    m_settingsAction->setIconText(tr("Settings"));
    m_kickUserAction->setToolTip(tr("Disconnect every device of the selected user (Ctrl+K)"));
    m_kickConnectionAction->setToolTip(tr("Disconnect the selected connection (Ctrl+Shift+K)"));
    m_broadcastAction->setToolTip(tr("Send an announcement to everyone or one room (Ctrl+B)"));
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addActions({m_settingsAction, separator(this), m_quitAction});

    QMenu *hub = menuBar()->addMenu(tr("H&ub"));
    hub->addActions({m_startAction, m_stopAction, m_restartAction, separator(this),
                     m_broadcastAction, separator(this), m_copyAddressAction, m_joinLinkAction});

    QMenu *users = menuBar()->addMenu(tr("U&sers"));
    users->addActions({m_kickUserAction, m_kickConnectionAction, separator(this),
                       m_showDevicesAction, m_showAllAction});

    QMenu *rooms = menuBar()->addMenu(tr("&Rooms"));
    rooms->addActions({m_newRoomAction, m_topicAction, m_roomSettingsAction, m_broadcastRoomAction,
                       separator(this), m_historyAction, m_deleteMessageAction, separator(this),
                       m_deleteRoomAction});

    QMenu *moderation = menuBar()->addMenu(tr("&Moderation"));
    moderation->addActions({m_banUserAction, m_banAddressAction, m_muteUserAction, separator(this),
                            m_addBanAction, m_liftBanAction, m_addMuteAction, m_liftMuteAction,
                            separator(this), m_refreshAuditAction, m_exportAuditAction});

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addActions({m_filterAction, m_copyAction, separator(this), m_clearLogAction});
    view->setObjectName(QStringLiteral("viewMenu"));

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addActions({m_shortcutsAction, separator(this), m_aboutAction, m_aboutQtAction});
}

void MainWindow::createToolBar()
{
    QToolBar *bar = addToolBar(tr("Main toolbar"));
    bar->setObjectName(QStringLiteral("mainToolBar"));
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->setMovable(false);
    bar->addActions({m_startAction, m_stopAction, m_restartAction});
    bar->addSeparator();
    bar->addActions({m_kickUserAction, m_kickConnectionAction, m_banUserAction, m_muteUserAction,
                     m_showAllAction});
    bar->addSeparator();
    bar->addActions({m_broadcastAction});
    bar->addSeparator();
    bar->addActions({m_newRoomAction, m_topicAction, m_deleteRoomAction});
    bar->addSeparator();
    bar->addAction(m_settingsAction);

    findChild<QMenu *>(QStringLiteral("viewMenu"))->addAction(bar->toggleViewAction());
}

// Context menus (the same actions as the menus) and the devices bar's "show all" button.
void MainWindow::installPaneActions()
{
    m_devicesButton->setDefaultAction(m_showAllAction);
    installModerationButtons();

    m_connectionsPane->view()->addActions(
        {m_kickConnectionAction, m_kickUserAction, m_banUserAction, m_banAddressAction,
         m_muteUserAction, separator(this), m_showDevicesAction, m_showAllAction, separator(this),
         m_broadcastAction, separator(this), m_copyAction});
    m_usersPane->view()->addActions({m_kickUserAction, m_banUserAction, m_muteUserAction,
                                     separator(this), m_showDevicesAction, separator(this),
                                     m_broadcastAction, separator(this), m_copyAction});
    m_roomsPane->view()->addActions({m_broadcastRoomAction, m_topicAction, m_roomSettingsAction,
                                     m_historyAction, separator(this), m_deleteRoomAction,
                                     separator(this), m_newRoomAction, separator(this),
                                     m_copyAction});
    m_roomPane->membersPane()->view()->addActions(
        {m_kickUserAction, m_banUserAction, m_muteUserAction, separator(this), m_showDevicesAction,
         separator(this), m_copyAction});
    m_roomPane->messagesView()->addActions({m_deleteMessageAction, separator(this),
                                            m_kickUserAction, m_banUserAction, m_muteUserAction,
                                            separator(this), m_historyAction, m_broadcastRoomAction,
                                            separator(this), m_copyAction});
    m_eventsPane->view()->addActions({m_copyAction, separator(this), m_clearLogAction});
    m_bansPane->view()->addActions(
        {m_liftBanAction, m_addBanAction, separator(this), m_copyAction});
    m_mutesPane->view()->addActions(
        {m_liftMuteAction, m_addMuteAction, separator(this), m_copyAction});
    m_auditPane->table()->view()->addActions(
        {m_refreshAuditAction, m_exportAuditAction, separator(this), m_copyAction});
}

// ---- Selection ------------------------------------------------------------------------------

void MainWindow::connectSelections()
{
    auto follow = [this](QTableView *view, void (MainWindow::*changed)()) {
        connect(view->selectionModel(), &QItemSelectionModel::selectionChanged, this, changed);
    };
    follow(m_connectionsPane->view(), &MainWindow::connectionSelectionChanged);
    follow(m_usersPane->view(), &MainWindow::userSelectionChanged);
    follow(m_roomPane->membersPane()->view(), &MainWindow::memberSelectionChanged);
    follow(m_roomsPane->view(), &MainWindow::roomSelectionChanged);
    follow(m_roomPane->messagesView(), &MainWindow::messageSelectionChanged);
    follow(m_bansPane->view(), &MainWindow::updateActions);
    follow(m_mutesPane->view(), &MainWindow::updateActions);
    connect(m_connectionsProxy, &RoleFilterProxy::roleFilterChanged, this,
            &MainWindow::updateActions);
}

void MainWindow::connectionSelectionChanged()
{
    const QList<int> rows = m_connectionsPane->selectedSourceRows();
    if (rows.isEmpty()) {
        m_selectedConnection = 0;
        m_selectedAddress.clear();
    } else {
        const ConnectionInfo connection = m_connectionsModel->connectionAt(rows.constFirst());
        m_selectedConnection = connection.id;
        m_selectedAddress = ModerationImpact::addressOfPeer(connection.peer);
        if (!connection.user.isEmpty())
            m_selectedUser = connection.user;
    }
    updateActions();
}

void MainWindow::userSelectionChanged()
{
    const QString user = firstSelected(m_usersPane, UsersModel::UserNameRole);
    if (user.isEmpty())
        return;

    m_selectedUser = user;
    showDevicesOf(user);
    updateActions();
}

void MainWindow::memberSelectionChanged()
{
    const QString user = firstSelected(m_roomPane->membersPane(), RoomMembersModel::UserNameRole);
    if (user.isEmpty())
        return;

    m_selectedUser = user;
    updateActions();
}

void MainWindow::roomSelectionChanged()
{
    const QString room = firstSelected(m_roomsPane, RoomsModel::RoomNameRole);
    if (room.isEmpty() || room == m_selectedRoom)
        return;

    m_selectedRoom = room;
    m_selectedMessage = 0;
    m_membersModel->setRoom(room);
    m_messagesModel->setRoom(room);
    m_messagesModel->appendMessages(m_recentMessages.value(Protocol::nameKey(room)));
    updateRoomPane();
    updateActions();
}

void MainWindow::messageSelectionChanged()
{
    const QModelIndexList rows = m_roomPane->messagesView()->selectionModel()->selectedRows();
    const RoomMessageInfo message =
        rows.isEmpty() ? RoomMessageInfo() : m_messagesModel->messageAt(rows.constFirst().row());
    m_selectedMessage = message.seq;

    // The sender becomes what kick, ban and mute act on, as selecting them elsewhere would.
    if (!message.from.isEmpty())
        m_selectedUser = message.from;
    updateActions();
}

void MainWindow::showDevicesOfSelectedUser()
{
    if (!m_selectedUser.isEmpty())
        showDevicesOf(m_selectedUser);
}

void MainWindow::showDevicesOf(const QString &user)
{
    m_connectionsProxy->setRoleFilter(ConnectionsModel::UserNameRole, user);
    m_devicesLabel->setText(tr("showing the devices of <b>%1</b>").arg(user.toHtmlEscaped()));
    m_devicesBar->show();
}

void MainWindow::showAllConnections()
{
    m_connectionsProxy->setRoleFilter(ConnectionsModel::UserNameRole, {});
    m_devicesBar->hide();
}

QList<TablePane *> MainWindow::tablePanes() const
{
    return {m_connectionsPane, m_usersPane, m_roomsPane, m_roomPane->membersPane(),
            m_eventsPane,      m_bansPane,  m_mutesPane, m_auditPane->table()};
}

TablePane *MainWindow::focusedPane() const
{
    const QWidget *focus = QApplication::focusWidget();
    for (TablePane *pane : tablePanes()) {
        if (focus && pane->isAncestorOf(focus))
            return pane;
    }
    return nullptr;
}

void MainWindow::focusFilter()
{
    TablePane *pane = focusedPane();
    (pane ? pane : m_connectionsPane)->focusFilter();
}

void MainWindow::copySelection()
{
    QString text;
    if (m_roomPane->messagesView()->hasFocus())
        text = TablePane::rowsAsText(m_roomPane->messagesView());
    else if (TablePane *pane = focusedPane())
        text = pane->selectionAsText();
    if (!text.isEmpty())
        QApplication::clipboard()->setText(text);
}

void MainWindow::updateActions()
{
    const bool running = m_service->isRunning();
    const bool user = !m_selectedUser.isEmpty();
    const bool room = !m_selectedRoom.isEmpty();

    m_startAction->setEnabled(!running);
    m_stopAction->setEnabled(running);
    m_restartAction->setEnabled(running);

    m_kickUserAction->setEnabled(running && user);
    m_kickUserAction->setText(user ? tr("&Kick %1 (all devices)…").arg(m_selectedUser)
                                   : tr("&Kick user…"));
    m_kickConnectionAction->setEnabled(running && m_selectedConnection != 0);
    m_kickConnectionAction->setText(m_selectedConnection
                                        ? tr("Kick &connection %1…").arg(m_selectedConnection)
                                        : tr("Kick &connection…"));
    m_showDevicesAction->setEnabled(user);
    m_showDevicesAction->setText(user ? tr("Show all &devices of %1").arg(m_selectedUser)
                                      : tr("Show all &devices of user"));
    m_showAllAction->setEnabled(!m_connectionsProxy->roleFilterValue().isEmpty());

    m_broadcastAction->setEnabled(running);
    m_broadcastRoomAction->setEnabled(running && room);
    m_broadcastRoomAction->setText(room ? tr("Broadcast to &room %1…").arg(m_selectedRoom)
                                        : tr("Broadcast to &room…"));
    m_newRoomAction->setEnabled(running);
    m_topicAction->setEnabled(running && room);
    m_deleteRoomAction->setEnabled(running && room);
    m_deleteRoomAction->setText(room ? tr("&Delete room %1…").arg(m_selectedRoom)
                                     : tr("&Delete room…"));
    m_copyAddressAction->setEnabled(running);
    m_joinLinkAction->setEnabled(running);
    updateModerationActions();
}
