// MainWindow: moderation. Bans and mutes (tables from the snapshot, commands through
// HubService), room settings, the history viewer and message deletion, and the audit log. Each
// command confirms what it will touch, computed from the latest snapshot, and acts under the
// configured operator name (an empty `by`).
#include <QAction>
#include <QFileDialog>
#include <QItemSelectionModel>
#include <QMessageBox>
#include <QPushButton>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QToolButton>

#include "auditpane.h"
#include "bandialog.h"
#include "bansmodel.h"
#include "futureresult.h"
#include "historydialog.h"
#include "hubservice.h"
#include "mainwindow.h"
#include "modelformat.h"
#include "moderationimpact.h"
#include "mutedialog.h"
#include "mutesmodel.h"
#include "protocol.h"
#include "reasondialog.h"
#include "roommessagesmodel.h"
#include "roompane.h"
#include "roomsettingsdialog.h"
#include "tablepane.h"
#include "uitext.h"

namespace {

constexpr int StatusMessageMs = 8000;
constexpr int PreviewChars = 80;

QString preview(const QString &text)
{
    QString line = text.simplified();
    if (line.size() > PreviewChars)
        line = line.left(PreviewChars - 1) + QChar(0x2026); // HORIZONTAL ELLIPSIS
    return line;
}

bool isMember(const RoomInfo &room, const QString &user)
{
    const QString key = Protocol::nameKey(user);
    return std::any_of(room.members.cbegin(), room.members.cend(),
                       [&key](const QString &member) { return Protocol::nameKey(member) == key; });
}

} // namespace

// ---- Panes ----------------------------------------------------------------------------------

QWidget *MainWindow::buildBansPane()
{
    m_bansPane = new TablePane(tr("Bans in force"), m_bansModel, nullptr, this);
    m_bansPane->setObjectName(QStringLiteral("bansPane"));
    m_bansPane->view()->setObjectName(QStringLiteral("bansView"));
    m_bansPane->view()->setSelectionMode(QAbstractItemView::SingleSelection);
    m_bansPane->setColumnWidths({120, 76, 136, 90, 90});
    m_bansPane->view()->sortByColumn(BansModel::Until, Qt::AscendingOrder);
    m_bansPane->setCountText([](int shown, int total) {
        return shown == total ? UiText::bans(total)
                              : tr("%1 of %2").arg(shown).arg(UiText::bans(total));
    });
    return m_bansPane;
}

QWidget *MainWindow::buildMutesPane()
{
    m_mutesPane = new TablePane(tr("Mutes in force"), m_mutesModel, nullptr, this);
    m_mutesPane->setObjectName(QStringLiteral("mutesPane"));
    m_mutesPane->view()->setObjectName(QStringLiteral("mutesView"));
    m_mutesPane->view()->setSelectionMode(QAbstractItemView::SingleSelection);
    m_mutesPane->setColumnWidths({100, 90, 136, 90, 90});
    m_mutesPane->view()->sortByColumn(MutesModel::Until, Qt::AscendingOrder);
    m_mutesPane->setCountText([](int shown, int total) {
        return shown == total ? UiText::mutes(total)
                              : tr("%1 of %2").arg(shown).arg(UiText::mutes(total));
    });
    return m_mutesPane;
}

QWidget *MainWindow::buildAuditPane()
{
    m_auditPane = new AuditPane(m_service, this);
    m_auditPane->setObjectName(QStringLiteral("auditLogPane"));
    m_auditPane->table()->setCountText([](int shown, int total) {
        return shown == total ? UiText::entries(total)
                              : tr("%1 of %2").arg(shown).arg(UiText::entries(total));
    });
    return m_auditPane;
}

void MainWindow::installModerationButtons()
{
    const auto addButtons = [this](TablePane *pane, const QList<QAction *> &actions) {
        for (QAction *action : actions) {
            auto *button = new QToolButton(pane);
            button->setDefaultAction(action);
            button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
            button->setAutoRaise(true);
            pane->addHeaderWidget(button);
        }
    };
    // addHeaderWidget puts each one right after the title, so they go in reverse.
    addButtons(m_bansPane, {m_liftBanAction, m_addBanAction});
    addButtons(m_mutesPane, {m_liftMuteAction, m_addMuteAction});
    m_auditPane->addToolAction(m_refreshAuditAction);
    m_auditPane->addToolAction(m_exportAuditAction);
}

void MainWindow::updateModerationActions()
{
    const bool running = m_service->isRunning();
    const bool user = !m_selectedUser.isEmpty();
    const bool room = !m_selectedRoom.isEmpty();

    m_banUserAction->setEnabled(running && user);
    m_banUserAction->setText(user ? tr("&Ban %1…").arg(m_selectedUser) : tr("&Ban user…"));
    m_banAddressAction->setEnabled(running && !m_selectedAddress.isEmpty());
    m_banAddressAction->setText(m_selectedAddress.isEmpty()
                                    ? tr("Ban &address…")
                                    : tr("Ban &address %1…").arg(m_selectedAddress));
    m_muteUserAction->setEnabled(running && user);
    m_muteUserAction->setText(user ? tr("&Mute %1…").arg(m_selectedUser) : tr("&Mute user…"));
    m_addBanAction->setEnabled(running);
    m_liftBanAction->setEnabled(running && !m_bansPane->selectedSourceRows().isEmpty());
    m_addMuteAction->setEnabled(running);
    m_liftMuteAction->setEnabled(running && !m_mutesPane->selectedSourceRows().isEmpty());

    m_roomSettingsAction->setEnabled(running && room);
    m_historyAction->setEnabled(running && room);
    m_historyAction->setText(room ? tr("&History of %1…").arg(m_selectedRoom) : tr("&History…"));
    m_deleteMessageAction->setEnabled(running && m_selectedMessage != 0
                                      && !selectedMessage().deleted);
    m_refreshAuditAction->setEnabled(running);
}

// ---- Bans -----------------------------------------------------------------------------------

void MainWindow::banSelectedUser()
{
    if (!m_selectedUser.isEmpty())
        openBanDialog(false, m_selectedUser);
}

void MainWindow::banSelectedAddress()
{
    if (!m_selectedAddress.isEmpty())
        openBanDialog(true, m_selectedAddress);
}

void MainWindow::addBan()
{
    openBanDialog(false, {});
}

void MainWindow::openBanDialog(bool address, const QString &target)
{
    BanDialog dialog(
        [this](bool byAddress, const QString &typed) {
            const ModerationImpact impact = byAddress
                                                ? ModerationImpact::ofAddress(m_snapshot, typed)
                                                : ModerationImpact::ofUser(m_snapshot, typed);
            return impact.banQuestion(byAddress, typed);
        },
        this);
    if (!target.isEmpty())
        dialog.setTarget(address, target);
    if (dialog.exec() != QDialog::Accepted)
        return;

    const BanRequest request = dialog.request();
    const QString what = tr("Ban %1").arg(request.target);
    watch(m_service->ban(request), what, [request](int n) {
        return tr("Banned %1 (%2): %3 closed")
            .arg(request.target, ModelFormat::duration(request.durationS), UiText::connections(n));
    });
}

void MainWindow::liftBan()
{
    const QList<int> rows = m_bansPane->selectedSourceRows();
    if (rows.isEmpty())
        return;

    const BanInfo ban = m_bansModel->banAt(rows.constFirst());
    const auto answer = QMessageBox::question(
        this, tr("Lift ban"),
        tr("Lift the ban on %1? %2 can connect again at once.")
            .arg(ban.target, ban.address ? tr("Clients from that address") : ban.target),
        QMessageBox::Ok | QMessageBox::Cancel, QMessageBox::Ok);
    if (answer != QMessageBox::Ok)
        return;

    watch(m_service->unban(ban.id), tr("Lift the ban on %1").arg(ban.target),
          [target = ban.target](int) { return tr("Ban on %1 lifted").arg(target); });
}

// ---- Mutes ----------------------------------------------------------------------------------

void MainWindow::muteSelectedUser()
{
    if (m_selectedUser.isEmpty())
        return;

    // "This room" is the selected one, when the user is in it; otherwise hub-wide.
    const RoomInfo room = roomInfo(m_selectedRoom);
    openMuteDialog(m_selectedUser, isMember(room, m_selectedUser) ? room.name : QString());
}

void MainWindow::addMute()
{
    openMuteDialog({}, {});
}

void MainWindow::openMuteDialog(const QString &user, const QString &room)
{
    MuteDialog dialog(
        roomNames(),
        [this](const QString &who, const QString &where, qint64 durationS) {
            return ModerationImpact::ofUser(m_snapshot, who).muteQuestion(who, where, durationS);
        },
        this);
    dialog.setUser(user);
    dialog.setRoom(room);
    if (dialog.exec() != QDialog::Accepted)
        return;

    const MuteRequest request = dialog.request();
    const QString what = tr("Mute %1").arg(request.user);
    watch(m_service->mute(request), what, [request](int) {
        const QString where =
            request.room.isEmpty() ? tr("hub-wide") : tr("in %1").arg(request.room);
        return tr("Muted %1 %2 (%3)")
            .arg(request.user, where, ModelFormat::duration(request.durationS));
    });
}

void MainWindow::liftMute()
{
    const QList<int> rows = m_mutesPane->selectedSourceRows();
    if (rows.isEmpty())
        return;

    const MuteInfo mute = m_mutesModel->muteAt(rows.constFirst());
    const QString where = mute.room.isEmpty() ? tr("hub-wide") : tr("in %1").arg(mute.room);
    const auto answer = QMessageBox::question(
        this, tr("Lift mute"), tr("Let %1 speak %2 again?").arg(mute.user, where),
        QMessageBox::Ok | QMessageBox::Cancel, QMessageBox::Ok);
    if (answer != QMessageBox::Ok)
        return;

    watch(m_service->unmute(mute.user, mute.room), tr("Lift the mute on %1").arg(mute.user),
          [user = mute.user](int) { return tr("Mute on %1 lifted").arg(user); });
}

// ---- Rooms: settings, history, deletion -----------------------------------------------------

void MainWindow::editRoomSettings()
{
    const RoomInfo room = roomInfo(m_selectedRoom);
    if (room.name.isEmpty())
        return;

    RoomSettingsDialog dialog(room, this);
    if (dialog.exec() != QDialog::Accepted || !dialog.hasChanges())
        return;

    watch(m_service->setRoomSettings(room.name, dialog.change()),
          tr("Change the settings of %1").arg(room.name),
          [name = room.name](int) { return tr("Settings of %1 changed").arg(name); });
}

void MainWindow::showHistory()
{
    if (!m_selectedRoom.isEmpty())
        openHistory(m_selectedRoom);
}

HistoryDialog *MainWindow::openHistory(const QString &room)
{
    const QString key = Protocol::nameKey(room);
    HistoryDialog *dialog = m_historyDialogs.value(key);
    if (!dialog) {
        dialog = new HistoryDialog(m_service, room, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &HistoryDialog::deleteRequested, this, &MainWindow::deleteMessage);
        m_historyDialogs.insert(key, dialog);
    }
    dialog->show();
    dialog->raise();
    dialog->activateWindow();
    return dialog;
}

RoomMessageInfo MainWindow::selectedMessage() const
{
    const QModelIndexList rows = m_roomPane->messagesView()->selectionModel()->selectedRows();
    return rows.isEmpty() ? RoomMessageInfo() : m_messagesModel->messageAt(rows.constFirst().row());
}

void MainWindow::deleteSelectedMessage()
{
    const RoomMessageInfo message = selectedMessage();
    if (message.seq != 0 && !message.deleted)
        deleteMessage(m_selectedRoom, message);
}

void MainWindow::deleteMessage(const QString &room, const RoomMessageInfo &message)
{
    const quint64 seq = message.seq;
    ReasonDialog dialog(
        tr("Delete message %1").arg(seq),
        tr("Delete message %1 by %2 in %3? “%4”")
            .arg(seq)
            .arg(message.from, room, preview(message.text)),
        tr("Every member of %1 is told to remove it, and history shows “(deleted)” in its "
           "place. This cannot be undone.")
            .arg(room),
        tr("&Delete message"), this);
    if (dialog.exec() != QDialog::Accepted)
        return;

    const QString what = tr("Delete message %1 in %2").arg(seq).arg(room);
    whenReady(this, m_service->deleteMessage(room, seq, dialog.reason()),
              [this, room, seq, what](const OperatorResult &result) {
                  showResult(
                      what, [what](int) { return tr("%1: done").arg(what); }, result);
                  if (result.ok)
                      markMessageDeleted(room, seq);
              });
}

void MainWindow::markMessageDeleted(const QString &room, quint64 seq)
{
    // The live feed carries no tombstones, so the console marks its own copies.
    m_messagesModel->markDeleted(room, seq);
    for (RoomMessageInfo &recent : m_recentMessages[Protocol::nameKey(room)]) {
        if (recent.seq == seq) {
            recent.deleted = true;
            recent.from.clear();
            recent.text.clear();
        }
    }
    if (HistoryDialog *dialog = m_historyDialogs.value(Protocol::nameKey(room)))
        dialog->markDeleted(seq);
    updateActions();
}

// ---- Audit log ------------------------------------------------------------------------------

void MainWindow::moderationEventsArrived(const QList<HubEvent> &events)
{
    const bool moderation = std::any_of(events.cbegin(), events.cend(), [](const HubEvent &e) {
        return e.kind == HubEvent::Kind::Moderation;
    });
    if (moderation)
        m_auditPane->scheduleRefresh();
}

void MainWindow::exportAudit()
{
    const QString folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    const QString name = QStringLiteral("confab-audit-%1.csv")
                             .arg(QDate::currentDate().toString(QStringLiteral("yyyy-MM-dd")));
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export the audit log"), folder + u'/' + name,
                                     tr("CSV files (*.csv);;All files (*)"));
    if (path.isEmpty())
        return;

    QString error;
    if (!m_auditPane->exportCsv(path, &error)) {
        addLocalEvent(HubEvent::Kind::Error, tr("Export of the audit log failed: %1").arg(error));
        QMessageBox::warning(this, tr("Cannot export the audit log"),
                             tr("%1 could not be written:\n%2").arg(path, error));
        return;
    }
    statusBar()->showMessage(
        tr("Exported %1 to %2").arg(UiText::entries(int(m_auditPane->shownEntries().size())), path),
        StatusMessageMs);
}
