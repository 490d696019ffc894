#pragma once

#include <QDialog>
#include <QStringList>

class QLabel;
class QLineEdit;
class QPushButton;

// Creates a room (name and topic) or changes a room's topic. Names are checked as the hub
// checks them (Protocol::isValidRoomName), so a bad one is explained before it is sent.
class RoomDialog : public QDialog
{
    Q_OBJECT

public:
    enum class Mode { Create, EditTopic };

    // existing: rooms already there, so a duplicate is refused here rather than by the hub.
    RoomDialog(Mode mode, const QStringList &existing, QWidget *parent = nullptr);

    QString name() const;
    void setName(const QString &name);
    QString topic() const;
    void setTopic(const QString &topic);

private:
    void validate();

    Mode m_mode;
    QStringList m_existing;
    QLineEdit *m_name;
    QLineEdit *m_topic;
    QLabel *m_problem;
    QPushButton *m_ok = nullptr;
};
