#include "roomsettingsdialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "protocol.h"

namespace {

enum PasswordChoice { Keep, Set, Clear };

} // namespace

RoomSettingsDialog::RoomSettingsDialog(const RoomInfo &room, QWidget *parent)
    : QDialog(parent)
    , m_room(room)
    , m_maxMembers(new QSpinBox(this))
    , m_locked(new QCheckBox(tr("&Locked: nobody new may join"), this))
    , m_slowMode(new QSpinBox(this))
    , m_passwordChoice(new QComboBox(this))
    , m_password(new QLineEdit(this))
{
    setWindowTitle(tr("Settings of %1").arg(room.name));
    setObjectName(QStringLiteral("roomSettingsDialog"));

    m_maxMembers->setObjectName(QStringLiteral("roomMaxMembers"));
    m_maxMembers->setRange(0, MaxMembers);
    m_maxMembers->setSpecialValueText(tr("no limit"));
    m_maxMembers->setValue(room.maxMembers);
    m_locked->setObjectName(QStringLiteral("roomLocked"));
    m_locked->setChecked(room.locked);
    m_slowMode->setObjectName(QStringLiteral("roomSlowMode"));
    m_slowMode->setRange(0, MaxSlowModeS);
    m_slowMode->setSpecialValueText(tr("off"));
    m_slowMode->setSuffix(tr(" s"));
    m_slowMode->setValue(room.slowModeS);

    m_passwordChoice->setObjectName(QStringLiteral("roomPasswordChoice"));
    m_passwordChoice->addItem(
        room.hasPassword ? tr("Keep the current password") : tr("No password"), Keep);
    m_passwordChoice->addItem(room.hasPassword ? tr("Change it to:") : tr("Set one:"), Set);
    if (room.hasPassword)
        m_passwordChoice->addItem(tr("Remove it"), Clear);
    m_password->setObjectName(QStringLiteral("roomPassword"));
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setMaxLength(Protocol::MaxPasswordChars);

    auto *form = new QFormLayout;
    form->addRow(tr("&Max members:"), m_maxMembers);
    form->addRow(QString(), m_locked);
    form->addRow(tr("&Slow mode:"), m_slowMode);
    form->addRow(tr("&Password:"), m_passwordChoice);
    form->addRow(QString(), m_password);
    auto *hint = new QLabel(tr("Members already in the room stay, whatever the limits; the "
                               "settings apply to who joins next. Slow mode allows one message "
                               "per person in that many seconds."),
                            this);
    hint->setWordWrap(true);
    hint->setForegroundRole(QPalette::PlaceholderText);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("&Apply"));
    buttons->button(QDialogButtonBox::Ok)->setObjectName(QStringLiteral("roomSettingsOkButton"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(hint);
    layout->addWidget(buttons);

    connect(m_passwordChoice, &QComboBox::currentIndexChanged, this,
            &RoomSettingsDialog::updatePasswordField);
    updatePasswordField();
    setMinimumWidth(420);
}

RoomSettingsChange RoomSettingsDialog::change() const
{
    RoomSettingsChange change;
    if (m_maxMembers->value() != m_room.maxMembers)
        change.maxMembers = m_maxMembers->value();
    if (m_locked->isChecked() != m_room.locked)
        change.locked = m_locked->isChecked();
    if (m_slowMode->value() != m_room.slowModeS)
        change.slowModeS = m_slowMode->value();

    const int choice = m_passwordChoice->currentData().toInt();
    if (choice == Set && !m_password->text().isEmpty())
        change.password = m_password->text();
    else if (choice == Clear)
        change.password = QString();
    return change;
}

bool RoomSettingsDialog::hasChanges() const
{
    const RoomSettingsChange wanted = change();
    return wanted.maxMembers || wanted.locked || wanted.slowModeS || wanted.password;
}

void RoomSettingsDialog::setMaxMembers(int members)
{
    m_maxMembers->setValue(members);
}

void RoomSettingsDialog::setLocked(bool locked)
{
    m_locked->setChecked(locked);
}

void RoomSettingsDialog::setSlowModeS(int seconds)
{
    m_slowMode->setValue(seconds);
}

void RoomSettingsDialog::setNewPassword(const QString &password)
{
    m_passwordChoice->setCurrentIndex(m_passwordChoice->findData(Set));
    m_password->setText(password);
}

void RoomSettingsDialog::clearPassword()
{
    const int index = m_passwordChoice->findData(Clear);
    if (index >= 0)
        m_passwordChoice->setCurrentIndex(index);
}

void RoomSettingsDialog::updatePasswordField()
{
    const bool set = m_passwordChoice->currentData().toInt() == Set;
    m_password->setEnabled(set);
    m_password->setPlaceholderText(set ? tr("the new room password") : QString());
    if (!set)
        m_password->clear();
}
