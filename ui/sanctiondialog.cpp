#include "sanctiondialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include "durationedit.h"
#include "protocol.h"

SanctionDialog::SanctionDialog(const QString &name, const QString &title, QWidget *parent)
    : QDialog(parent)
    , m_name(name)
    , m_question(new QLabel(this))
{
    setWindowTitle(title);
    setObjectName(name + QStringLiteral("Dialog"));
    m_question->setObjectName(name + QStringLiteral("Question"));
    m_question->setWordWrap(true);
    m_question->setTextFormat(Qt::PlainText);
    QFont bold = m_question->font();
    bold.setBold(true);
    m_question->setFont(bold);
}

void SanctionDialog::finishLayout(QFormLayout *form, const QString &actionText,
                                  const QString &reasonPlaceholder)
{
    Q_ASSERT(!m_ok);
    m_duration = new DurationEdit(this);
    m_reason = new QLineEdit(this);
    m_problem = new QLabel(this);

    m_reason->setObjectName(m_name + QStringLiteral("Reason"));
    m_reason->setMaxLength(Protocol::MaxReasonChars);
    m_reason->setPlaceholderText(reasonPlaceholder);
    m_problem->setForegroundRole(QPalette::PlaceholderText);
    m_problem->setWordWrap(true);

    form->addRow(tr("&Duration:"), m_duration);
    form->addRow(tr("&Reason:"), m_reason);
    form->addRow(QString(), m_problem);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_ok = buttons->addButton(actionText, QDialogButtonBox::AcceptRole);
    m_ok->setObjectName(m_name + QStringLiteral("OkButton"));
    m_ok->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_question);
    layout->addLayout(form);
    layout->addWidget(buttons);
}

void SanctionDialog::setDurationS(qint64 seconds)
{
    m_duration->setDurationS(seconds);
}

void SanctionDialog::setReason(const QString &reason)
{
    m_reason->setText(reason);
}

QString SanctionDialog::question() const
{
    return m_question->text();
}

void SanctionDialog::showProblem(const QString &problem, const QString &explanation)
{
    m_ok->setEnabled(problem.isEmpty());
    m_problem->setText(problem.isEmpty() ? explanation : problem);
}

void SanctionDialog::setQuestion(const QString &question)
{
    m_question->setText(question);
}

qint64 SanctionDialog::durationS() const
{
    return m_duration->durationS();
}

QString SanctionDialog::reason() const
{
    return m_reason->text().trimmed();
}
