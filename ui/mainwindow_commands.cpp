// MainWindow: the operator's commands. Each asks what it needs in a dialog, queues the command
// on the engine thread through HubService, and shows the OperatorResult when it comes back,
// without blocking the window while the hub works.
#include <QApplication>
#include <QClipboard>
#include <QMessageBox>
#include <QPushButton>
#include <QStatusBar>

#include "broadcastdialog.h"
#include "futureresult.h"
#include "hubservice.h"
#include "joindialog.h"
#include "kickdialog.h"
#include "mainwindow.h"
#include "roomdialog.h"
#include "uilogging.h"
#include "uitext.h"

namespace {

constexpr int StatusMessageMs = 8000;

} // namespace

void MainWindow::kickUser()
{
    const QString user = m_selectedUser;
    if (user.isEmpty())
        return;

    KickDialog dialog(tr("Kick %1").arg(user), kickSummary(user),
                      tr("Every device of %1 is disconnected with close code 4001 and the "
                         "reason below.")
                          .arg(user),
                      this);
    if (dialog.exec() != QDialog::Accepted)
        return;

    watch(m_service->kickUser(user, dialog.reason()), tr("Kick %1").arg(user),
          [user](int n) { return tr("Kicked %1: %2 closed").arg(user, UiText::connections(n)); });
}

QString MainWindow::kickSummary(const QString &user) const
{
    QStringList devices;
    for (const ConnectionInfo &connection : m_snapshot.connections) {
        if (connection.user.compare(user, Qt::CaseInsensitive) == 0)
            devices.append(connection.device.isEmpty() ? tr("no device name") : connection.device);
    }

    const QString count = tr("%1: %2").arg(user, UiText::connections(int(devices.size())));
    if (devices.isEmpty())
        return count;
    return count + QStringLiteral(" (%1)").arg(devices.join(QStringLiteral(", ")));
}

void MainWindow::kickConnection()
{
    const quint64 id = m_selectedConnection;
    if (id == 0)
        return;

    const ConnectionInfo connection = connectionInfo(id);
    const QString who = connection.user.isEmpty() ? tr("not yet identified") : connection.user;
    const QString device =
        connection.device.isEmpty() ? tr("an unnamed device") : connection.device;
    const QString summary =
        tr("Connection %1: %2 on %3 from %4").arg(id).arg(who, device, connection.peer);

    KickDialog dialog(tr("Kick connection %1").arg(id), summary,
                      tr("Only this connection is closed (code 4001); the user's other devices "
                         "stay connected."),
                      this);
    if (dialog.exec() != QDialog::Accepted)
        return;

    watch(m_service->kickConnection(id, dialog.reason()), tr("Kick connection %1").arg(id),
          [id](int) { return tr("Kicked connection %1").arg(id); });
}

void MainWindow::broadcast()
{
    openBroadcastComposer({});
}

void MainWindow::broadcastToRoom()
{
    openBroadcastComposer(m_selectedRoom);
}

void MainWindow::openBroadcastComposer(const QString &room)
{
    BroadcastDialog dialog(roomNames(), room, m_service->config().maxTextChars, this);
    if (dialog.exec() != QDialog::Accepted)
        return;

    const QString target = dialog.room();
    const QString what = target.isEmpty() ? tr("Broadcast") : tr("Broadcast to %1").arg(target);
    watch(m_service->broadcast(dialog.text(), target), what,
          [what](int n) { return tr("%1: sent to %2").arg(what, UiText::connections(n)); });
}

void MainWindow::createRoom()
{
    RoomDialog dialog(RoomDialog::Mode::Create, roomNames(), this);
    if (dialog.exec() != QDialog::Accepted)
        return;

    const QString room = dialog.name();
    watch(m_service->createRoom(room, dialog.topic()), tr("Create room %1").arg(room),
          [room](int) { return tr("Room %1 created").arg(room); });
}

void MainWindow::setTopic()
{
    const QString room = m_selectedRoom;
    if (room.isEmpty())
        return;

    RoomDialog dialog(RoomDialog::Mode::EditTopic, roomNames(), this);
    dialog.setName(room);
    dialog.setTopic(roomInfo(room).topic);
    if (dialog.exec() != QDialog::Accepted)
        return;

    watch(m_service->setTopic(room, dialog.topic()), tr("Set the topic of %1").arg(room),
          [room](int) { return tr("Topic of %1 set").arg(room); });
}

void MainWindow::deleteRoom()
{
    const QString room = m_selectedRoom;
    if (room.isEmpty())
        return;

    const int members = int(roomInfo(room).members.size());
    QMessageBox box(QMessageBox::Warning, tr("Delete room %1").arg(room),
                    tr("Delete room %1? Its %2 are taken out of it, and clients that ask for it "
                       "later are told it does not exist.")
                        .arg(room, UiText::members(members)),
                    QMessageBox::Cancel, this);
    box.setObjectName(QStringLiteral("deleteRoomBox"));
    QPushButton *remove = box.addButton(tr("&Delete room"), QMessageBox::DestructiveRole);
    box.setDefaultButton(QMessageBox::Cancel);
    box.exec();
    if (box.clickedButton() != remove)
        return;

    watch(m_service->deleteRoom(room), tr("Delete room %1").arg(room),
          [room](int) { return tr("Room %1 deleted").arg(room); });
}

void MainWindow::copyAddress()
{
    const QStringList urls = connectUrls();
    if (!urls.isEmpty())
        QApplication::clipboard()->setText(urls.join(QLatin1Char('\n')));
}

void MainWindow::showJoinLink()
{
    JoinDialog dialog(connectUrls(), this);
    dialog.exec();
}

QStringList MainWindow::roomNames() const
{
    QStringList names;
    for (const RoomInfo &room : m_snapshot.rooms)
        names.append(room.name);
    names.sort(Qt::CaseInsensitive);
    return names;
}

ConnectionInfo MainWindow::connectionInfo(quint64 id) const
{
    for (const ConnectionInfo &connection : m_snapshot.connections) {
        if (connection.id == id)
            return connection;
    }
    return {};
}

RoomInfo MainWindow::roomInfo(const QString &room) const
{
    for (const RoomInfo &info : m_snapshot.rooms) {
        if (info.name.compare(room, Qt::CaseInsensitive) == 0)
            return info;
    }
    return {};
}

void MainWindow::watch(QFuture<OperatorResult> future, const QString &what, SuccessText success)
{
    // On this window's thread, and not at all once the window is gone.
    whenReady(this, std::move(future), [this, what, success](const OperatorResult &result) {
        showResult(what, success, result);
    });
}

void MainWindow::showResult(const QString &what, const SuccessText &success,
                            const OperatorResult &result)
{
    if (result.ok) {
        statusBar()->showMessage(success(result.affected), StatusMessageMs);
        return;
    }

    const QString message = result.message.isEmpty() ? result.error : result.message;
    qCInfo(lcUi, "%s failed: %s", qUtf8Printable(what), qUtf8Printable(result.error));
    statusBar()->showMessage(tr("%1 failed: %2").arg(what, message), StatusMessageMs);
    addLocalEvent(HubEvent::Kind::Error, tr("%1 failed: %2").arg(what, message));

    // Window-modal and not waited for: the tables keep updating behind it.
    auto *box = new QMessageBox(QMessageBox::Warning, tr("%1 failed").arg(what), message,
                                QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("operatorErrorBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}
