#pragma once

#include <functional>

#include <QDialog>
#include <QStringList>

#include "snapshot.h"

class DurationEdit;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

// Mutes a user in one room or hub-wide, for a while or for good. Its first line says what the
// mute touches now, from the Describe function over the latest snapshot.
class MuteDialog : public QDialog
{
    Q_OBJECT

public:
    using Describe =
        std::function<QString(const QString &user, const QString &room, qint64 durationS)>;

    // rooms: what "in room" can name; the first choice is always hub-wide.
    MuteDialog(const QStringList &rooms, Describe describe, QWidget *parent = nullptr);

    void setUser(const QString &user);
    void setRoom(const QString &room); // empty: hub-wide
    void setDurationS(qint64 seconds);
    void setReason(const QString &reason);

    MuteRequest request() const;
    QString question() const;

private:
    void validate();

    Describe m_describe;
    QLabel *m_question;
    QLineEdit *m_user;
    QComboBox *m_room;
    DurationEdit *m_duration;
    QLineEdit *m_reason;
    QLabel *m_problem;
    QPushButton *m_ok = nullptr;
};
