#include "joindialog.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QPainter>
#include <QPushButton>
#include <QVBoxLayout>

#include "qrcode.h"

JoinDialog::JoinDialog(const QStringList &urls, QWidget *parent)
    : QDialog(parent)
    , m_choice(new QComboBox(this))
    , m_link(new QLabel(this))
    , m_code(new QrWidget(this))
{
    setWindowTitle(tr("Join link"));

    auto *intro = new QLabel(tr("People on this network open this page in a browser, or scan the "
                                "code with a phone:"),
                             this);
    intro->setWordWrap(true);

    QFont big = m_link->font();
    big.setPointSizeF(big.pointSizeF() * 1.6);
    big.setBold(true);
    m_link->setFont(big);
    m_link->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_link->setAlignment(Qt::AlignCenter);

    // Several addresses (wired and wireless, IPv4 and IPv6): let the operator pick the one the
    // room's network can reach.
    m_choice->addItems(urls);
    m_choice->setVisible(urls.size() > 1);
    connect(m_choice, &QComboBox::currentTextChanged, this, &JoinDialog::showUrl);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton *copy = buttons->addButton(tr("&Copy link"), QDialogButtonBox::ActionRole);
    copy->setObjectName(QStringLiteral("copyLinkButton"));
    connect(copy, &QPushButton::clicked, this,
            [this] { QApplication::clipboard()->setText(currentUrl()); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_choice);
    layout->addWidget(m_link);
    layout->addWidget(m_code, 1, Qt::AlignCenter);
    layout->addWidget(buttons);

    showUrl(urls.value(0));
    if (urls.isEmpty())
        m_link->setText(tr("The hub is not listening."));
}

QString JoinDialog::currentUrl() const
{
    return m_choice->currentText();
}

void JoinDialog::showUrl(const QString &url)
{
    m_link->setText(url);
    m_code->setText(url);
}

QrWidget::QrWidget(QWidget *parent)
    : QWidget(parent)
{
    setMinimumSize(200, 200);
    setAccessibleName(tr("QR code of the join link"));
}

void QrWidget::setText(const QString &text)
{
    const QrCode::Matrix matrix = QrCode::encode(text.toUtf8());
    m_size = matrix.size;
    m_dark = matrix.dark;
    update();
}

void QrWidget::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.fillRect(rect(), Qt::white); // scanners want dark on light, whatever the theme
    if (m_size == 0)
        return;

    // Whole pixels per module and a quiet zone of four modules, or phones misread the code.
    const int modules = m_size + 8;
    const int unit = qMax(1, qMin(width(), height()) / modules);
    const int origin = (qMin(width(), height()) - unit * modules) / 2 + 4 * unit;
    const int left = origin + (width() - qMin(width(), height())) / 2;
    const int top = origin + (height() - qMin(width(), height())) / 2;
    for (int y = 0; y < m_size; ++y) {
        for (int x = 0; x < m_size; ++x) {
            if (m_dark.at(qsizetype(y) * m_size + x))
                painter.fillRect(left + x * unit, top + y * unit, unit, unit, Qt::black);
        }
    }
}
