#include "broadcastdialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QShortcut>
#include <QVBoxLayout>

BroadcastDialog::BroadcastDialog(const QStringList &rooms, const QString &room, int maxChars,
                                 QWidget *parent)
    : QDialog(parent)
    , m_target(new QComboBox(this))
    , m_text(new QPlainTextEdit(this))
    , m_count(new QLabel(this))
    , m_maxChars(maxChars)
{
    setWindowTitle(tr("Broadcast an announcement"));
    setObjectName(QStringLiteral("broadcastDialog"));

    m_target->setObjectName(QStringLiteral("broadcastTarget"));
    m_target->addItem(tr("Everyone connected"), QString());
    for (const QString &name : rooms)
        m_target->addItem(tr("Room %1").arg(name), name);
    setRoom(room);

    m_text->setObjectName(QStringLiteral("broadcastText"));
    m_text->setPlaceholderText(tr("Pizza in the kitchen in 10 minutes"));
    m_text->setTabChangesFocus(true);
    m_text->setMinimumSize(420, 110);
    m_count->setForegroundRole(QPalette::PlaceholderText);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_send = buttons->addButton(tr("&Send"), QDialogButtonBox::AcceptRole);
    m_send->setToolTip(tr("Send (Ctrl+Return)"));
    connect(buttons, &QDialogButtonBox::accepted, this, &BroadcastDialog::send);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    // Return alone starts a new line in the text, so sending needs its own key.
    auto *sendShortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
    connect(sendShortcut, &QShortcut::activated, this, &BroadcastDialog::send);
    auto *enterShortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Enter), this);
    connect(enterShortcut, &QShortcut::activated, this, &BroadcastDialog::send);

    auto *form = new QFormLayout;
    form->addRow(tr("&To:"), m_target);
    form->addRow(tr("&Message:"), m_text);
    form->addRow(QString(), m_count);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);

    connect(m_text, &QPlainTextEdit::textChanged, this, &BroadcastDialog::updateState);
    updateState();
    m_text->setFocus();
}

QString BroadcastDialog::text() const
{
    return m_text->toPlainText().trimmed();
}

void BroadcastDialog::setText(const QString &text)
{
    m_text->setPlainText(text);
}

QString BroadcastDialog::room() const
{
    return m_target->currentData().toString();
}

void BroadcastDialog::setRoom(const QString &room)
{
    const int index = m_target->findData(room);
    m_target->setCurrentIndex(index < 0 ? 0 : index);
}

void BroadcastDialog::updateState()
{
    const int length = int(text().size());
    m_count->setText(tr("%1 / %2 characters").arg(length).arg(m_maxChars));
    m_send->setEnabled(length > 0 && length <= m_maxChars);
}

void BroadcastDialog::send()
{
    if (m_send->isEnabled())
        accept();
}
