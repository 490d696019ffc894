#include "uitext.h"

#include <QCoreApplication>

namespace UiText {

QString connections(int n)
{
    return n == 1 ? QCoreApplication::translate("UiText", "%n connection", nullptr, n)
                  : QCoreApplication::translate("UiText", "%n connections", nullptr, n);
}

QString users(int n)
{
    return n == 1 ? QCoreApplication::translate("UiText", "%n user", nullptr, n)
                  : QCoreApplication::translate("UiText", "%n users", nullptr, n);
}

QString members(int n)
{
    return n == 1 ? QCoreApplication::translate("UiText", "%n member", nullptr, n)
                  : QCoreApplication::translate("UiText", "%n members", nullptr, n);
}

QString rows(int n)
{
    return n == 1 ? QCoreApplication::translate("UiText", "%n row", nullptr, n)
                  : QCoreApplication::translate("UiText", "%n rows", nullptr, n);
}

QString rooms(int n)
{
    return n == 1 ? QCoreApplication::translate("UiText", "%n room", nullptr, n)
                  : QCoreApplication::translate("UiText", "%n rooms", nullptr, n);
}

QString events(int n)
{
    return n == 1 ? QCoreApplication::translate("UiText", "%n event", nullptr, n)
                  : QCoreApplication::translate("UiText", "%n events", nullptr, n);
}

QString bans(int n)
{
    return n == 1 ? QCoreApplication::translate("UiText", "%n ban", nullptr, n)
                  : QCoreApplication::translate("UiText", "%n bans", nullptr, n);
}

QString mutes(int n)
{
    return n == 1 ? QCoreApplication::translate("UiText", "%n mute", nullptr, n)
                  : QCoreApplication::translate("UiText", "%n mutes", nullptr, n);
}

QString entries(int n)
{
    return n == 1 ? QCoreApplication::translate("UiText", "%n entry", nullptr, n)
                  : QCoreApplication::translate("UiText", "%n entries", nullptr, n);
}

} // namespace UiText
