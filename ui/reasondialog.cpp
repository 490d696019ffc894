#include "reasondialog.h"

#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "protocol.h"

ReasonDialog::ReasonDialog(const QString &title, const QString &summary, const QString &detail,
                           const QString &actionText, QWidget *parent)
    : ReasonDialog(title, summary, detail, defaultOptions(actionText), parent)
{ }

ReasonDialog::ReasonDialog(const QString &title, const QString &summary, const QString &detail,
                           const Options &options, QWidget *parent)
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
    m_reason->setPlaceholderText(options.placeholder);
    m_reason->setMinimumWidth(360);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    QPushButton *act = buttons->addButton(options.actionText, options.actionRole);
    act->setObjectName(QStringLiteral("reasonOkButton"));
    act->setDefault(true);
    connect(act, &QPushButton::clicked, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *form = new QFormLayout;
    form->addRow(tr("&Reason:"), m_reason);
    if (!options.hint.isEmpty()) {
        auto *hint = new QLabel(options.hint, this);
        hint->setForegroundRole(QPalette::PlaceholderText);
        form->addRow(QString(), hint);
    }

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(detailLabel);
    layout->addLayout(form);
    layout->addWidget(buttons);
}

ReasonDialog::Options ReasonDialog::defaultOptions(const QString &actionText)
{
    Options options;
    options.actionText = actionText;
    options.placeholder = tr("optional; kept in the audit log");
    return options;
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
