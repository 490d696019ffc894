#include "mutedialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "durationedit.h"
#include "protocol.h"

MuteDialog::MuteDialog(const QStringList &rooms, Describe describe, QWidget *parent)
    : QDialog(parent)
    , m_describe(std::move(describe))
    , m_question(new QLabel(this))
    , m_user(new QLineEdit(this))
    , m_room(new QComboBox(this))
    , m_duration(new DurationEdit(this))
    , m_reason(new QLineEdit(this))
    , m_problem(new QLabel(this))
{
    setWindowTitle(tr("Mute"));
    setObjectName(QStringLiteral("muteDialog"));
    m_question->setObjectName(QStringLiteral("muteQuestion"));
    m_question->setWordWrap(true);
    m_question->setTextFormat(Qt::PlainText);
    QFont bold = m_question->font();
    bold.setBold(true);
    m_question->setFont(bold);

    m_user->setObjectName(QStringLiteral("muteUser"));
    m_user->setMinimumWidth(360);
    m_room->setObjectName(QStringLiteral("muteRoom"));
    m_room->addItem(tr("Hub-wide (every room, dms and multicasts)"), QString());
    for (const QString &room : rooms)
        m_room->addItem(tr("In %1 only").arg(room), room);
    m_reason->setObjectName(QStringLiteral("muteReason"));
    m_reason->setMaxLength(Protocol::MaxReasonChars);
    m_reason->setPlaceholderText(tr("muted by the operator"));
    m_problem->setForegroundRole(QPalette::PlaceholderText);
    m_problem->setWordWrap(true);

    auto *form = new QFormLayout;
    form->addRow(tr("&User:"), m_user);
    form->addRow(tr("&Where:"), m_room);
    form->addRow(tr("&Duration:"), m_duration);
    form->addRow(tr("&Reason:"), m_reason);
    form->addRow(QString(), m_problem);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_ok = buttons->addButton(tr("&Mute"), QDialogButtonBox::AcceptRole);
    m_ok->setObjectName(QStringLiteral("muteOkButton"));
    m_ok->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_question);
    layout->addLayout(form);
    layout->addWidget(buttons);

    connect(m_user, &QLineEdit::textChanged, this, &MuteDialog::validate);
    connect(m_room, &QComboBox::currentIndexChanged, this, &MuteDialog::validate);
    connect(m_duration, &DurationEdit::durationChanged, this, &MuteDialog::validate);
    validate();
}

void MuteDialog::setUser(const QString &user)
{
    m_user->setText(user);
}

void MuteDialog::setRoom(const QString &room)
{
    const int index = m_room->findData(room);
    m_room->setCurrentIndex(std::max(0, index));
}

void MuteDialog::setDurationS(qint64 seconds)
{
    m_duration->setDurationS(seconds);
}

void MuteDialog::setReason(const QString &reason)
{
    m_reason->setText(reason);
}

MuteRequest MuteDialog::request() const
{
    MuteRequest request;
    request.user = m_user->text().trimmed();
    request.room = m_room->currentData().toString();
    request.reason = m_reason->text().trimmed();
    request.durationS = m_duration->durationS();
    return request;
}

QString MuteDialog::question() const
{
    return m_question->text();
}

void MuteDialog::validate()
{
    const MuteRequest wanted = request();
    QString problem;
    if (wanted.user.isEmpty())
        problem = tr("Type the name to mute.");
    else
        Protocol::isValidUserName(wanted.user, &problem);

    m_ok->setEnabled(problem.isEmpty());
    m_problem->setText(problem.isEmpty() ? tr("A muted user still reads the room; what they "
                                              "say is refused with the error muted.")
                                         : problem);
    m_question->setText(problem.isEmpty() && m_describe
                            ? m_describe(wanted.user, wanted.room, wanted.durationS)
                            : tr("Mute a user"));
}
