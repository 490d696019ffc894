#include "kickdialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "protocol.h"

KickDialog::KickDialog(const QString &title, const QString &summary, const QString &detail,
                       QWidget *parent)
    : QDialog(parent)
    , m_summary(new QLabel(summary, this))
    , m_reason(new QLineEdit(this))
{
    setWindowTitle(title);
    setObjectName(QStringLiteral("kickDialog"));
    m_summary->setObjectName(QStringLiteral("kickSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::PlainText);
    QFont bold = m_summary->font();
    bold.setBold(true);
    m_summary->setFont(bold);
    auto *detailLabel = new QLabel(detail, this);
    detailLabel->setWordWrap(true);
    detailLabel->setTextFormat(Qt::PlainText);

    m_reason->setObjectName(QStringLiteral("kickReason"));
    m_reason->setMaxLength(Protocol::MaxReasonChars);
    m_reason->setPlaceholderText(tr("kicked by the operator"));
    m_reason->setMinimumWidth(360);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    QPushButton *kick = buttons->addButton(tr("&Kick"), QDialogButtonBox::AcceptRole);
    kick->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *form = new QFormLayout;
    form->addRow(tr("&Reason:"), m_reason);
    auto *hint = new QLabel(tr("The client sees the reason, and may reconnect."), this);
    hint->setForegroundRole(QPalette::PlaceholderText);
    form->addRow(QString(), hint);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(detailLabel);
    layout->addLayout(form);
    layout->addWidget(buttons);
}

QString KickDialog::reason() const
{
    return m_reason->text().trimmed();
}

void KickDialog::setReason(const QString &reason)
{
    m_reason->setText(reason);
}

QString KickDialog::summary() const
{
    return m_summary->text();
}
