#pragma once

#include <functional>
#include <memory>

#include <QFuture>
#include <QHash>
#include <QMainWindow>
#include <QPointer>

#include "connectinfo.h"
#include "hubconfig.h"
#include "snapshot.h"
#include "throughputhistory.h"

class AuditPane;
class BansModel;
class ConnectionsModel;
class EventLogModel;
class HistoryDialog;
class HubService;
class MutesModel;
class QAction;
class QLabel;
class QSettings;
class QSplitter;
class QSystemTrayIcon;
class QTabWidget;
class QToolButton;
class RoleFilterProxy;
class RoomMembersModel;
class RoomMessagesModel;
class RoomPane;
class RoomsModel;
class TablePane;
class ThroughputCharts;
class UsersModel;

// The operator's console. It sees the hub only through HubService: value snapshots on a timer,
// batched events and room messages, and commands that answer with a QFuture. It never holds a
// socket, so a busy hub cannot stall it and a stalled console cannot stall the hub.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    // Saves hub settings (the app writes its INI file); false with a readable error.
    using SettingsStore = std::function<bool(const HubConfig &config, QString *error)>;

    static constexpr int SnapshotIntervalMs = 500;
    static constexpr int EventLogLimit = 5000;
    static constexpr int RoomMessagesLimit = 500;
    static constexpr int RecentMessagesPerRoom = 100; // shown at once when a room is selected

    explicit MainWindow(HubService *service, QWidget *parent = nullptr);
    ~MainWindow() override;

    // The settings the next start uses. The window starts nothing by itself: call startHub().
    void setHubConfig(const HubConfig &config);
    HubConfig hubConfig() const { return m_config; }
    void setSettingsStore(SettingsStore store) { m_settingsStore = std::move(store); }
    void setSettingsFileName(const QString &path) { m_settingsFile = path; }
    void setPasswordSource(const QString &source) { m_passwordSource = source; }

    // Where people should connect, as the status bar shows it.
    QStringList connectUrls(ConnectInfo::Kind kind = ConnectInfo::Kind::Browser) const;

    // Starts the hub with hubConfig(). If the port is taken it says so and offers another;
    // any other failure is shown too. False if the hub is not running afterwards.
    bool startHub();
    void stopHub();
    void restartHub();

    // Stops the hub (clients get 1001) and asks the app to quit, without asking anything:
    // for SIGINT/SIGTERM and the tray's Quit.
    void stopHubAndQuit();

signals:
    void quitRequested();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    enum class CloseChoice { Stop, KeepInTray, Cancel };

    // mainwindow.cpp: panes, snapshots, status bar
    void buildPanes();
    QWidget *buildConnectionsPane();
    QWidget *buildUsersPane();
    QWidget *buildRoomsPane();
    QWidget *buildEventLogPane();
    QWidget *buildLogTabs();
    QSplitter *splitter(Qt::Orientation orientation, const QString &name,
                        const QList<QWidget *> &widgets, const QList<int> &sizes);
    void buildStatusBar();
    void connectService();
    void snapshotArrived();
    void applySnapshot(const HubSnapshot &snapshot);
    void clearLiveData();
    void roomMessagesArrived(const QList<RoomMessageInfo> &messages);
    void forgetDeletedRooms();
    void updateRoomPane();
    void updateStatusBar();
    void updateStorageLabel();
    void updateWindowTitle();
    void addLocalEvent(HubEvent::Kind kind, const QString &detail);

    // mainwindow_actions.cpp: actions, menus, toolbar, context menus, selection
    void createActions();
    void createHubActions();
    void createPeopleActions();
    void createRoomActions();
    void createViewActions();
    void labelActions();
    template<typename Slot>
    QAction *makeAction(const QString &name, const QString &text, const QIcon &icon,
                        const QKeySequence &shortcut, Slot slot);
    QIcon themeIcon(const QString &name, int fallback) const;
    void createMenus();
    void createToolBar();
    void installPaneActions();
    void connectSelections();
    void updateActions();
    void connectionSelectionChanged();
    void userSelectionChanged();
    void memberSelectionChanged();
    void roomSelectionChanged();
    void messageSelectionChanged();
    void showDevicesOfSelectedUser();
    void showDevicesOf(const QString &user);
    void showAllConnections();
    void focusFilter();
    void copySelection();
    TablePane *focusedPane() const;

    // mainwindow_commands.cpp: operator commands and their results
    void kickUser();
    void kickConnection();
    void broadcast();
    void broadcastToRoom();
    void openBroadcastComposer(const QString &room);
    void createRoom();
    void setTopic();
    void deleteRoom();
    void copyAddress();
    void showJoinLink();
    QString kickSummary(const QString &user) const;
    ConnectionInfo connectionInfo(quint64 id) const;
    QStringList roomNames() const;
    RoomInfo roomInfo(const QString &room) const;
    using SuccessText = std::function<QString(int affected)>;
    void watch(QFuture<OperatorResult> future, const QString &what, SuccessText success);
    void showResult(const QString &what, const SuccessText &success, const OperatorResult &result);

    // mainwindow_moderation.cpp: bans, mutes, room settings, history, deletion, the audit log
    void createModerationActions();
    void labelModerationActions();
    QWidget *buildBansPane();
    QWidget *buildMutesPane();
    QWidget *buildAuditPane();
    void installModerationButtons();
    void updateModerationActions();
    void banSelectedUser();
    void banSelectedAddress();
    void addBan();
    void openBanDialog(bool address, const QString &target);
    void liftBan();
    void muteSelectedUser();
    void addMute();
    void openMuteDialog(const QString &user, const QString &room);
    void liftMute();
    void editRoomSettings();
    void showHistory();
    HistoryDialog *openHistory(const QString &room);
    void deleteSelectedMessage();
    void deleteMessage(const QString &room, const RoomMessageInfo &message);
    void markMessageDeleted(const QString &room, quint64 seq);
    void exportAudit();
    void moderationEventsArrived(const QList<HubEvent> &events);
    RoomMessageInfo selectedMessage() const;

    // mainwindow_hub.cpp: start, stop, settings, closing, the tray, the remembered layout
    bool startWith(HubConfig config);
    bool offerAnotherPort(HubConfig *config);
    void hubStarted();
    void hubStopped();
    bool confirmDisconnect(const QString &action);
    void editSettings();
    QString settingsNote() const;
    CloseChoice askOnClose();
    void createTrayIcon();
    void updateTray();
    void showFromTray();
    void showShortcuts();
    void showAbout();
    std::unique_ptr<QSettings> layoutSettings() const;
    void restoreLayout();
    void saveLayout();
    QList<TablePane *> tablePanes() const;

    HubService *m_service;
    HubConfig m_config;
    SettingsStore m_settingsStore;
    QString m_settingsFile;
    QString m_passwordSource;

    ConnectionsModel *m_connectionsModel;
    UsersModel *m_usersModel;
    RoomsModel *m_roomsModel;
    RoomMembersModel *m_membersModel;
    RoomMessagesModel *m_messagesModel;
    EventLogModel *m_eventsModel;
    BansModel *m_bansModel;
    MutesModel *m_mutesModel;
    ThroughputHistory m_history;
    HubSnapshot m_snapshot; // the latest one applied
    bool m_snapshotPending = false;
    QHash<QString, QList<RoomMessageInfo>> m_recentMessages; // by room name key, oldest first

    TablePane *m_connectionsPane = nullptr;
    RoleFilterProxy *m_connectionsProxy = nullptr;
    QWidget *m_devicesBar = nullptr;
    QLabel *m_devicesLabel = nullptr;
    QToolButton *m_devicesButton = nullptr;
    TablePane *m_usersPane = nullptr;
    TablePane *m_roomsPane = nullptr;
    RoomPane *m_roomPane = nullptr;
    TablePane *m_eventsPane = nullptr;
    QTabWidget *m_logTabs = nullptr;
    TablePane *m_bansPane = nullptr;
    TablePane *m_mutesPane = nullptr;
    AuditPane *m_auditPane = nullptr;
    QHash<QString, QPointer<HistoryDialog>> m_historyDialogs; // by room name key
    ThroughputCharts *m_charts = nullptr;
    QList<QSplitter *> m_splitters;

    QLabel *m_stateLabel = nullptr;
    QLabel *m_addressLabel = nullptr;
    QLabel *m_countLabel = nullptr;
    QLabel *m_rateLabel = nullptr;
    QLabel *m_storageLabel = nullptr;
    QSystemTrayIcon *m_tray = nullptr;

    // What the selection-dependent commands act on; names, not rows, so a snapshot that moves
    // rows does not change the target under the operator's hand.
    QString m_selectedUser;
    quint64 m_selectedConnection = 0;
    QString m_selectedRoom;
    QString m_selectedAddress; // of the selected connection
    quint64 m_selectedMessage = 0; // seq in the selected room's live view
    QString m_stoppedReason; // shown while stopped: why it is not running

    QAction *m_startAction = nullptr;
    QAction *m_stopAction = nullptr;
    QAction *m_restartAction = nullptr;
    QAction *m_settingsAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_kickUserAction = nullptr;
    QAction *m_kickConnectionAction = nullptr;
    QAction *m_showDevicesAction = nullptr;
    QAction *m_showAllAction = nullptr;
    QAction *m_broadcastAction = nullptr;
    QAction *m_broadcastRoomAction = nullptr;
    QAction *m_newRoomAction = nullptr;
    QAction *m_topicAction = nullptr;
    QAction *m_deleteRoomAction = nullptr;
    QAction *m_copyAction = nullptr;
    QAction *m_joinLinkAction = nullptr;
    QAction *m_copyAddressAction = nullptr;
    QAction *m_filterAction = nullptr;
    QAction *m_clearLogAction = nullptr;
    QAction *m_shortcutsAction = nullptr;
    QAction *m_aboutAction = nullptr;
    QAction *m_aboutQtAction = nullptr;
    QAction *m_banUserAction = nullptr;
    QAction *m_banAddressAction = nullptr;
    QAction *m_muteUserAction = nullptr;
    QAction *m_addBanAction = nullptr;
    QAction *m_liftBanAction = nullptr;
    QAction *m_addMuteAction = nullptr;
    QAction *m_liftMuteAction = nullptr;
    QAction *m_roomSettingsAction = nullptr;
    QAction *m_historyAction = nullptr;
    QAction *m_deleteMessageAction = nullptr;
    QAction *m_refreshAuditAction = nullptr;
    QAction *m_exportAuditAction = nullptr;
    bool m_quitting = false;
};
