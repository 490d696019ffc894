#pragma once

#include <functional>

#include "sanctiondialog.h"
#include "snapshot.h"

class QLineEdit;
class QRadioButton;

// Bans a user name or an IP address, for a while or for good. Opened with the target filled in
// from a context menu, it is also the confirmation: its first line says what the ban closes now,
// computed from the latest snapshot by the Describe function.
class BanDialog : public SanctionDialog
{
    Q_OBJECT

public:
    // "Ban alice? This closes 3 connections in 2 rooms." for a target as typed.
    using Describe = std::function<QString(bool address, const QString &target)>;

    explicit BanDialog(Describe describe, QWidget *parent = nullptr);

    void setTarget(bool address, const QString &target);

    BanRequest request() const;

private:
    void validate();

    Describe m_describe;
    QRadioButton *m_byName;
    QRadioButton *m_byAddress;
    QLineEdit *m_target;
};
