#pragma once

#include <QDialog>

#include "snapshot.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

// A room's limits: max members, locked, slow mode and password, shown as the room has them now
// (RoomInfo) and sent as a RoomSettingsChange holding only what the operator changed.
class RoomSettingsDialog : public QDialog
{
    Q_OBJECT

public:
    static constexpr int MaxMembers = 1000000; // the hub's own limits
    static constexpr int MaxSlowModeS = 24 * 60 * 60;

    explicit RoomSettingsDialog(const RoomInfo &room, QWidget *parent = nullptr);

    RoomSettingsChange change() const;
    bool hasChanges() const;

    // For tests and scripted use, as a person would set the fields.
    void setMaxMembers(int members);
    void setLocked(bool locked);
    void setSlowModeS(int seconds);
    void setNewPassword(const QString &password);
    void clearPassword();

private:
    void updatePasswordField();

    RoomInfo m_room;
    QSpinBox *m_maxMembers;
    QCheckBox *m_locked;
    QSpinBox *m_slowMode;
    QComboBox *m_passwordChoice;
    QLineEdit *m_password;
};
