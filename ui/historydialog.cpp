#include "historydialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
#include <QStyle>
#include <QTableView>
#include <QVBoxLayout>

#include "futureresult.h"
#include "historymodel.h"
#include "hubservice.h"

HistoryDialog::HistoryDialog(HubService *service, const QString &room, QWidget *parent)
    : QDialog(parent)
    , m_service(service)
    , m_room(room)
    , m_model(new HistoryModel(this))
    , m_view(new QTableView(this))
    , m_status(new QLabel(this))
    , m_older(new QPushButton(tr("&Older"), this))
    , m_newest(new QPushButton(tr("&Newest"), this))
    , m_deleteAction(new QAction(tr("&Delete message…"), this))
{
    setObjectName(QStringLiteral("historyDialog"));
    setWindowTitle(tr("History of %1").arg(room));

    m_view->setObjectName(QStringLiteral("historyView"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setHighlightSections(false);
    m_view->setColumnWidth(HistoryModel::Time, 110);
    m_view->setColumnWidth(HistoryModel::Seq, 56);
    m_view->setColumnWidth(HistoryModel::From, 96);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);

    m_deleteAction->setObjectName(QStringLiteral("historyDeleteAction"));
    m_deleteAction->setIcon(style()->standardIcon(QStyle::SP_TrashIcon));
    m_deleteAction->setShortcut(QKeySequence::Delete);
    m_deleteAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_view->addAction(m_deleteAction);
    addAction(m_deleteAction);

    m_status->setObjectName(QStringLiteral("historyStatus"));
    m_status->setForegroundRole(QPalette::PlaceholderText);
    m_older->setObjectName(QStringLiteral("historyOlderButton"));
    m_older->setToolTip(tr("Fetch the %1 messages before the oldest one shown").arg(PageSize));
    m_newest->setObjectName(QStringLiteral("historyNewestButton"));
    auto *remove = new QPushButton(m_deleteAction->icon(), m_deleteAction->text(), this);
    remove->setObjectName(QStringLiteral("historyDeleteButton"));
    connect(remove, &QPushButton::clicked, m_deleteAction, &QAction::trigger);
    connect(m_deleteAction, &QAction::changed, remove,
            [this, remove] { remove->setEnabled(m_deleteAction->isEnabled()); });

    auto *row = new QHBoxLayout;
    row->addWidget(m_older);
    row->addWidget(m_newest);
    row->addWidget(m_status, 1);
    row->addWidget(remove);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_view, 1);
    layout->addLayout(row);
    layout->addWidget(buttons);
    resize(720, 520);

    connect(m_older, &QPushButton::clicked, this, &HistoryDialog::loadOlder);
    connect(m_newest, &QPushButton::clicked, this, &HistoryDialog::reload);
    connect(m_deleteAction, &QAction::triggered, this, &HistoryDialog::requestDelete);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &HistoryDialog::updateState);
    reload();
}

void HistoryDialog::reload()
{
    fetch(0);
}

void HistoryDialog::loadOlder()
{
    if (m_model->hasOlder() && m_model->oldestSeq() > 1)
        fetch(m_model->oldestSeq());
}

void HistoryDialog::fetch(quint64 before)
{
    m_loading = true;
    updateState();
    whenReady(this, m_service->history(m_room, before, 0, PageSize),
              [this, before](const HistoryPage &page) { pageArrived(page, before != 0); });
}

void HistoryDialog::pageArrived(const HistoryPage &page, bool older)
{
    m_loading = false;
    m_error = page.ok ? QString() : (page.message.isEmpty() ? page.error : page.message);
    if (page.ok && older)
        m_model->addOlderPage(page);
    else if (page.ok)
        m_model->setPage(page);
    updateState();

    if (page.ok && !older)
        m_view->scrollToBottom(); // the newest at the bottom, as in the room's live view
    emit pageLoaded();
}

void HistoryDialog::markDeleted(quint64 seq)
{
    m_model->markDeleted(seq);
    updateState();
}

void HistoryDialog::requestDelete()
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return;
    const RoomMessageInfo message = m_model->messageAt(rows.constFirst().row());
    if (!message.deleted)
        emit deleteRequested(m_room, message);
}

void HistoryDialog::updateState()
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    const bool deletable = !rows.isEmpty() && !m_model->messageAt(rows.constFirst().row()).deleted;
    m_deleteAction->setEnabled(deletable && m_service->isRunning());
    m_older->setEnabled(!m_loading && m_model->hasOlder());

    if (m_loading)
        m_status->setText(tr("Loading…"));
    else if (!m_error.isEmpty())
        m_status->setText(tr("Cannot read the history: %1").arg(m_error));
    else if (m_model->rowCount() == 0)
        m_status->setText(tr("Nothing kept for %1.").arg(m_room));
    else
        m_status->setText(tr("Messages %1 to %2%3")
                              .arg(m_model->oldestSeq())
                              .arg(m_model->messageAt(m_model->rowCount() - 1).seq)
                              .arg(m_model->hasOlder() ? tr("; older ones are kept")
                                                       : tr("; nothing older is kept")));
}
