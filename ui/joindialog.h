#pragma once

#include <QDialog>
#include <QStringList>

class QComboBox;
class QLabel;
class QrWidget;

// The link people open to join, big enough to read across a room, with its QR code for phones
// and a button that copies it.
class JoinDialog : public QDialog
{
    Q_OBJECT

public:
    explicit JoinDialog(const QStringList &urls, QWidget *parent = nullptr);

    QString currentUrl() const;

private:
    void showUrl(const QString &url);

    QComboBox *m_choice;
    QLabel *m_link;
    QrWidget *m_code;
};

// Paints a QR code (QrCode::encode from the engine) with crisp square modules.
class QrWidget : public QWidget
{
    Q_OBJECT

public:
    explicit QrWidget(QWidget *parent = nullptr);

    void setText(const QString &text);
    bool hasCode() const { return m_size > 0; }
    QSize sizeHint() const override { return {280, 280}; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    int m_size = 0;
    QList<bool> m_dark;
};
