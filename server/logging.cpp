#include "logging.h"

Q_LOGGING_CATEGORY(lcHub, "confab.hub", QtInfoMsg)
Q_LOGGING_CATEGORY(lcProtocol, "confab.hub.protocol", QtInfoMsg)
Q_LOGGING_CATEGORY(lcDelivery, "confab.hub.delivery", QtInfoMsg)
Q_LOGGING_CATEGORY(lcControl, "confab.hub.control", QtInfoMsg)
Q_LOGGING_CATEGORY(lcStore, "confab.hub.store", QtInfoMsg)
Q_LOGGING_CATEGORY(lcModeration, "confab.hub.moderation", QtInfoMsg)
