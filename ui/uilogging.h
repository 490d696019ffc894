#pragma once

#include <QLoggingCategory>

// The console's one category; the engine logs under confab.hub, the app under confab.app.
Q_DECLARE_LOGGING_CATEGORY(lcUi) // confab.ui: hub start and stop from the console, layout
