"""What changes outage data; every door (wire views, admin, tasks, demo loader) calls these.

- ``notifications``: applying OMS notifications (atomically, stale-safe, at storm scale);
- ``customers``: the set-based writing of customer lists;
- ``log``: the message log (refused payloads bounded) and its pruning;
- ``staff``: staff edits and actions (admin), external systems.

Refusals are ``core.errors`` domain errors with stable codes (``outages.stale_message``...); the wire's Oracle
message numbers are in ``outages/api/errors.py``.
"""

from .customers import CUSTOMER_BATCH, outage_customers_write
from .log import LOG_BODY_LIMIT, log_body_limit, outage_messages_log_refused, outage_messages_prune
from .notifications import (
    STALE_MESSAGE,
    UNKNOWN_SYSTEM,
    AppliedNotifications,
    outage_message_apply,
    outage_notifications_apply,
    reference_compare,
)
from .staff import (
    external_system_ensure,
    external_system_save,
    external_systems_set_active,
    outage_event_lists_replace,
    outage_event_save,
    outage_events_delete,
    outage_events_discard,
)

__all__ = [
    "CUSTOMER_BATCH",
    "LOG_BODY_LIMIT",
    "STALE_MESSAGE",
    "UNKNOWN_SYSTEM",
    "AppliedNotifications",
    "external_system_ensure",
    "external_system_save",
    "external_systems_set_active",
    "log_body_limit",
    "outage_customers_write",
    "outage_event_lists_replace",
    "outage_event_save",
    "outage_events_delete",
    "outage_events_discard",
    "outage_message_apply",
    "outage_messages_log_refused",
    "outage_messages_prune",
    "outage_notifications_apply",
    "reference_compare",
]
