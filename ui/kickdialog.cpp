#include "kickdialog.h"

KickDialog::KickDialog(const QString &title, const QString &summary, const QString &detail,
                       QWidget *parent)
    : ReasonDialog(title, summary, detail, kickOptions(), parent)
{
    setObjectName(QStringLiteral("kickDialog"));
}

ReasonDialog::Options KickDialog::kickOptions()
{
    Options options;
    options.actionText = tr("&Kick");
    options.placeholder = tr("kicked by the operator");
    options.hint = tr("The client sees the reason, and may reconnect.");
    // Not destructive: the client may come back, so the button sits where OK would.
    options.actionRole = QDialogButtonBox::AcceptRole;
    return options;
}
