#pragma once

#include <functional>

#include <QStringList>

#include "sanctiondialog.h"
#include "snapshot.h"

class QComboBox;
class QLineEdit;

// Mutes a user in one room or hub-wide, for a while or for good. Its first line says what the
// mute touches now, from the Describe function over the latest snapshot.
class MuteDialog : public SanctionDialog
{
    Q_OBJECT

public:
    using Describe =
        std::function<QString(const QString &user, const QString &room, qint64 durationS)>;

    // rooms: what "in room" can name; the first choice is always hub-wide.
    MuteDialog(const QStringList &rooms, Describe describe, QWidget *parent = nullptr);

    void setUser(const QString &user);
    void setRoom(const QString &room); // empty: hub-wide

    MuteRequest request() const;

private:
    void validate();

    Describe m_describe;
    QLineEdit *m_user;
    QComboBox *m_room;
};
