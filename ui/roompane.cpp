#include "roompane.h"

#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QScrollBar>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

#include "roommembersmodel.h"
#include "roommessagesmodel.h"
#include "tablepane.h"
#include "uitext.h"

RoomPane::RoomPane(RoomMembersModel *members, RoomMessagesModel *messages, QWidget *parent)
    : QWidget(parent)
    , m_header(new QLabel(this))
    , m_members(new TablePane(tr("Members"), members, nullptr, this))
{
    m_header->setObjectName(QStringLiteral("roomHeader"));
    m_header->setTextFormat(Qt::PlainText);
    m_header->setWordWrap(false);
    QFont bold = m_header->font();
    bold.setBold(true);
    m_header->setFont(bold);

    m_members->setObjectName(QStringLiteral("roomMembersPane"));
    m_members->view()->setObjectName(QStringLiteral("roomMembersView"));
    m_members->setColumnWidths({110, 70});
    m_members->filterEdit()->setMaximumWidth(90);
    m_members->setCountText([](int shown, int total) {
        return shown == total ? UiText::members(total) : tr("%1 of %2").arg(shown).arg(total);
    });

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(QStringLiteral("roomSplitter"));
    splitter->addWidget(m_members);
    splitter->addWidget(buildMessages(messages));
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 3);
    splitter->setSizes({240, 700});

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_header);
    layout->addWidget(splitter, 1);

    showRoom({}, {}, 0);
}

QWidget *RoomPane::buildMessages(RoomMessagesModel *messages)
{
    m_messagesView = new QTableView(this);
    m_messagesView->setObjectName(QStringLiteral("roomMessagesView"));
    m_messagesView->setModel(messages);
    m_messagesView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_messagesView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_messagesView->setWordWrap(false);
    m_messagesView->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_messagesView->verticalHeader()->hide();
    m_messagesView->verticalHeader()->setDefaultSectionSize(m_messagesView->fontMetrics().height()
                                                            + 6);
    m_messagesView->horizontalHeader()->setStretchLastSection(true);
    m_messagesView->horizontalHeader()->setHighlightSections(false);
    m_messagesView->setColumnWidth(RoomMessagesModel::Time, 70);
    m_messagesView->setColumnWidth(RoomMessagesModel::Seq, 50);
    m_messagesView->setColumnWidth(RoomMessagesModel::From, 90);

    m_placeholder = new QLabel(this);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setForegroundRole(QPalette::PlaceholderText);

    m_messagesStack = new QStackedWidget(this);
    m_messagesStack->addWidget(m_placeholder);
    m_messagesStack->addWidget(m_messagesView);

    connect(messages, &QAbstractItemModel::rowsAboutToBeInserted, this, &RoomPane::rememberScroll);
    connect(messages, &QAbstractItemModel::rowsInserted, this, &RoomPane::followNewMessages);
    connect(messages, &QAbstractItemModel::modelReset, this, &RoomPane::updateMessagesPlaceholder);
    connect(messages, &QAbstractItemModel::rowsRemoved, this, &RoomPane::updateMessagesPlaceholder);
    return m_messagesStack;
}

void RoomPane::showRoom(const QString &room, const QString &topic, int memberCount)
{
    m_room = room;
    if (room.isEmpty()) {
        m_header->setText(tr("Room: none selected"));
    } else {
        const QString members = UiText::members(memberCount);
        m_header->setText(topic.isEmpty() ? tr("Room %1 · %2").arg(room, members)
                                          : tr("Room %1 · %2 · %3").arg(room, members, topic));
    }
    m_header->setToolTip(topic);
    updateMessagesPlaceholder();
}

QByteArray RoomPane::saveLayout() const
{
    return findChild<QSplitter *>(QStringLiteral("roomSplitter"))->saveState();
}

void RoomPane::restoreLayout(const QByteArray &state)
{
    findChild<QSplitter *>(QStringLiteral("roomSplitter"))->restoreState(state);
}

void RoomPane::rememberScroll()
{
    const QScrollBar *bar = m_messagesView->verticalScrollBar();
    m_wasAtBottom = bar->value() >= bar->maximum() - 2;
}

void RoomPane::followNewMessages()
{
    updateMessagesPlaceholder();

    // Like a chat window: follow the conversation unless the operator scrolled up to read.
    if (m_wasAtBottom)
        m_messagesView->scrollToBottom();
}

void RoomPane::updateMessagesPlaceholder()
{
    const bool empty = m_messagesView->model()->rowCount() == 0;
    if (m_room.isEmpty())
        m_placeholder->setText(tr("Select a room to see who is in it and what they say."));
    else
        m_placeholder->setText(tr("Messages in %1 appear here as they are sent.").arg(m_room));
    m_messagesStack->setCurrentIndex(empty ? 0 : 1);
}
