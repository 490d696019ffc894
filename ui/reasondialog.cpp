#include "reasondialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "protocol.h"

ReasonDialog::ReasonDialog(const QString &title, const QString &summary, const QString &detail,
                           const QString &actionText, QWidget *parent)
    : QDialog(parent)
    , m_summary(new QLabel(summary, this))
    , m_reason(new QLineEdit(this))
{
    setWindowTitle(title);
    setObjectName(QStringLiteral("reasonDialog"));
    m_summary->setObjectName(QStringLiteral("reasonSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::PlainText);
    QFont bold = m_summary->font();
    bold.setBold(true);
    m_summary->setFont(bold);
    auto *detailLabel = new QLabel(detail, this);
    detailLabel->setWordWrap(true);
    detailLabel->setTextFormat(Qt::PlainText);

    m_reason->setObjectName(QStringLiteral("reasonEdit"));
    m_reason->setMaxLength(Protocol::MaxReasonChars);
    m_reason->setPlaceholderText(tr("optional; kept in the audit log"));
    m_reason->setMinimumWidth(360);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    QPushButton *act = buttons->addButton(actionText, QDialogButtonBox::DestructiveRole);
    act->setObjectName(QStringLiteral("reasonOkButton"));
    act->setDefault(true);
    connect(act, &QPushButton::clicked, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *form = new QFormLayout;
    form->addRow(tr("&Reason:"), m_reason);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(detailLabel);
    layout->addLayout(form);
    layout->addWidget(buttons);
}

QString ReasonDialog::reason() const
{
    return m_reason->text().trimmed();
}

void ReasonDialog::setReason(const QString &reason)
{
    m_reason->setText(reason);
}

QString ReasonDialog::summary() const
{
    return m_summary->text();
}
