#pragma once

#include <QDialog>
#include <QStringList>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;

// The announcement composer: to everyone, or to the members of one room. Ctrl+Return sends.
class BroadcastDialog : public QDialog
{
    Q_OBJECT

public:
    // rooms as they should be listed; room preselects one (empty: everyone).
    BroadcastDialog(const QStringList &rooms, const QString &room, int maxChars,
                    QWidget *parent = nullptr);

    QString text() const;
    void setText(const QString &text);
    QString room() const; // empty for everyone
    void setRoom(const QString &room);

private:
    void updateState();
    void send();

    QComboBox *m_target;
    QPlainTextEdit *m_text;
    QLabel *m_count;
    QPushButton *m_send = nullptr;
    int m_maxChars;
};
