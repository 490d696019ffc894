#pragma once

#include <QDialog>

class QLabel;
class QLineEdit;

// Confirms a destructive command that takes an optional reason (deleting a message): what it
// affects in bold, what happens, the reason, and a button named after the action.
class ReasonDialog : public QDialog
{
    Q_OBJECT

public:
    ReasonDialog(const QString &title, const QString &summary, const QString &detail,
                 const QString &actionText, QWidget *parent = nullptr);

    QString reason() const;
    void setReason(const QString &reason);
    QString summary() const;

private:
    QLabel *m_summary;
    QLineEdit *m_reason;
};
