#include "mutedialog.h"

#include <algorithm>

#include <QComboBox>
#include <QFormLayout>
#include <QLineEdit>

#include "durationedit.h"
#include "protocol.h"

MuteDialog::MuteDialog(const QStringList &rooms, Describe describe, QWidget *parent)
    : SanctionDialog(QStringLiteral("mute"), tr("Mute"), parent)
    , m_describe(std::move(describe))
    , m_user(new QLineEdit(this))
    , m_room(new QComboBox(this))
{
    m_user->setObjectName(QStringLiteral("muteUser"));
    m_user->setMinimumWidth(360);
    m_room->setObjectName(QStringLiteral("muteRoom"));
    m_room->addItem(tr("Hub-wide (every room, dms and multicasts)"), QString());
    for (const QString &room : rooms)
        m_room->addItem(tr("In %1 only").arg(room), room);

    auto *form = new QFormLayout;
    form->addRow(tr("&User:"), m_user);
    form->addRow(tr("&Where:"), m_room);
    finishLayout(form, tr("&Mute"), tr("muted by the operator"));

    connect(m_user, &QLineEdit::textChanged, this, &MuteDialog::validate);
    connect(m_room, &QComboBox::currentIndexChanged, this, &MuteDialog::validate);
    connect(durationEdit(), &DurationEdit::durationChanged, this, &MuteDialog::validate);
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

MuteRequest MuteDialog::request() const
{
    MuteRequest request;
    request.user = m_user->text().trimmed();
    request.room = m_room->currentData().toString();
    request.reason = reason();
    request.durationS = durationS();
    return request;
}

void MuteDialog::validate()
{
    const MuteRequest wanted = request();
    QString problem;
    if (wanted.user.isEmpty())
        problem = tr("Type the name to mute.");
    else
        Protocol::isValidUserName(wanted.user, &problem);

    showProblem(problem, tr("A muted user still reads the room; what they say is refused with "
                            "the error muted."));
    setQuestion(problem.isEmpty() && m_describe
                    ? m_describe(wanted.user, wanted.room, wanted.durationS)
                    : tr("Mute a user"));
}
