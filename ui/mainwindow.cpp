#include "mainwindow.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSet>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolButton>

#include "auditpane.h"
#include "bansmodel.h"
#include "connectinfo.h"
#include "connectionsmodel.h"
#include "eventlogmodel.h"
#include "hubservice.h"
#include "mutesmodel.h"
#include "protocol.h"
#include "rolefilterproxy.h"
#include "roommembersmodel.h"
#include "roommessagesmodel.h"
#include "roompane.h"
#include "roomsmodel.h"
#include "tablepane.h"
#include "throughputcharts.h"
#include "uitext.h"
#include "usersmodel.h"

MainWindow::MainWindow(HubService *service, QWidget *parent)
    : QMainWindow(parent)
    , m_service(service)
    , m_connectionsModel(new ConnectionsModel(this))
    , m_usersModel(new UsersModel(this))
    , m_roomsModel(new RoomsModel(this))
    , m_membersModel(new RoomMembersModel(this))
    , m_messagesModel(new RoomMessagesModel(this))
    , m_eventsModel(new EventLogModel(this))
    , m_bansModel(new BansModel(this))
    , m_mutesModel(new MutesModel(this))
    , m_history(ThroughputCharts::WindowSeconds)
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowIcon(themeIcon(QStringLiteral("network-workgroup"), QStyle::SP_ComputerIcon));
    m_eventsModel->setLimit(EventLogLimit);
    m_messagesModel->setLimit(RoomMessagesLimit);

    buildPanes();
    createActions();
    createMenus();
    createToolBar();
    installPaneActions();
    buildStatusBar();
    connectSelections();
    connectService();
    createTrayIcon();
    restoreLayout();

    updateActions();
    updateStatusBar();
    updateWindowTitle();
}

MainWindow::~MainWindow() = default;

void MainWindow::setHubConfig(const HubConfig &config)
{
    m_config = config;
}

// ---- Panes ----------------------------------------------------------------------------------

void MainWindow::buildPanes()
{
    m_charts = new ThroughputCharts(this);
    m_charts->setObjectName(QStringLiteral("throughputCharts"));
    m_roomPane = new RoomPane(m_membersModel, m_messagesModel, this);
    m_roomPane->setObjectName(QStringLiteral("roomPane"));

    // Three bands, most urgent on top: who is here, where they talk, how busy it is.
    QSplitter *top = splitter(Qt::Horizontal, QStringLiteral("topSplitter"),
                              {buildConnectionsPane(), buildUsersPane()}, {890, 510});
    QSplitter *middle = splitter(Qt::Horizontal, QStringLiteral("middleSplitter"),
                                 {buildRoomsPane(), m_roomPane}, {520, 880});
    QSplitter *bottom = splitter(Qt::Horizontal, QStringLiteral("bottomSplitter"),
                                 {m_charts, buildLogTabs()}, {700, 700});
    QSplitter *main = splitter(Qt::Vertical, QStringLiteral("mainSplitter"), {top, middle, bottom},
                               {300, 250, 290});
    main->setContentsMargins(4, 4, 4, 0);
    setCentralWidget(main);
}

QSplitter *MainWindow::splitter(Qt::Orientation orientation, const QString &name,
                                const QList<QWidget *> &widgets, const QList<int> &sizes)
{
    auto *splitter = new QSplitter(orientation, this);
    splitter->setObjectName(name);
    splitter->setChildrenCollapsible(false);
    for (int i = 0; i < widgets.size(); ++i) {
        splitter->addWidget(widgets.at(i));
        splitter->setStretchFactor(i, sizes.at(i));
    }
    splitter->setSizes(sizes);
    m_splitters.append(splitter);
    return splitter;
}

QWidget *MainWindow::buildConnectionsPane()
{
    m_connectionsProxy = new RoleFilterProxy(this);
    m_connectionsPane =
        new TablePane(tr("Connections"), m_connectionsModel, m_connectionsProxy, this);
    m_connectionsPane->setObjectName(QStringLiteral("connectionsPane"));
    m_connectionsPane->view()->setObjectName(QStringLiteral("connectionsView"));
    m_connectionsPane->setColumnWidths({38, 74, 66, 114, 70, 78, 56, 62, 64, 70, 56});
    m_connectionsPane->view()->sortByColumn(ConnectionsModel::Id, Qt::AscendingOrder);
    m_connectionsPane->setCountText([](int shown, int total) {
        return shown == total ? UiText::connections(total)
                              : tr("%1 of %2").arg(shown).arg(UiText::connections(total));
    });

    // "Devices of alice  [Show all]": the filter that selecting a user sets, visibly undoable.
    m_devicesBar = new QWidget(m_connectionsPane);
    auto *layout = new QHBoxLayout(m_devicesBar);
    layout->setContentsMargins(12, 0, 0, 0);
    m_devicesLabel = new QLabel(m_devicesBar);
    m_devicesLabel->setObjectName(QStringLiteral("devicesLabel"));
    layout->addWidget(m_devicesLabel);
    m_devicesButton = new QToolButton(m_devicesBar);
    m_devicesButton->setAutoRaise(true);
    m_devicesButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    layout->addWidget(m_devicesButton);
    m_devicesBar->hide();
    m_connectionsPane->addHeaderWidget(m_devicesBar);
    return m_connectionsPane;
}

QWidget *MainWindow::buildUsersPane()
{
    m_usersPane = new TablePane(tr("Users and presence"), m_usersModel, nullptr, this);
    m_usersPane->setObjectName(QStringLiteral("usersPane"));
    m_usersPane->view()->setObjectName(QStringLiteral("usersView"));
    m_usersPane->setColumnWidths({90, 76, 58, 124});
    m_usersPane->view()->sortByColumn(UsersModel::Name, Qt::AscendingOrder);
    m_usersPane->setCountText([](int shown, int total) {
        return shown == total ? UiText::users(total)
                              : tr("%1 of %2").arg(shown).arg(UiText::users(total));
    });
    return m_usersPane;
}

QWidget *MainWindow::buildRoomsPane()
{
    m_roomsPane = new TablePane(tr("Rooms"), m_roomsModel, nullptr, this);
    m_roomsPane->setObjectName(QStringLiteral("roomsPane"));
    m_roomsPane->view()->setObjectName(QStringLiteral("roomsView"));
    m_roomsPane->view()->setSelectionMode(QAbstractItemView::SingleSelection);
    m_roomsPane->setColumnWidths({84, 130, 62, 56, 58});
    m_roomsPane->view()->sortByColumn(RoomsModel::Name, Qt::AscendingOrder);
    m_roomsPane->setCountText([](int shown, int total) {
        return shown == total ? UiText::rooms(total)
                              : tr("%1 of %2").arg(shown).arg(UiText::rooms(total));
    });
    return m_roomsPane;
}

QWidget *MainWindow::buildEventLogPane()
{
    m_eventsPane = new TablePane(tr("Event log"), m_eventsModel, nullptr, this);
    m_eventsPane->setObjectName(QStringLiteral("eventLogPane"));
    m_eventsPane->view()->setObjectName(QStringLiteral("eventLogView"));
    m_eventsPane->setColumnWidths({66, 104, 72, 72});
    m_eventsPane->setCountText([](int shown, int total) {
        return shown == total ? UiText::events(total)
                              : tr("%1 of %2").arg(shown).arg(UiText::events(total));
    });

    // Newest first: the operator glances at the top, not at a scroll position.
    m_eventsPane->view()->sortByColumn(EventLogModel::Time, Qt::DescendingOrder);
    return m_eventsPane;
}

// The log and the moderation tables share the bottom band: the operator looks at one at a time.
QWidget *MainWindow::buildLogTabs()
{
    m_logTabs = new QTabWidget(this);
    m_logTabs->setObjectName(QStringLiteral("logTabs"));
    m_logTabs->setDocumentMode(true);
    m_logTabs->addTab(buildEventLogPane(), tr("&Event log"));
    m_logTabs->addTab(buildBansPane(), tr("Ba&ns"));
    m_logTabs->addTab(buildMutesPane(), tr("M&utes"));
    m_logTabs->addTab(buildAuditPane(), tr("&Audit log"));
    return m_logTabs;
}

void MainWindow::buildStatusBar()
{
    m_stateLabel = new QLabel(this);
    m_stateLabel->setObjectName(QStringLiteral("hubStateLabel"));
    m_addressLabel = new QLabel(this);
    m_addressLabel->setObjectName(QStringLiteral("addressLabel"));
    m_addressLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_countLabel = new QLabel(this);
    m_countLabel->setObjectName(QStringLiteral("countLabel"));
    m_rateLabel = new QLabel(this);
    m_rateLabel->setObjectName(QStringLiteral("rateLabel"));
    m_storageLabel = new QLabel(this);
    m_storageLabel->setObjectName(QStringLiteral("storageLabel"));

    for (QLabel *label :
         {m_stateLabel, m_addressLabel, m_countLabel, m_rateLabel, m_storageLabel}) {
        label->setContentsMargins(6, 0, 6, 0);
        statusBar()->addPermanentWidget(label);
    }
}

// ---- Live data ------------------------------------------------------------------------------

void MainWindow::connectService()
{
    m_service->setSnapshotInterval(SnapshotIntervalMs);
    m_service->setRoomFeedEnabled(true);

    connect(m_service, &HubService::snapshotUpdated, this, &MainWindow::snapshotArrived);
    connect(m_service, &HubService::eventsOccurred, m_eventsModel, &EventLogModel::appendEvents);
    connect(m_service, &HubService::eventsOccurred, this, &MainWindow::moderationEventsArrived);
    connect(m_service, &HubService::roomMessagesArrived, this, &MainWindow::roomMessagesArrived);
    connect(m_service, &HubService::stopped, this, &MainWindow::hubStopped);
}

void MainWindow::snapshotArrived()
{
    // If the GUI thread falls behind, queued snapshots pile up; apply only the newest one.
    if (m_snapshotPending)
        return;
    m_snapshotPending = true;
    QTimer::singleShot(0, this, [this] {
        m_snapshotPending = false;
        if (m_service->isRunning())
            applySnapshot(m_service->latestSnapshot());
    });
}

// Known limitation: each snapshot carries every connection, so a hub with 10,000 of them copies
// and compares 10,000 rows twice a second on this thread; the models keep that to changed rows
// for the views, and bench/ measures what it costs. Row deltas from the engine would remove it.
void MainWindow::applySnapshot(const HubSnapshot &snapshot)
{
    m_snapshot = snapshot;
    m_connectionsModel->setSnapshot(snapshot);
    m_usersModel->setUsers(snapshot.users);
    m_roomsModel->setRooms(snapshot.rooms);
    m_membersModel->setSnapshot(snapshot);
    m_bansModel->setSnapshot(snapshot);
    m_mutesModel->setSnapshot(snapshot);
    forgetDeletedRooms();

    m_history.add(snapshot);
    m_charts->showHistory(m_history);

    updateRoomPane();
    updateStatusBar();
    updateTray();
    updateActions();
}

void MainWindow::clearLiveData()
{
    m_snapshot = HubSnapshot();
    m_connectionsModel->setConnections({});
    m_usersModel->setUsers({});
    m_roomsModel->setRooms({});
    m_membersModel->setSnapshot(m_snapshot);
    m_bansModel->setSnapshot(m_snapshot);
    m_mutesModel->setSnapshot(m_snapshot);
    m_auditPane->clear();
    m_messagesModel->clear(); // a restarted hub numbers messages from 1 again
    m_recentMessages.clear();
    updateRoomPane();
}

void MainWindow::roomMessagesArrived(const QList<RoomMessageInfo> &messages)
{
    // A few recent messages of every room, so selecting a room shows what was just said
    // instead of an empty pane until someone speaks again.
    // Known limitation: the live view shows only what was said since the console opened (or
    // the hub restarted); anything older is one step away, in the room's history viewer.
    for (const RoomMessageInfo &message : messages) {
        QList<RoomMessageInfo> &recent = m_recentMessages[Protocol::nameKey(message.room)];
        recent.append(message);
        if (recent.size() > RecentMessagesPerRoom)
            recent.remove(0, recent.size() - RecentMessagesPerRoom);
    }
    m_messagesModel->appendMessages(messages);
}

void MainWindow::forgetDeletedRooms()
{
    if (m_recentMessages.isEmpty())
        return;

    QSet<QString> rooms;
    for (const RoomInfo &room : std::as_const(m_snapshot.rooms))
        rooms.insert(Protocol::nameKey(room.name));
    for (auto it = m_recentMessages.begin(); it != m_recentMessages.end();)
        it = rooms.contains(it.key()) ? std::next(it) : m_recentMessages.erase(it);
}

void MainWindow::updateRoomPane()
{
    const RoomInfo room = roomInfo(m_selectedRoom);
    m_roomPane->showRoom(m_selectedRoom, room.topic, int(room.members.size()));
}

QStringList MainWindow::connectUrls(ConnectInfo::Kind kind) const
{
    if (!m_service->isRunning())
        return {};

    QList<QHostAddress> addresses = m_snapshot.listenAddresses;
    const QHostAddress &listen = m_config.listenAddress;
    if (addresses.isEmpty() && listen != QHostAddress(QHostAddress::Any))
        addresses = {listen}; // before the first snapshot
    return ConnectInfo::urls(addresses, m_service->port(), kind);
}

void MainWindow::updateStatusBar()
{
    const bool running = m_service->isRunning();
    const QString colour = running ? QStringLiteral("#2ea04a") : QStringLiteral("#d94040");
    const QString state = running ? tr("Running") : tr("Stopped");
    QString text = QStringLiteral("<span style=\"color:%1\">&#9679;</span> %2").arg(colour, state);
    if (!running && !m_stoppedReason.isEmpty())
        text += QStringLiteral(" (%1)").arg(m_stoppedReason.toHtmlEscaped());
    m_stateLabel->setText(text);

    const QStringList urls = connectUrls();
    if (!running)
        m_addressLabel->setText(tr("Not listening"));
    else if (urls.isEmpty())
        m_addressLabel->setText(tr("Listening on port %1").arg(m_service->port()));
    else
        m_addressLabel->setText(tr("Open %1 in a browser").arg(urls.join(QStringLiteral(", "))));
    m_addressLabel->setToolTip(
        tr("The chat page:\n%1\nWebSocket endpoint for apps:\n%2")
            .arg(urls.join(QLatin1Char('\n')),
                 connectUrls(ConnectInfo::Kind::WebSocket).join(QLatin1Char('\n'))));

    const HubTotals &totals = m_snapshot.totals;
    m_countLabel->setText(
        tr("%1, %2").arg(UiText::connections(totals.connections), UiText::users(totals.users)));
    m_rateLabel->setText(tr("in %1/s · out %2/s · deliveries %3/s")
                             .arg(totals.messagesInPerSecond, 0, 'f', 1)
                             .arg(totals.messagesOutPerSecond, 0, 'f', 1)
                             .arg(totals.deliveriesPerSecond, 0, 'f', 1));
    m_rateLabel->setToolTip(tr("Messages from clients, frames to clients, and chat messages "
                               "delivered, per second"));
    updateStorageLabel();
}

void MainWindow::updateStorageLabel()
{
    // Said plainly because it decides what an operator can promise: whether history, bans
    // and the audit log outlive a restart.
    if (!m_service->isRunning() || !m_snapshot.takenAt.isValid()) {
        m_storageLabel->clear();
        m_storageLabel->setToolTip({});
    } else if (m_snapshot.persistent) {
        m_storageLabel->setText(tr("History kept in %1").arg(m_snapshot.storage));
        m_storageLabel->setToolTip(tr("Room history, stored dms, bans, mutes and the audit log "
                                      "are kept in this database and survive a restart."));
    } else {
        m_storageLabel->setText(
            tr("<span style=\"color:#d94040\">Memory only</span> — nothing survives a restart"));
        m_storageLabel->setToolTip(tr("The hub has no database (no data directory, or "
                                      "persistence is off): history, bans, mutes and the audit "
                                      "log are lost when it stops."));
    }
}

void MainWindow::updateWindowTitle()
{
    if (m_service->isRunning())
        setWindowTitle(tr("Confab console: port %1").arg(m_service->port()));
    else
        setWindowTitle(tr("Confab console: stopped"));
}

void MainWindow::addLocalEvent(HubEvent::Kind kind, const QString &detail)
{
    HubEvent event;
    event.time = QDateTime::currentDateTimeUtc();
    event.kind = kind;
    event.detail = detail;
    m_eventsModel->appendEvents({event});
}
