#pragma once

#include <QLoggingCategory>

// One category per area of the engine, all under confab.hub so one rule quiets them all.
Q_DECLARE_LOGGING_CATEGORY(lcHub) // confab.hub: lifecycle, connections
Q_DECLARE_LOGGING_CATEGORY(lcProtocol) // confab.hub.protocol: rejected input
Q_DECLARE_LOGGING_CATEGORY(lcDelivery) // confab.hub.delivery: backpressure, slow consumers
Q_DECLARE_LOGGING_CATEGORY(lcControl) // confab.hub.control: the local ctl socket
Q_DECLARE_LOGGING_CATEGORY(lcStore) // confab.hub.store: the database
Q_DECLARE_LOGGING_CATEGORY(lcModeration) // confab.hub.moderation: bans, mutes, deletions
