#pragma once

#include <QDialog>

class DurationEdit;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;

// What the ban and mute dialogs share: a bold question that says what the command touches now,
// the subclass's rows that say whom, then how long and why, a grey line that explains the
// command or what is wrong with the input, and the command's button, enabled only when nothing
// is wrong.
class SanctionDialog : public QDialog
{
    Q_OBJECT

public:
    void setDurationS(qint64 seconds);
    void setReason(const QString &reason);
    QString question() const; // the first line, as shown

protected:
    // name: "ban" names the dialog "banDialog" and its parts "banQuestion", "banReason" and
    // "banOkButton".
    SanctionDialog(const QString &name, const QString &title, QWidget *parent);

    // Adds the duration, reason and explanation rows to `form` and lays out the dialog. Called
    // once, after the subclass made its own fields, so that the tab order follows the rows.
    void finishLayout(QFormLayout *form, const QString &actionText,
                      const QString &reasonPlaceholder);

    // No problem: the button is enabled and the line explains the command.
    void showProblem(const QString &problem, const QString &explanation);
    void setQuestion(const QString &question);

    DurationEdit *durationEdit() const { return m_duration; }
    qint64 durationS() const;
    QString reason() const; // trimmed

private:
    QString m_name;
    QLabel *m_question;
    DurationEdit *m_duration = nullptr;
    QLineEdit *m_reason = nullptr;
    QLabel *m_problem = nullptr;
    QPushButton *m_ok = nullptr;
};
