#include "settingsdialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QVBoxLayout>

#include "protocol.h"

namespace {

constexpr int Day = 24 * 60 * 60;
constexpr qint64 KiB = 1024;

const QString anyText = QStringLiteral("any");
const QString localhostText = QStringLiteral("localhost");

QString addressText(const QHostAddress &address)
{
    if (address == QHostAddress(QHostAddress::Any))
        return anyText;
    if (address == QHostAddress(QHostAddress::LocalHost))
        return localhostText;
    return address.toString();
}

bool parseAddress(const QString &text, QHostAddress *address)
{
    const QString trimmed = text.trimmed();
    if (trimmed.compare(anyText, Qt::CaseInsensitive) == 0)
        *address = QHostAddress(QHostAddress::Any);
    else if (trimmed.compare(localhostText, Qt::CaseInsensitive) == 0)
        *address = QHostAddress(QHostAddress::LocalHost);
    else
        *address = QHostAddress(trimmed);
    return !address->isNull();
}

QStringList splitRooms(const QString &text)
{
    QStringList rooms;
    for (const QString &part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        if (!part.trimmed().isEmpty())
            rooms.append(part.trimmed());
    }
    return rooms;
}

// Shown in KiB, kept in bytes: a byte count that is not a whole KiB survives when untouched.
qint64 bytesFrom(const QSpinBox *kib, qint64 initialBytes)
{
    if (kib->value() == int(initialBytes / KiB))
        return initialBytes;
    return kib->value() * KiB;
}

} // namespace

SettingsDialog::SettingsDialog(const HubConfig &config, QWidget *parent)
    : QDialog(parent)
    , m_initial(config)
    , m_note(new QLabel(this))
    , m_problem(new QLabel(this))
{
    setWindowTitle(tr("Hub settings"));
    setObjectName(QStringLiteral("settingsDialog"));
    m_note->setWordWrap(true);
    m_note->hide();
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #b00020"));
    m_problem->hide();

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *columns = new QHBoxLayout;
    auto *left = new QVBoxLayout;
    left->addWidget(networkGroup());
    left->addWidget(heartbeatGroup());
    left->addStretch(1);
    auto *right = new QVBoxLayout;
    right->addWidget(accessGroup());
    right->addWidget(limitsGroup());
    right->addStretch(1);
    columns->addLayout(left);
    columns->addLayout(right);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_note);
    layout->addLayout(columns);
    layout->addWidget(new QLabel(tr("Changes apply when the hub restarts."), this));
    layout->addWidget(m_problem);
    layout->addWidget(buttons);
}

QWidget *SettingsDialog::networkGroup()
{
    m_listen = new QComboBox(this);
    m_listen->setEditable(true);
    m_listen->addItems({anyText, localhostText});
    m_listen->setCurrentText(addressText(m_initial.listenAddress));
    m_listen->setToolTip(tr("any: every network interface; localhost: this machine only; or one "
                            "IPv4 or IPv6 address of this machine"));
    m_port = spinBox(0, 65535);
    m_port->setGroupSeparatorShown(false); // 8765, not 8,765
    m_port->setSpecialValueText(tr("0 (any free port)"));
    m_port->setValue(m_initial.port);

    auto *group = new QGroupBox(tr("Network"), this);
    auto *form = new QFormLayout(group);
    form->addRow(tr("&Listen on:"), m_listen);
    form->addRow(tr("&Port:"), m_port);
    return group;
}

QWidget *SettingsDialog::heartbeatGroup()
{
    m_heartbeatInterval = spinBox(1, Day, tr(" s"));
    m_heartbeatInterval->setValue(m_initial.heartbeatIntervalS);
    m_heartbeatTimeout = spinBox(1, Day, tr(" s"));
    m_heartbeatTimeout->setValue(m_initial.heartbeatTimeoutS);
    m_heartbeatTimeout->setToolTip(tr("Must be longer than the ping interval"));
    m_helloTimeout = spinBox(1, Day, tr(" s"));
    m_helloTimeout->setValue(m_initial.helloTimeoutS);

    auto *group = new QGroupBox(tr("Heartbeat"), this);
    auto *form = new QFormLayout(group);
    form->addRow(tr("Ping &every:"), m_heartbeatInterval);
    form->addRow(tr("&Disconnect after silence of:"), m_heartbeatTimeout);
    form->addRow(tr("&Hello within:"), m_helloTimeout);
    return group;
}

QWidget *SettingsDialog::limitsGroup()
{
    m_maxMessageKiB = spinBox(1, 1024 * 1024, tr(" KiB"));
    m_maxMessageKiB->setValue(int(m_initial.maxMessageBytes / KiB));
    m_maxTextChars = spinBox(1, 1000000);
    m_maxTextChars->setValue(m_initial.maxTextChars);
    m_maxOutboundKiB = spinBox(1, 16 * 1024 * 1024, tr(" KiB"));
    m_maxOutboundKiB->setValue(int(m_initial.maxOutboundBytes / KiB));
    m_maxMulticast = spinBox(1, 100000);
    m_maxMulticast->setValue(m_initial.maxMulticastUsers);

    auto *group = new QGroupBox(tr("Limits"), this);
    auto *form = new QFormLayout(group);
    form->addRow(tr("Largest &frame:"), m_maxMessageKiB);
    form->addRow(tr("Longest &text (characters):"), m_maxTextChars);
    form->addRow(tr("&Queued output per client:"), m_maxOutboundKiB);
    form->addRow(tr("&Multicast recipients:"), m_maxMulticast);
    return group;
}

QWidget *SettingsDialog::accessGroup()
{
    m_operatorName = new QLineEdit(m_initial.operatorName, this);
    m_operatorName->setMaxLength(Protocol::MaxUserChars);
    m_password = new QLineEdit(m_initial.password, this);
    m_password->setObjectName(QStringLiteral("hubPassword"));
    m_password->setEchoMode(QLineEdit::Password); // shoulder-surfing at a shared desk
    m_password->setPlaceholderText(tr("none: anyone on the network may join"));
    m_rooms = new QLineEdit(m_initial.rooms.join(QStringLiteral(", ")), this);
    m_rooms->setToolTip(tr("Comma-separated; created when the hub starts"));
    m_allowUserRooms = new QCheckBox(tr("Clients may create &rooms"), this);
    m_allowUserRooms->setChecked(m_initial.allowUserRooms);

    auto *group = new QGroupBox(tr("People"), this);
    auto *form = new QFormLayout(group);
    form->addRow(tr("&Operator name:"), m_operatorName);
    form->addRow(tr("Hub pass&word:"), m_password);
    form->addRow(tr("Rooms at &start:"), m_rooms);
    form->addRow(QString(), m_allowUserRooms);
    return group;
}

QSpinBox *SettingsDialog::spinBox(int minimum, int maximum, const QString &suffix)
{
    auto *box = new QSpinBox(this);
    box->setRange(minimum, maximum);
    box->setSuffix(suffix);
    box->setGroupSeparatorShown(true);
    return box;
}

void SettingsDialog::setNote(const QString &text)
{
    m_note->setText(text);
    m_note->setVisible(!text.isEmpty());
}

HubConfig SettingsDialog::config() const
{
    HubConfig config = m_initial;
    QHostAddress address;
    if (parseAddress(m_listen->currentText(), &address))
        config.listenAddress = address;
    config.port = quint16(m_port->value());
    config.heartbeatIntervalS = m_heartbeatInterval->value();
    config.heartbeatTimeoutS = m_heartbeatTimeout->value();
    config.helloTimeoutS = m_helloTimeout->value();
    config.maxMessageBytes = bytesFrom(m_maxMessageKiB, m_initial.maxMessageBytes);
    config.maxTextChars = m_maxTextChars->value();
    config.maxOutboundBytes = bytesFrom(m_maxOutboundKiB, m_initial.maxOutboundBytes);
    config.maxMulticastUsers = m_maxMulticast->value();
    config.operatorName = m_operatorName->text().trimmed();
    config.password = m_password->text();
    config.rooms = splitRooms(m_rooms->text());
    config.allowUserRooms = m_allowUserRooms->isChecked();
    return config;
}

bool SettingsDialog::checkLocally(const HubConfig &config, QString *error) const
{
    QHostAddress address;
    QString why;
    if (!parseAddress(m_listen->currentText(), &address))
        *error = tr("Listen on: '%1' is not any, localhost or an IP address")
                     .arg(m_listen->currentText());
    else if (!Protocol::isValidUserName(config.operatorName, &why))
        *error = tr("Operator name: %1").arg(why);
    else if (config.heartbeatTimeoutS <= config.heartbeatIntervalS)
        *error = tr("Disconnect after silence must be longer than the ping interval, or every "
                    "client times out before its next ping.");
    else if (config.maxOutboundBytes < config.maxMessageBytes)
        *error = tr("Queued output per client must be at least the largest frame.");
    for (const QString &room : config.rooms) {
        if (error->isEmpty() && !Protocol::isValidRoomName(room, &why))
            *error = tr("Room '%1': %2").arg(room, why);
    }
    return error->isEmpty();
}

void SettingsDialog::accept()
{
    const HubConfig result = config();
    QString error;
    if (checkLocally(result, &error) && (!m_save || m_save(result, &error))) {
        QDialog::accept();
        return;
    }
    m_problem->setText(error);
    m_problem->show();
}
