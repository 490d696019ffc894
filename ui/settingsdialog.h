#pragma once

#include <functional>

#include <QDialog>

#include "hubconfig.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

// Edits the hub's settings. On OK it hands the result to a save function (the app's, which
// writes the INI file); if that refuses, the dialog stays open and shows why. Settings the
// dialog does not show (backlog, member lists, data directory) pass through unchanged.
class SettingsDialog : public QDialog
{
    Q_OBJECT

public:
    using SaveFunction = std::function<bool(const HubConfig &config, QString *error)>;

    explicit SettingsDialog(const HubConfig &config, QWidget *parent = nullptr);

    void setSaveFunction(SaveFunction save) { m_save = std::move(save); }
    void setNote(const QString &text); // where the file is, where the password comes from

    HubConfig config() const;

    void accept() override;

private:
    QWidget *networkGroup();
    QWidget *heartbeatGroup();
    QWidget *limitsGroup();
    QWidget *accessGroup();
    QSpinBox *spinBox(int minimum, int maximum, const QString &suffix = {});
    bool checkLocally(const HubConfig &config, QString *error) const;

    HubConfig m_initial;
    SaveFunction m_save;
    QLabel *m_note;
    QLabel *m_problem;
    QComboBox *m_listen = nullptr;
    QSpinBox *m_port = nullptr;
    QSpinBox *m_heartbeatInterval = nullptr;
    QSpinBox *m_heartbeatTimeout = nullptr;
    QSpinBox *m_helloTimeout = nullptr;
    QSpinBox *m_maxMessageKiB = nullptr;
    QSpinBox *m_maxTextChars = nullptr;
    QSpinBox *m_maxOutboundKiB = nullptr;
    QSpinBox *m_maxMulticast = nullptr;
    QLineEdit *m_operatorName = nullptr;
    QLineEdit *m_password = nullptr;
    QLineEdit *m_rooms = nullptr;
    QCheckBox *m_allowUserRooms = nullptr;
};
