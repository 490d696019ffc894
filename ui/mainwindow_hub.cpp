// MainWindow: starting and stopping the hub, its settings, closing the window, the tray icon,
// the help boxes and the remembered layout.
#include <QAction>
#include <QCloseEvent>
#include <QHeaderView>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QTabWidget>
#include <QTableView>

#include "auditpane.h"
#include "connectinfo.h"
#include "hubservice.h"
#include "mainwindow.h"
#include "roompane.h"
#include "settingsdialog.h"
#include "tablepane.h"
#include "uilogging.h"
#include "uitext.h"

namespace {

constexpr int DefaultWidth = 1400;
constexpr int DefaultHeight = 900;
constexpr int LayoutVersion = 1; // bump when panes change, so old splitter states are ignored

} // namespace

// ---- Start and stop -------------------------------------------------------------------------

bool MainWindow::startHub()
{
    return startWith(m_config);
}

bool MainWindow::startWith(HubConfig config)
{
    if (m_service->isRunning())
        return true;

    const quint16 configured = config.port;
    while (!m_service->start(config)) {
        const QString error = m_service->errorString();
        qCWarning(lcUi, "cannot start the hub: %s", qUtf8Printable(error));
        addLocalEvent(HubEvent::Kind::Error, tr("Cannot start the hub: %1").arg(error));

        if (!ConnectInfo::isPortInUse(config.listenAddress, config.port)) {
            m_stoppedReason = error;
            hubStopped();
            QMessageBox::critical(this, tr("Cannot start the hub"),
                                  tr("The hub could not start:\n%1").arg(error));
            return false;
        }
        if (!offerAnotherPort(&config)) {
            m_stoppedReason = tr("port %1 is in use").arg(config.port);
            hubStopped();
            return false;
        }
    }

    // Keep the port the operator just chose, so a restart keeps the address people were given.
    if (config.port != configured)
        m_config.port = m_service->port();
    hubStarted();
    return true;
}

bool MainWindow::offerAnotherPort(HubConfig *config)
{
    const quint16 taken = config->port;
    const quint16 next = ConnectInfo::findFreePort(config->listenAddress, taken);

    QMessageBox box(QMessageBox::Warning, tr("Port %1 is in use").arg(taken),
                    tr("Port %1 is already in use by another program, perhaps another Confab "
                       "hub, so the hub cannot listen on it.")
                        .arg(taken),
                    QMessageBox::Cancel, this);
    box.setObjectName(QStringLiteral("portInUseBox"));
    box.setInformativeText(tr("Start on another port? People then need the new address; Hub "
                              "settings make the change permanent."));
    QPushButton *useNext = nullptr;
    if (next != 0)
        useNext = box.addButton(tr("Use port %1").arg(next), QMessageBox::AcceptRole);
    QPushButton *useAny = box.addButton(tr("Use any free port"), QMessageBox::AcceptRole);
    useAny->setObjectName(QStringLiteral("useAnyPortButton"));
    box.setDefaultButton(useNext ? useNext : useAny);
    box.exec();

    if (useNext && box.clickedButton() == useNext)
        config->port = next;
    else if (box.clickedButton() == useAny)
        config->port = 0;
    else
        return false;
    return true;
}

void MainWindow::hubStarted()
{
    m_stoppedReason.clear();
    qCInfo(lcUi, "hub started from the console on port %u", m_service->port());
    statusBar()->showMessage(tr("Hub running on port %1").arg(m_service->port()), 5000);
    m_auditPane->refresh();
    updateActions();
    updateStatusBar();
    updateWindowTitle();
    updateTray();
}

void MainWindow::hubStopped()
{
    clearLiveData();
    updateActions();
    updateStatusBar();
    updateWindowTitle();
    updateTray();
}

void MainWindow::stopHub()
{
    if (!m_service->isRunning() || !confirmDisconnect(tr("Stop the hub")))
        return;

    m_stoppedReason = tr("by the operator");
    m_service->stop();
}

void MainWindow::restartHub()
{
    if (!m_service->isRunning() || !confirmDisconnect(tr("Restart the hub")))
        return;

    m_service->stop();
    startWith(m_config);
}

void MainWindow::stopHubAndQuit()
{
    m_quitting = true;
    saveLayout();
    m_service->stop();
    if (m_tray)
        m_tray->hide();
    hide();
    emit quitRequested();
}

bool MainWindow::confirmDisconnect(const QString &action)
{
    const int connections = m_snapshot.totals.connections;
    if (connections == 0)
        return true;

    const auto answer = QMessageBox::question(
        this, action,
        tr("This disconnects %1 (close code 1001, going away). Their clients can reconnect once "
           "the hub is back.")
            .arg(UiText::connections(connections)),
        QMessageBox::Ok | QMessageBox::Cancel, QMessageBox::Cancel);
    return answer == QMessageBox::Ok;
}

// ---- Settings -------------------------------------------------------------------------------

void MainWindow::editSettings()
{
    SettingsDialog dialog(m_config, this);
    dialog.setNote(settingsNote());
    dialog.setSaveFunction(m_settingsStore);
    if (dialog.exec() != QDialog::Accepted)
        return;

    m_config = dialog.config();
    if (!m_service->isRunning()) {
        statusBar()->showMessage(tr("Settings saved; they apply when the hub starts"), 8000);
        return;
    }

    const auto answer = QMessageBox::question(
        this, tr("Restart the hub?"),
        tr("The settings are saved and apply when the hub restarts. Restart it now?"),
        QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
    if (answer == QMessageBox::Yes)
        restartHub();
}

QString MainWindow::settingsNote() const
{
    QStringList lines;
    if (!m_settingsFile.isEmpty())
        lines.append(tr("Saved to %1.").arg(m_settingsFile));
    else
        lines.append(tr("Not saved to a file: these settings last until the console closes."));

    // Known limitation: a password given by --password-file or an environment variable wins
    // over the one saved here at the next launch; the operator is told, but the dialog cannot
    // change where the password comes from.
    if (!m_passwordSource.isEmpty())
        lines.append(tr("The hub password now comes from %1.").arg(m_passwordSource));
    return lines.join(QLatin1Char(' '));
}

// ---- Closing and the tray -------------------------------------------------------------------

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_quitting) {
        event->accept();
        return;
    }

    const bool peopleConnected = m_service->isRunning() && m_snapshot.totals.connections > 0;
    switch (peopleConnected ? askOnClose() : CloseChoice::Stop) {
    case CloseChoice::Stop:
        event->accept();
        stopHubAndQuit();
        break;
    case CloseChoice::KeepInTray:
        event->ignore();
        saveLayout();
        hide();
        m_tray->showMessage(tr("Confab is still running"),
                            tr("The hub keeps serving %1. Click the tray icon to reopen the "
                               "console.")
                                .arg(UiText::connections(m_snapshot.totals.connections)));
        break;
    case CloseChoice::Cancel:
        event->ignore();
        break;
    }
}

MainWindow::CloseChoice MainWindow::askOnClose()
{
    const HubTotals &totals = m_snapshot.totals;
    QMessageBox box(QMessageBox::Question, tr("People are connected"),
                    tr("%1 are connected to this hub (%2).")
                        .arg(UiText::users(totals.users), UiText::connections(totals.connections)),
                    QMessageBox::Cancel, this);
    box.setObjectName(QStringLiteral("closeBox"));
    box.setInformativeText(m_tray ? tr("Stop the hub, which disconnects them (their clients see "
                                       "code 1001, going away), or keep it running in the system "
                                       "tray?")
                                  : tr("Stop the hub, which disconnects them (their clients see "
                                       "code 1001, going away)? This desktop has no system tray "
                                       "to keep it running in."));
    QPushButton *stop = box.addButton(tr("&Stop hub and quit"), QMessageBox::DestructiveRole);
    QPushButton *keep = nullptr;
    box.setDefaultButton(QMessageBox::Cancel);
    if (m_tray) {
        keep = box.addButton(tr("&Keep running in tray"), QMessageBox::AcceptRole);
        box.setDefaultButton(keep);
    }
    box.exec();

    if (box.clickedButton() == stop)
        return CloseChoice::Stop;
    if (keep && box.clickedButton() == keep)
        return CloseChoice::KeepInTray;
    return CloseChoice::Cancel;
}

void MainWindow::createTrayIcon()
{
    // Known limitation: without a system tray (some Wayland desktops, offscreen) the console
    // cannot hide while the hub runs; closing then offers only stop or cancel.
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return;

    m_tray = new QSystemTrayIcon(windowIcon(), this);
    auto *menu = new QMenu(this);
    menu->addAction(tr("Show console"), this, &MainWindow::showFromTray);
    menu->addAction(m_broadcastAction);
    menu->addSeparator();
    menu->addAction(tr("Stop hub and quit"), this, &MainWindow::stopHubAndQuit);
    m_tray->setContextMenu(menu);
    connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason r) {
        if (r == QSystemTrayIcon::Trigger || r == QSystemTrayIcon::DoubleClick)
            showFromTray();
    });
    updateTray();
    m_tray->show();
}

void MainWindow::updateTray()
{
    if (!m_tray)
        return;

    const QString state = m_service->isRunning()
                              ? tr("port %1, %2")
                                    .arg(m_service->port())
                                    .arg(UiText::connections(m_snapshot.totals.connections))
                              : tr("stopped");
    m_tray->setToolTip(tr("Confab: %1").arg(state));
}

void MainWindow::showFromTray()
{
    showNormal();
    raise();
    activateWindow();
}

// ---- Help -----------------------------------------------------------------------------------

void MainWindow::showShortcuts()
{
    QString rows;
    for (const QAction *action : actions()) {
        if (action->shortcut().isEmpty())
            continue;
        rows += QStringLiteral("<tr><td><b>%1</b></td><td>&nbsp;&nbsp;%2</td></tr>")
                    .arg(action->shortcut().toString(QKeySequence::NativeText).toHtmlEscaped(),
                         action->iconText().toHtmlEscaped());
    }

    auto *box =
        new QMessageBox(QMessageBox::Information, tr("Keyboard shortcuts"),
                        QStringLiteral("<table>%1</table>").arg(rows), QMessageBox::Ok, this);
    box->setInformativeText(tr("Right-click a row for the commands that apply to it."));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::showAbout()
{
    QString storage;
    if (m_service->isRunning() && m_snapshot.persistent)
        storage = tr("History, bans and the audit log are kept in %1.")
                      .arg(m_snapshot.storage.toHtmlEscaped());
    else if (m_service->isRunning())
        storage = tr("This hub keeps everything in memory only: nothing survives a restart.");
    QMessageBox::about(this, tr("About Confab"),
                       tr("<h3>Confab %1</h3><p>A chat hub for a local network, with this console "
                          "for the person running it.</p><p>%2</p><p>Licensed "
                          "GPL-3.0-or-later.</p>")
                           .arg(QStringLiteral(CONFAB_VERSION), storage));
}

// ---- Remembered layout ----------------------------------------------------------------------

std::unique_ptr<QSettings> MainWindow::layoutSettings() const
{
    // The console's own file (~/.config/confab/console.ini), not the hub's INI: window layout
    // is a person's preference, the hub's settings are the hub's.
    return std::make_unique<QSettings>(QSettings::IniFormat, QSettings::UserScope,
                                       QStringLiteral("confab"), QStringLiteral("console"));
}

void MainWindow::restoreLayout()
{
    const std::unique_ptr<QSettings> settings = layoutSettings();
    settings->beginGroup(QStringLiteral("MainWindow"));
    if (!restoreGeometry(settings->value(QStringLiteral("geometry")).toByteArray()))
        resize(DefaultWidth, DefaultHeight);
    if (settings->value(QStringLiteral("version")).toInt() != LayoutVersion)
        return;

    restoreState(settings->value(QStringLiteral("state")).toByteArray());
    for (QSplitter *splitter : std::as_const(m_splitters))
        splitter->restoreState(
            settings->value(QStringLiteral("splitter/") + splitter->objectName()).toByteArray());
    m_roomPane->restoreLayout(settings->value(QStringLiteral("splitter/room")).toByteArray());
    m_logTabs->setCurrentIndex(settings->value(QStringLiteral("logTab"), 0).toInt());

    for (TablePane *pane : tablePanes()) {
        QHeaderView *header = pane->view()->horizontalHeader();
        header->restoreState(
            settings->value(QStringLiteral("header/") + pane->objectName()).toByteArray());
        pane->view()->sortByColumn(header->sortIndicatorSection(), header->sortIndicatorOrder());
    }
}

void MainWindow::saveLayout()
{
    const std::unique_ptr<QSettings> settings = layoutSettings();
    settings->beginGroup(QStringLiteral("MainWindow"));
    settings->setValue(QStringLiteral("version"), LayoutVersion);
    settings->setValue(QStringLiteral("geometry"), saveGeometry());
    settings->setValue(QStringLiteral("state"), saveState());
    for (const QSplitter *splitter : std::as_const(m_splitters))
        settings->setValue(QStringLiteral("splitter/") + splitter->objectName(),
                           splitter->saveState());
    settings->setValue(QStringLiteral("splitter/room"), m_roomPane->saveLayout());
    settings->setValue(QStringLiteral("logTab"), m_logTabs->currentIndex());

    for (const TablePane *pane : tablePanes())
        settings->setValue(QStringLiteral("header/") + pane->objectName(),
                           pane->view()->horizontalHeader()->saveState());
}
