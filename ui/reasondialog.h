#pragma once

#include <QDialog>
#include <QDialogButtonBox>

class QLabel;
class QLineEdit;

// Confirms a command that takes an optional reason (deleting a message, a kick): what it
// affects in bold, what happens, the reason, and a button named after the action.
class ReasonDialog : public QDialog
{
    Q_OBJECT

public:
    // What one command's dialog says that another's does not.
    struct Options
    {
        QString actionText; // the accepting button: "&Delete message"
        QString placeholder; // in the empty reason field
        QString hint; // a line under the reason field; none if empty
        // DestructiveRole for what cannot be undone; AcceptRole puts the button where OK goes.
        QDialogButtonBox::ButtonRole actionRole = QDialogButtonBox::DestructiveRole;
    };

    // summary: what is affected, in one line; detail: what happens to it. The reason is
    // optional and kept in the audit log; the button is destructive.
    ReasonDialog(const QString &title, const QString &summary, const QString &detail,
                 const QString &actionText, QWidget *parent = nullptr);
    ReasonDialog(const QString &title, const QString &summary, const QString &detail,
                 const Options &options, QWidget *parent = nullptr);

    QString reason() const;
    void setReason(const QString &reason);
    QString summary() const;

private:
    static Options defaultOptions(const QString &actionText);

    QLabel *m_summary;
    QLineEdit *m_reason;
};
