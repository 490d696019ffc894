#include "bandialog.h"

#include <QButtonGroup>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHostAddress>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

#include "durationedit.h"
#include "protocol.h"

BanDialog::BanDialog(Describe describe, QWidget *parent)
    : QDialog(parent)
    , m_describe(std::move(describe))
    , m_question(new QLabel(this))
    , m_byName(new QRadioButton(tr("&User name"), this))
    , m_byAddress(new QRadioButton(tr("&IP address"), this))
    , m_target(new QLineEdit(this))
    , m_duration(new DurationEdit(this))
    , m_reason(new QLineEdit(this))
    , m_problem(new QLabel(this))
{
    setWindowTitle(tr("Ban"));
    setObjectName(QStringLiteral("banDialog"));
    m_question->setObjectName(QStringLiteral("banQuestion"));
    m_question->setWordWrap(true);
    m_question->setTextFormat(Qt::PlainText);
    QFont bold = m_question->font();
    bold.setBold(true);
    m_question->setFont(bold);

    auto *kind = new QButtonGroup(this);
    kind->addButton(m_byName);
    kind->addButton(m_byAddress);
    m_byName->setChecked(true);
    auto *kindRow = new QHBoxLayout;
    kindRow->addWidget(m_byName);
    kindRow->addWidget(m_byAddress);
    kindRow->addStretch(1);

    m_target->setObjectName(QStringLiteral("banTarget"));
    m_target->setMinimumWidth(360);
    m_reason->setObjectName(QStringLiteral("banReason"));
    m_reason->setMaxLength(Protocol::MaxReasonChars);
    m_reason->setPlaceholderText(tr("banned by the operator"));
    m_problem->setForegroundRole(QPalette::PlaceholderText);
    m_problem->setWordWrap(true);

    auto *form = new QFormLayout;
    form->addRow(tr("Ban by:"), kindRow);
    form->addRow(tr("&Target:"), m_target);
    form->addRow(tr("&Duration:"), m_duration);
    form->addRow(tr("&Reason:"), m_reason);
    form->addRow(QString(), m_problem);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_ok = buttons->addButton(tr("&Ban"), QDialogButtonBox::AcceptRole);
    m_ok->setObjectName(QStringLiteral("banOkButton"));
    m_ok->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_question);
    layout->addLayout(form);
    layout->addWidget(buttons);

    connect(m_target, &QLineEdit::textChanged, this, &BanDialog::validate);
    connect(m_byName, &QRadioButton::toggled, this, &BanDialog::validate);
    validate();
}

void BanDialog::setTarget(bool address, const QString &target)
{
    (address ? m_byAddress : m_byName)->setChecked(true);
    m_target->setText(target);
    validate();
}

void BanDialog::setDurationS(qint64 seconds)
{
    m_duration->setDurationS(seconds);
}

void BanDialog::setReason(const QString &reason)
{
    m_reason->setText(reason);
}

BanRequest BanDialog::request() const
{
    BanRequest request;
    request.address = m_byAddress->isChecked();
    request.target = m_target->text().trimmed();
    request.reason = m_reason->text().trimmed();
    request.durationS = m_duration->durationS();
    return request;
}

QString BanDialog::question() const
{
    return m_question->text();
}

void BanDialog::validate()
{
    const bool address = m_byAddress->isChecked();
    const QString target = m_target->text().trimmed();
    m_target->setPlaceholderText(address ? tr("192.168.1.20 or fe80::1") : tr("alice"));

    // Checked as the hub checks it, so the mistake is explained here rather than by the hub.
    QString problem;
    if (target.isEmpty())
        problem = address ? tr("Type the address to ban.") : tr("Type the name to ban.");
    else if (address && QHostAddress(target).isNull())
        problem = tr("%1 is not an IP address.").arg(target);
    else if (!address)
        Protocol::isValidUserName(target, &problem);

    m_ok->setEnabled(problem.isEmpty());
    m_problem->setText(problem.isEmpty()
                           ? tr("A banned client is closed with code 4013 and refused until the "
                                "ban ends or is lifted.")
                           : problem);
    m_question->setText(problem.isEmpty() && m_describe ? m_describe(address, target)
                                                        : tr("Ban a user name or an address"));
}
