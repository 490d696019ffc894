#include "bandialog.h"

#include <QButtonGroup>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHostAddress>
#include <QLineEdit>
#include <QRadioButton>

#include "protocol.h"

BanDialog::BanDialog(Describe describe, QWidget *parent)
    : SanctionDialog(QStringLiteral("ban"), tr("Ban"), parent)
    , m_describe(std::move(describe))
    , m_byName(new QRadioButton(tr("&User name"), this))
    , m_byAddress(new QRadioButton(tr("&IP address"), this))
    , m_target(new QLineEdit(this))
{
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

    auto *form = new QFormLayout;
    form->addRow(tr("Ban by:"), kindRow);
    form->addRow(tr("&Target:"), m_target);
    finishLayout(form, tr("&Ban"), tr("banned by the operator"));

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

BanRequest BanDialog::request() const
{
    BanRequest request;
    request.address = m_byAddress->isChecked();
    request.target = m_target->text().trimmed();
    request.reason = reason();
    request.durationS = durationS();
    return request;
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

    showProblem(problem, tr("A banned client is closed with code 4013 and refused until the ban "
                            "ends or is lifted."));
    setQuestion(problem.isEmpty() && m_describe ? m_describe(address, target)
                                                : tr("Ban a user name or an address"));
}
