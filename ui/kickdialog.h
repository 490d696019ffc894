#pragma once

#include "reasondialog.h"

// Asks for the reason of a kick and says what the kick will close ("alice: 2 connections").
// The reason reaches each client in its kicked frame and as the close reason of code 4001.
class KickDialog : public ReasonDialog
{
    Q_OBJECT

public:
    // summary: what is affected, in one line; detail: what happens to it.
    KickDialog(const QString &title, const QString &summary, const QString &detail,
               QWidget *parent = nullptr);

private:
    static Options kickOptions();
};
