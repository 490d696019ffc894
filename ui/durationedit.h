#pragma once

#include <QWidget>

class QComboBox;
class QSpinBox;

// How long a ban or mute lasts: the usual choices (10 min, 1 h, 1 day, 1 week, permanent) or a
// custom number of minutes, hours or days.
class DurationEdit : public QWidget
{
    Q_OBJECT

public:
    explicit DurationEdit(QWidget *parent = nullptr);

    qint64 durationS() const; // 0: permanent
    void setDurationS(qint64 seconds); // a custom one if it is not among the choices

signals:
    void durationChanged();

private:
    void updateCustom();

    QComboBox *m_choice;
    QSpinBox *m_amount;
    QComboBox *m_unit;
};
