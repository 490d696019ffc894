#include "uilogging.h"

Q_LOGGING_CATEGORY(lcUi, "confab.ui", QtInfoMsg)
