#include "durationedit.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QSpinBox>

namespace {

constexpr qint64 Minute = 60;
constexpr qint64 Hour = 60 * Minute;
constexpr qint64 Day = 24 * Hour;
constexpr int Custom = -1; // the choice's data for "Custom"

} // namespace

DurationEdit::DurationEdit(QWidget *parent)
    : QWidget(parent)
    , m_choice(new QComboBox(this))
    , m_amount(new QSpinBox(this))
    , m_unit(new QComboBox(this))
{
    m_choice->setObjectName(QStringLiteral("durationChoice"));
    m_choice->addItem(tr("10 minutes"), 10 * Minute);
    m_choice->addItem(tr("1 hour"), Hour);
    m_choice->addItem(tr("1 day"), Day);
    m_choice->addItem(tr("1 week"), 7 * Day);
    m_choice->addItem(tr("Permanent"), qint64(0));
    m_choice->addItem(tr("Custom…"), Custom);
    m_choice->setCurrentIndex(1);

    m_amount->setObjectName(QStringLiteral("durationAmount"));
    m_amount->setRange(1, 9999);
    m_amount->setValue(30);
    m_unit->addItem(tr("minutes"), Minute);
    m_unit->addItem(tr("hours"), Hour);
    m_unit->addItem(tr("days"), Day);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_choice);
    layout->addWidget(m_amount);
    layout->addWidget(m_unit);
    layout->addStretch(1);

    connect(m_choice, &QComboBox::currentIndexChanged, this, &DurationEdit::updateCustom);
    connect(m_amount, &QSpinBox::valueChanged, this, &DurationEdit::durationChanged);
    connect(m_unit, &QComboBox::currentIndexChanged, this, &DurationEdit::durationChanged);
    updateCustom();
}

qint64 DurationEdit::durationS() const
{
    const qint64 choice = m_choice->currentData().toLongLong();
    if (choice != Custom)
        return choice;
    return m_amount->value() * m_unit->currentData().toLongLong();
}

void DurationEdit::setDurationS(qint64 seconds)
{
    const int index = m_choice->findData(seconds);
    if (index >= 0) {
        m_choice->setCurrentIndex(index);
        return;
    }

    const qint64 unit = seconds % Day == 0 ? Day : seconds % Hour == 0 ? Hour : Minute;
    m_unit->setCurrentIndex(m_unit->findData(unit));
    m_amount->setValue(int(std::max<qint64>(1, seconds / unit)));
    m_choice->setCurrentIndex(m_choice->findData(Custom));
}

void DurationEdit::updateCustom()
{
    const bool custom = m_choice->currentData().toLongLong() == Custom;
    m_amount->setVisible(custom);
    m_unit->setVisible(custom);
    emit durationChanged();
}
