#pragma once

#include <functional>

#include <QDialog>

#include "snapshot.h"

class DurationEdit;
class QLabel;
class QLineEdit;
class QPushButton;
class QRadioButton;

// Bans a user name or an IP address, for a while or for good. Opened with the target filled in
// from a context menu, it is also the confirmation: its first line says what the ban closes now,
// computed from the latest snapshot by the Describe function.
class BanDialog : public QDialog
{
    Q_OBJECT

public:
    // "Ban alice? This closes 3 connections in 2 rooms." for a target as typed.
    using Describe = std::function<QString(bool address, const QString &target)>;

    explicit BanDialog(Describe describe, QWidget *parent = nullptr);

    void setTarget(bool address, const QString &target);
    void setDurationS(qint64 seconds);
    void setReason(const QString &reason);

    BanRequest request() const;
    QString question() const; // the first line, as shown

private:
    void validate();

    Describe m_describe;
    QLabel *m_question;
    QRadioButton *m_byName;
    QRadioButton *m_byAddress;
    QLineEdit *m_target;
    DurationEdit *m_duration;
    QLineEdit *m_reason;
    QLabel *m_problem;
    QPushButton *m_ok = nullptr;
};
