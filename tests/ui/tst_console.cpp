// The console end to end, under QT_QPA_PLATFORM=offscreen: a real MainWindow over a real hub
// on 127.0.0.1 port 0, real clients, and the same QActions the menus and shortcuts trigger.
// Dialogs are answered from inside their exec() loop, the way a person would answer them.
#include <functional>
#include <memory>

#include <QAbstractItemModel>
#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTableView>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include "auditmodel.h"
#include "auditpane.h"
#include "bandialog.h"
#include "bansmodel.h"
#include "broadcastdialog.h"
#include "connectionsmodel.h"
#include "historydialog.h"
#include "historymodel.h"
#include "hubservice.h"
#include "joindialog.h"
#include "kickdialog.h"
#include "mainwindow.h"
#include "reasondialog.h"
#include "roomdialog.h"
#include "roommembersmodel.h"
#include "roomsettingsdialog.h"
#include "roomsmodel.h"
#include "settingsdialog.h"
#include "testclient.h"
#include "usersmodel.h"

namespace {

constexpr int ModalWaitMs = 10000;

// Runs handle on the next modal dialog, from inside that dialog's exec(). Gives up after
// ModalWaitMs so a dialog that never opens fails the test instead of hanging it.
void onNextModal(std::function<void(QWidget *)> handle)
{
    auto *timer = new QTimer;
    auto *clock = new QElapsedTimer;
    clock->start();
    timer->setInterval(10);
    QObject::connect(timer, &QTimer::timeout, [timer, clock, handle] {
        QWidget *modal = QApplication::activeModalWidget();
        if (!modal && clock->elapsed() < ModalWaitMs)
            return;
        timer->stop();
        timer->deleteLater();
        delete clock;
        if (modal)
            handle(modal);
    });
    timer->start();
}

QAbstractItemModel *sourceOf(QTableView *view)
{
    return qobject_cast<QSortFilterProxyModel *>(view->model())->sourceModel();
}

// Selects the view's row whose column-0 `role` is value; false if there is none.
bool selectRow(QTableView *view, int role, const QString &value)
{
    const QAbstractItemModel *model = view->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        const QModelIndex index = model->index(row, 0);
        if (index.data(role).toString() == value) {
            view->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect
                                                      | QItemSelectionModel::Rows);
            view->setCurrentIndex(index);
            return true;
        }
    }
    return false;
}

bool menusContain(const QMainWindow &window, const QAction *action)
{
    for (const QAction *menuAction : window.menuBar()->actions()) {
        if (menuAction->menu() && menuAction->menu()->actions().contains(action))
            return true;
    }
    return false;
}

QString str(const QJsonObject &f, const char *key)
{
    return f.value(QLatin1String(key)).toString();
}

} // namespace

class TestConsole : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void statusBarShowsWhereToConnect();
    void tablesAndRoomPaneShowClients();
    void shortcutsFilterAndCopy();
    void kickUserThroughMenuAction();
    void kickOneConnectionLeavesOtherDevices();
    void broadcastFromComposer();
    void createRoomThroughAction();
    void settingsDialogSavesThroughStore();
    void stopAndStartThroughActions();
    void portInUseOffersAnotherPort();
    void closeWithPeopleConnectedAsksFirst();
    void columnLayoutIsRemembered();
    void joinLinkShowsQrCodeAndCopies();
    void banFromContextMenuClosesEveryDevice();
    void deleteFromHistoryViewer();
    void roomSettingsApply();
    void statusBarSaysHistoryIsInMemory();

private:
    TestClient *client(const QString &user, const QString &device = {}, const QString &token = {});
    QTableView *view(const char *name) const;
    QAction *action(const char *name) const;

    std::unique_ptr<HubService> m_service;
    std::unique_ptr<MainWindow> m_window;
    QList<TestClient *> m_clients;
};

void TestConsole::initTestCase()
{
    // The console's remembered layout goes to a test-only location, fresh for each run.
    QStandardPaths::setTestModeEnabled(true);
    QDir(QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation)
         + QStringLiteral("/confab"))
        .removeRecursively();
}

void TestConsole::init()
{
    HubConfig config = testHubConfig();
    config.rooms = {QStringLiteral("general"), QStringLiteral("random")};
    config.operatorName = QStringLiteral("Front Desk");

    m_service = std::make_unique<HubService>();
    m_window = std::make_unique<MainWindow>(m_service.get());
    m_window->setHubConfig(config);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QVERIFY(m_window->startHub());
    QVERIFY(m_service->isRunning());
}

void TestConsole::cleanup()
{
    qDeleteAll(m_clients);
    m_clients.clear();
    m_window.reset();
    m_service.reset();
}

TestClient *TestConsole::client(const QString &user, const QString &device, const QString &token)
{
    auto *c = new TestClient(m_service->port());
    m_clients.append(c);
    if (!c->connectToHub() || c->hello(user, device, token).isEmpty())
        qWarning("client %s could not connect", qPrintable(user));
    return c;
}

QTableView *TestConsole::view(const char *name) const
{
    return m_window->findChild<QTableView *>(QLatin1String(name));
}

QAction *TestConsole::action(const char *name) const
{
    return m_window->findChild<QAction *>(QLatin1String(name));
}

void TestConsole::statusBarShowsWhereToConnect()
{
    const auto *address = m_window->findChild<QLabel *>(QStringLiteral("addressLabel"));
    const auto *state = m_window->findChild<QLabel *>(QStringLiteral("hubStateLabel"));
    const auto *count = m_window->findChild<QLabel *>(QStringLiteral("countLabel"));
    QVERIFY(address && state && count);

    const QString url = QStringLiteral("http://127.0.0.1:%1/").arg(m_service->port());
    QTRY_VERIFY2(address->text().contains(url), qPrintable(address->text()));
    QVERIFY(state->text().contains(QStringLiteral("Running")));
    QCOMPARE(m_window->connectUrls(), QStringList {url});

    client(QStringLiteral("alice"));
    QTRY_VERIFY2(count->text().startsWith(QStringLiteral("1 connection,")),
                 qPrintable(count->text()));
}

void TestConsole::tablesAndRoomPaneShowClients()
{
    TestClient *alice = client(QStringLiteral("alice"), QStringLiteral("laptop"));
    client(QStringLiteral("alice"), QStringLiteral("phone"), alice->token);
    TestClient *bob = client(QStringLiteral("bob"), QStringLiteral("desk"));
    alice->join(QStringLiteral("general"));
    bob->join(QStringLiteral("general"));

    QTableView *connections = view("connectionsView");
    QTableView *users = view("usersView");
    QTableView *rooms = view("roomsView");
    QTRY_COMPARE(connections->model()->rowCount(), 3);
    QTRY_COMPARE(users->model()->rowCount(), 2);
    QTRY_VERIFY(static_cast<RoomsModel *>(sourceOf(rooms))->rowOfRoom(QStringLiteral("general"))
                >= 0);

    // Selecting a room shows its members with presence, and its messages as they arrive.
    QVERIFY(selectRow(rooms, RoomsModel::RoomNameRole, QStringLiteral("general")));
    QTableView *members = view("roomMembersView");
    QTRY_COMPARE(members->model()->rowCount(), 2);
    bob->send(
        frame(QStringLiteral("status"), {{QStringLiteral("status"), QStringLiteral("away")}}));
    QTRY_VERIFY(selectRow(members, RoomMembersModel::StatusRole, QStringLiteral("away")));

    alice->send(frame(QStringLiteral("say"), {{QStringLiteral("room"), QStringLiteral("general")},
                                              {QStringLiteral("text"), QStringLiteral("hi all")}}));
    QTableView *messages = view("roomMessagesView");
    QTRY_COMPARE(messages->model()->rowCount(), 1);
    QCOMPARE(messages->model()->index(0, 3).data().toString(), QStringLiteral("hi all"));
    QTRY_VERIFY(messages->isVisible());
}

void TestConsole::shortcutsFilterAndCopy()
{
    client(QStringLiteral("alice"), QStringLiteral("laptop"));
    client(QStringLiteral("bob"), QStringLiteral("desk"));
    QTableView *connections = view("connectionsView");
    QTRY_COMPARE(connections->model()->rowCount(), 2);
    QApplication::setActiveWindow(m_window.get());
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));

    // Ctrl+C copies the selected rows of the table that has the focus.
    connections->setFocus();
    QVERIFY(selectRow(connections, ConnectionsModel::UserNameRole, QStringLiteral("bob")));
    QTest::keyClick(connections, Qt::Key_C, Qt::ControlModifier);
    const QString copied = QApplication::clipboard()->text();
    QVERIFY2(copied.contains(QStringLiteral("bob\tdesk")), qPrintable(copied));

    // Ctrl+F goes to that table's filter; typing there narrows the table.
    QTest::keyClick(connections, Qt::Key_F, Qt::ControlModifier);
    auto *filter = qobject_cast<QLineEdit *>(QApplication::focusWidget());
    QVERIFY(filter);
    QTest::keyClicks(filter, QStringLiteral("laptop"));
    QCOMPARE(connections->model()->rowCount(), 1);
    QCOMPARE(connections->model()->index(0, ConnectionsModel::User).data().toString(),
             QStringLiteral("alice"));
}

void TestConsole::kickUserThroughMenuAction()
{
    TestClient *laptop = client(QStringLiteral("alice"), QStringLiteral("laptop"));
    TestClient *phone = client(QStringLiteral("alice"), QStringLiteral("phone"), laptop->token);
    TestClient *bob = client(QStringLiteral("bob"));
    QTableView *connections = view("connectionsView");
    QTRY_COMPARE(connections->model()->rowCount(), 3);

    // Selecting alice among the users shows both her devices together.
    QTableView *users = view("usersView");
    QTRY_VERIFY(selectRow(users, UsersModel::UserNameRole, QStringLiteral("alice")));
    QTRY_COMPARE(connections->model()->rowCount(), 2);

    QAction *kick = action("kickUserAction");
    QVERIFY(kick && kick->isEnabled());
    QVERIFY(menusContain(*m_window, kick));
    QCOMPARE(kick->shortcut(), QKeySequence(QStringLiteral("Ctrl+K")));

    QString summary;
    onNextModal([&summary](QWidget *modal) {
        auto *dialog = qobject_cast<KickDialog *>(modal);
        QVERIFY(dialog);
        summary = dialog->summary();
        dialog->setReason(QStringLiteral("Please take a break"));
        dialog->accept();
    });
    kick->trigger();
    QVERIFY2(summary.startsWith(QStringLiteral("alice: 2 connections")), qPrintable(summary));

    for (TestClient *device : {laptop, phone}) {
        QTRY_VERIFY(!device->isConnected());
        QCOMPARE(device->closeCode(), 4001);
        QCOMPARE(device->closeReason(), QStringLiteral("Please take a break"));
        QCOMPARE(str(device->waitFor(QStringLiteral("kicked")), "reason"),
                 QStringLiteral("Please take a break"));
    }

    // Her rows leave the table; bob's stays.
    auto *model = static_cast<ConnectionsModel *>(sourceOf(connections));
    QTRY_COMPARE(model->rowCount(), 1);
    QCOMPARE(model->connectionAt(0).user, QStringLiteral("bob"));
    QCOMPARE(connections->model()->rowCount(), 0); // still showing alice's devices: none
    QVERIFY(bob->isConnected());
}

void TestConsole::kickOneConnectionLeavesOtherDevices()
{
    TestClient *laptop = client(QStringLiteral("alice"), QStringLiteral("laptop"));
    TestClient *phone = client(QStringLiteral("alice"), QStringLiteral("phone"), laptop->token);
    QTableView *connections = view("connectionsView");
    QTRY_COMPARE(connections->model()->rowCount(), 2);

    QVERIFY(selectRow(connections, ConnectionsModel::ConnectionIdRole,
                      QString::number(phone->connectionId)));
    QAction *kick = action("kickConnectionAction");
    QVERIFY(kick->isEnabled());
    onNextModal([](QWidget *modal) { qobject_cast<QDialog *>(modal)->accept(); });
    kick->trigger();

    QTRY_VERIFY(!phone->isConnected());
    QCOMPARE(phone->closeCode(), 4001);
    QTRY_COMPARE(connections->model()->rowCount(), 1);
    QVERIFY(laptop->isConnected());
}

void TestConsole::broadcastFromComposer()
{
    TestClient *alice = client(QStringLiteral("alice"));
    TestClient *bob = client(QStringLiteral("bob"));
    QTRY_COMPARE(view("connectionsView")->model()->rowCount(), 2);

    bool sentWithCtrlReturn = false;
    onNextModal([&sentWithCtrlReturn](QWidget *modal) {
        auto *dialog = qobject_cast<BroadcastDialog *>(modal);
        QVERIFY(dialog);
        auto *text = dialog->findChild<QPlainTextEdit *>(QStringLiteral("broadcastText"));
        QTest::keyClicks(text, QStringLiteral("Standup in 5"));
        QTest::keyClick(text, Qt::Key_Return, Qt::ControlModifier);
        sentWithCtrlReturn = !dialog->isVisible();
        if (dialog->isVisible())
            dialog->accept(); // let the test go on; the QVERIFY below reports it
    });
    QAction *broadcast = action("broadcastAction");
    QVERIFY(menusContain(*m_window, broadcast));
    broadcast->trigger();
    QVERIFY(sentWithCtrlReturn);

    for (TestClient *c : {alice, bob}) {
        const QJsonObject announcement = c->waitFor(QStringLiteral("announcement"));
        QCOMPARE(str(announcement, "text"), QStringLiteral("Standup in 5"));
        QCOMPARE(str(announcement, "from"), QStringLiteral("Front Desk"));
        QVERIFY(!announcement.contains(QStringLiteral("room")));
    }
}

void TestConsole::createRoomThroughAction()
{
    QString problem;
    onNextModal([&problem](QWidget *modal) {
        auto *dialog = qobject_cast<RoomDialog *>(modal);
        QVERIFY(dialog);
        auto *ok = dialog->findChild<QPushButton *>(QStringLiteral("roomOkButton"));
        dialog->setName(QStringLiteral("no spaces"));
        problem = ok->isEnabled() ? QStringLiteral("a bad name was accepted") : QString();
        dialog->setName(QStringLiteral("lab"));
        dialog->setTopic(QStringLiteral("3D printing"));
        ok->click();
    });
    action("newRoomAction")->trigger();
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    auto *rooms = static_cast<RoomsModel *>(sourceOf(view("roomsView")));
    QTRY_VERIFY(rooms->rowOfRoom(QStringLiteral("lab")) >= 0);
    QTRY_COMPARE(rooms->roomAt(rooms->rowOfRoom(QStringLiteral("lab"))).topic,
                 QStringLiteral("3D printing"));
}

void TestConsole::settingsDialogSavesThroughStore()
{
    HubConfig saved;
    int saves = 0;
    m_window->setSettingsStore([&](const HubConfig &config, QString *) {
        saved = config;
        ++saves;
        return true;
    });

    QLineEdit::EchoMode echo = QLineEdit::Normal;
    onNextModal([&echo](QWidget *modal) {
        auto *dialog = qobject_cast<SettingsDialog *>(modal);
        QVERIFY(dialog);
        auto *password = dialog->findChild<QLineEdit *>(QStringLiteral("hubPassword"));
        echo = password->echoMode();
        password->setText(QStringLiteral("s3cret"));
        dialog->accept();
        // Then "Restart now?": not now.
        onNextModal([](QWidget *question) {
            qobject_cast<QMessageBox *>(question)->button(QMessageBox::No)->click();
        });
    });
    action("settingsAction")->trigger();

    QCOMPARE(echo, QLineEdit::Password);
    QCOMPARE(saves, 1);
    QCOMPARE(saved.password, QStringLiteral("s3cret"));
    QCOMPARE(saved.operatorName, QStringLiteral("Front Desk"));
    QCOMPARE(m_window->hubConfig().password, QStringLiteral("s3cret"));
    QVERIFY(m_service->isRunning()); // applies on restart, not before
}

void TestConsole::stopAndStartThroughActions()
{
    QTRY_COMPARE(view("roomsView")->model()->rowCount(), 2);
    const auto *state = m_window->findChild<QLabel *>(QStringLiteral("hubStateLabel"));
    QAction *start = action("startHubAction");
    QAction *stop = action("stopHubAction");
    QVERIFY(!start->isEnabled() && stop->isEnabled());

    stop->trigger(); // nobody connected: no question
    QVERIFY(!m_service->isRunning());
    QVERIFY2(state->text().contains(QStringLiteral("Stopped")), qPrintable(state->text()));
    QVERIFY(start->isEnabled() && !stop->isEnabled());
    QVERIFY(!action("broadcastAction")->isEnabled());
    QCOMPARE(view("roomsView")->model()->rowCount(), 0); // no stale rows from the old hub

    start->trigger();
    QVERIFY(m_service->isRunning());
    QVERIFY(state->text().contains(QStringLiteral("Running")));
    QTRY_COMPARE(view("roomsView")->model()->rowCount(), 2);
}

void TestConsole::portInUseOffersAnotherPort()
{
    m_service->stop();
    QTcpServer blocker;
    QVERIFY(blocker.listen(QHostAddress::LocalHost));
    HubConfig config = m_window->hubConfig();
    config.port = blocker.serverPort();
    m_window->setHubConfig(config);

    QString message;
    onNextModal([&message](QWidget *modal) {
        auto *box = qobject_cast<QMessageBox *>(modal);
        QVERIFY(box);
        message = box->text();
        box->findChild<QPushButton *>(QStringLiteral("useAnyPortButton"))->click();
    });
    QVERIFY(m_window->startHub());

    QVERIFY2(message.contains(QString::number(blocker.serverPort())), qPrintable(message));
    QVERIFY(message.contains(QStringLiteral("in use")));
    QVERIFY(m_service->isRunning());
    QVERIFY(m_service->port() != blocker.serverPort());
    QCOMPARE(m_window->hubConfig().port, m_service->port()); // a restart keeps the new address
}

void TestConsole::closeWithPeopleConnectedAsksFirst()
{
    TestClient *alice = client(QStringLiteral("alice"));
    QTRY_COMPARE(view("connectionsView")->model()->rowCount(), 1);
    QSignalSpy quit(m_window.get(), &MainWindow::quitRequested);

    // Cancel keeps everything as it was.
    onNextModal([](QWidget *modal) {
        qobject_cast<QMessageBox *>(modal)->button(QMessageBox::Cancel)->click();
    });
    QVERIFY(!m_window->close());
    QVERIFY(m_service->isRunning());
    QCOMPARE(quit.count(), 0);

    // Stop disconnects everyone with 1001 and asks the app to quit.
    onNextModal([](QWidget *modal) {
        auto *box = qobject_cast<QMessageBox *>(modal);
        for (QAbstractButton *button : box->buttons()) {
            if (box->buttonRole(button) == QMessageBox::DestructiveRole)
                button->click();
        }
    });
    QVERIFY(m_window->close());
    QCOMPARE(quit.count(), 1);
    QVERIFY(!m_service->isRunning());
    QTRY_VERIFY(!alice->isConnected());
    QCOMPARE(alice->closeCode(), 1001);
}

void TestConsole::columnLayoutIsRemembered()
{
    QTableView *connections = view("connectionsView");
    connections->horizontalHeader()->resizeSection(ConnectionsModel::Peer, 333);
    QVERIFY(m_window->close()); // nobody connected: closes without asking

    HubService service;
    MainWindow again(&service);
    auto *view = again.findChild<QTableView *>(QStringLiteral("connectionsView"));
    QCOMPARE(view->horizontalHeader()->sectionSize(ConnectionsModel::Peer), 333);
}

void TestConsole::joinLinkShowsQrCodeAndCopies()
{
    const QString url = QStringLiteral("http://127.0.0.1:%1/").arg(m_service->port());
    QTRY_VERIFY(action("joinLinkAction")->isEnabled());

    QString shown;
    bool hasCode = false;
    onNextModal([&](QWidget *modal) {
        auto *dialog = qobject_cast<JoinDialog *>(modal);
        QVERIFY(dialog);
        shown = dialog->currentUrl();
        hasCode = dialog->findChild<QrWidget *>()->hasCode();
        dialog->findChild<QPushButton *>(QStringLiteral("copyLinkButton"))->click();
        dialog->reject();
    });
    QAction *join = action("joinLinkAction");
    QVERIFY(menusContain(*m_window, join));
    join->trigger();

    QCOMPARE(shown, url);
    QVERIFY(hasCode);
    QCOMPARE(QApplication::clipboard()->text(), url);
}

void TestConsole::banFromContextMenuClosesEveryDevice()
{
    TestClient *laptop = client(QStringLiteral("alice"), QStringLiteral("laptop"));
    TestClient *phone = client(QStringLiteral("alice"), QStringLiteral("phone"), laptop->token);
    TestClient *bob = client(QStringLiteral("bob"));
    laptop->join(QStringLiteral("general"));
    phone->join(QStringLiteral("random"));
    QTableView *users = view("usersView");
    QTRY_VERIFY(selectRow(users, UsersModel::UserNameRole, QStringLiteral("alice")));
    QTRY_COMPARE(view("connectionsView")->model()->rowCount(), 2);

    // The users view's context menu holds the shared action, and it confirms what it closes.
    QAction *ban = action("banUserAction");
    QVERIFY(users->actions().contains(ban));
    QVERIFY(view("connectionsView")->actions().contains(ban));
    QVERIFY(view("roomMessagesView")->actions().contains(ban));
    QTRY_VERIFY(ban->isEnabled());
    QString question;
    onNextModal([&question](QWidget *modal) {
        auto *dialog = qobject_cast<BanDialog *>(modal);
        QVERIFY(dialog);
        question = dialog->question();
        dialog->setReason(QStringLiteral("spamming"));
        dialog->accept();
    });
    ban->trigger();
    QCOMPARE(question, QStringLiteral("Ban alice? This closes 2 connections in 2 rooms."));

    for (TestClient *device : {laptop, phone}) {
        QTRY_VERIFY_WITH_TIMEOUT(!device->isConnected(), 10000);
        QCOMPARE(device->closeCode(), 4013);
    }
    QVERIFY(bob->isConnected());

    // The bans table lists it; lifting it (confirmed) empties the table.
    QTableView *bans = view("bansView");
    QTRY_COMPARE_WITH_TIMEOUT(bans->model()->rowCount(), 1, 10000);
    QCOMPARE(bans->model()->index(0, BansModel::Target).data().toString(), QStringLiteral("alice"));
    QCOMPARE(bans->model()->index(0, BansModel::Reason).data().toString(),
             QStringLiteral("spamming"));
    QVERIFY(selectRow(bans, BansModel::TargetRole, QStringLiteral("alice")));
    QAction *lift = action("liftBanAction");
    QVERIFY(bans->actions().contains(lift));
    QVERIFY(lift->isEnabled());
    onNextModal([](QWidget *modal) {
        qobject_cast<QMessageBox *>(modal)->button(QMessageBox::Ok)->click();
    });
    lift->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(bans->model()->rowCount(), 0, 10000);

    // The audit pane shows the ban under the operator's name, and exports it.
    QTableView *audit = view("auditView");
    const auto hasBanBy = [audit](const QString &actor) {
        for (int row = 0; row < audit->model()->rowCount(); ++row) {
            const QModelIndex index = audit->model()->index(row, 0);
            if (index.data(AuditModel::ActionRole).toString() == QLatin1String("ban")
                && index.data(AuditModel::ActorRole).toString() == actor)
                return true;
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(hasBanBy(QStringLiteral("Front Desk")), 10000);

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("audit.csv"));
    QString error;
    QVERIFY2(m_window->findChild<AuditPane *>()->exportCsv(path, &error), qPrintable(error));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString csv = QString::fromUtf8(file.readAll());
    QVERIFY(csv.startsWith(QLatin1String("time,actor,action,")));
    QVERIFY2(csv.contains(QLatin1String(",Front Desk,ban,alice,,spamming,")), qPrintable(csv));
}

void TestConsole::deleteFromHistoryViewer()
{
    TestClient *alice = client(QStringLiteral("alice"));
    TestClient *bob = client(QStringLiteral("bob"));
    alice->join(QStringLiteral("general"));
    bob->join(QStringLiteral("general"));
    for (const char *text : {"one", "two", "three"})
        alice->send(
            frame(QStringLiteral("say"), {{QStringLiteral("room"), QStringLiteral("general")},
                                          {QStringLiteral("text"), QLatin1String(text)}}));
    for (int i = 0; i < 3; ++i)
        QVERIFY(!bob->waitFor(QStringLiteral("message")).isEmpty());

    QTRY_VERIFY(selectRow(view("roomsView"), RoomsModel::RoomNameRole, QStringLiteral("general")));
    QAction *history = action("historyAction");
    QVERIFY(view("roomsView")->actions().contains(history));
    QVERIFY(view("roomMessagesView")->actions().contains(history));
    QTRY_VERIFY(history->isEnabled());
    history->trigger();

    auto *dialog = m_window->findChild<HistoryDialog *>();
    QVERIFY(dialog);
    QTRY_COMPARE_WITH_TIMEOUT(dialog->model()->rowCount(), 3, 10000);
    const int two = dialog->model()->rowOfSeq(2);
    QCOMPARE(dialog->model()->index(two, HistoryModel::Text).data().toString(),
             QStringLiteral("two"));
    dialog->view()->selectRow(two);
    QVERIFY(dialog->deleteAction()->isEnabled());

    QString summary;
    onNextModal([&summary](QWidget *modal) {
        auto *confirm = qobject_cast<ReasonDialog *>(modal);
        QVERIFY(confirm);
        summary = confirm->summary();
        confirm->setReason(QStringLiteral("off topic"));
        confirm->accept();
    });
    dialog->deleteAction()->trigger();
    QVERIFY2(summary.startsWith(QLatin1String("Delete message 2 by alice in general?")),
             qPrintable(summary));

    const QJsonObject deleted = bob->waitFor(QStringLiteral("deleted"), 10000);
    QCOMPARE(str(deleted, "room"), QStringLiteral("general"));
    QCOMPARE(deleted.value(QLatin1String("seq")).toInt(), 2);
    QTRY_COMPARE(dialog->model()->index(two, HistoryModel::Text).data().toString(),
                 QStringLiteral("(deleted)"));

    // The viewer fetched again shows the hub's own tombstone.
    dialog->reload();
    QTRY_VERIFY(!dialog->isLoading());
    QVERIFY(dialog->model()
                ->index(dialog->model()->rowOfSeq(2), 0)
                .data(HistoryModel::DeletedRole)
                .toBool());
}

void TestConsole::roomSettingsApply()
{
    QTableView *rooms = view("roomsView");
    QTRY_VERIFY(selectRow(rooms, RoomsModel::RoomNameRole, QStringLiteral("general")));
    QAction *settings = action("roomSettingsAction");
    QVERIFY(rooms->actions().contains(settings));
    QTRY_VERIFY(settings->isEnabled());

    onNextModal([](QWidget *modal) {
        auto *dialog = qobject_cast<RoomSettingsDialog *>(modal);
        QVERIFY(dialog);
        dialog->setSlowModeS(5);
        dialog->setLocked(true);
        dialog->setNewPassword(QStringLiteral("hunter2"));
        dialog->accept();
    });
    settings->trigger();

    auto *model = static_cast<RoomsModel *>(sourceOf(rooms));
    const auto general = [model] {
        return model->roomAt(model->rowOfRoom(QStringLiteral("general")));
    };
    QTRY_COMPARE_WITH_TIMEOUT(general().slowModeS, 5, 10000);
    QVERIFY(general().locked);
    QVERIFY(general().hasPassword);
}

void TestConsole::statusBarSaysHistoryIsInMemory()
{
    const auto *storage = m_window->findChild<QLabel *>(QStringLiteral("storageLabel"));
    QVERIFY(storage);
    QTRY_VERIFY2(storage->text().contains(QLatin1String("nothing survives a restart")),
                 qPrintable(storage->text()));
}

QTEST_MAIN(TestConsole)
#include "tst_console.moc"
