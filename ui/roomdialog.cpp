#include "roomdialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "protocol.h"

RoomDialog::RoomDialog(Mode mode, const QStringList &existing, QWidget *parent)
    : QDialog(parent)
    , m_mode(mode)
    , m_existing(existing)
    , m_name(new QLineEdit(this))
    , m_topic(new QLineEdit(this))
    , m_problem(new QLabel(this))
{
    const bool create = mode == Mode::Create;
    setWindowTitle(create ? tr("New room") : tr("Set topic"));
    setObjectName(QStringLiteral("roomDialog"));

    m_name->setObjectName(QStringLiteral("roomName"));
    m_name->setMaxLength(Protocol::MaxRoomChars);
    m_name->setPlaceholderText(tr("e.g. lab"));
    m_name->setReadOnly(!create);
    m_topic->setObjectName(QStringLiteral("roomTopic"));
    m_topic->setMaxLength(Protocol::MaxTopicChars);
    m_topic->setPlaceholderText(tr("optional"));
    m_topic->setMinimumWidth(360);
    m_problem->setWordWrap(true);
    m_problem->setForegroundRole(QPalette::PlaceholderText);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_ok =
        buttons->addButton(create ? tr("C&reate") : tr("&Set topic"), QDialogButtonBox::AcceptRole);
    m_ok->setObjectName(QStringLiteral("roomOkButton"));
    m_ok->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *form = new QFormLayout;
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&Topic:"), m_topic);
    form->addRow(QString(), m_problem);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);

    connect(m_name, &QLineEdit::textChanged, this, &RoomDialog::validate);
    validate();
    (create ? m_name : m_topic)->setFocus();
}

QString RoomDialog::name() const
{
    return m_name->text().trimmed();
}

void RoomDialog::setName(const QString &name)
{
    m_name->setText(name);
}

QString RoomDialog::topic() const
{
    return m_topic->text().trimmed();
}

void RoomDialog::setTopic(const QString &topic)
{
    m_topic->setText(topic);
}

void RoomDialog::validate()
{
    QString why;
    const bool taken = m_mode == Mode::Create && m_existing.contains(name(), Qt::CaseInsensitive);
    const bool valid = Protocol::isValidRoomName(name(), &why) && !taken;
    if (taken)
        why = tr("A room called %1 already exists.").arg(name());
    else if (name().isEmpty())
        why = tr("Letters, digits and . _ - # only; no spaces.");

    m_problem->setText(why);
    m_ok->setEnabled(valid);
}
