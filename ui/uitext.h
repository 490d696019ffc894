#pragma once

#include <QString>

// Counted nouns the console shows in many places ("1 connection", "12 connections"). Each is a
// translatable %n string; English needs two, so they are spelled out rather than left as
// "connection(s)", which is what Qt shows for a %n string when no translation is loaded.
//
// Known limitation: every console string goes through tr(), but no .ts files exist yet, so the
// console speaks English only; qt_add_translations over confab_ui would remove that.
namespace UiText {

QString connections(int n);
QString users(int n);
QString members(int n);
QString rows(int n);
QString rooms(int n);
QString events(int n);
QString bans(int n);
QString mutes(int n);
QString entries(int n);

} // namespace UiText
