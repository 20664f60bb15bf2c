"""The change log's analyst lists: ``/api/core/changes/`` and ``/api/core/deliveries/``."""

from ..lists.specs import Column, ListSpec, register
from .filters import ChangeFilterSet, DeliveryFilterSet
from .models import Change, Delivery

CHANGES = register(
    ListSpec(
        key="core.changes",
        title="The change log: one row per domain write (who, when, which request, which object, what changed).",
        model=Change,
        filterset=ChangeFilterSet,
        ordering=("-id",),
        orderings=("id", "at", "object_type", "action"),
        columns=[
            Column("id", "ID"),
            Column("at", "At (UTC)"),
            Column("actor", "Actor"),
            Column("request_id", "Request"),
            Column("object_type", "Object type"),
            Column("object_id", "Object id"),
            Column("natural_key", "Natural key"),
            Column("object_repr", "Object"),
            Column("action", "Action"),
            Column("changes", "Changes (field: [before, after])", searched=False),
            Column("counts", "Counts", searched=False),
            Column("events", "Events", searched=False),
        ],
    )
)

DELIVERIES = register(
    ListSpec(
        key="core.deliveries",
        title="Outbound event deliveries (webhooks): one row per event and subscription.",
        model=Delivery,
        filterset=DeliveryFilterSet,
        ordering=("-id",),
        orderings=("id", "created_at", "status"),
        columns=[
            Column("id", "ID"),
            Column("event_id", "Event id (webhook-id)"),
            Column("event_type", "Event type"),
            Column("subscription", "Subscription ID"),
            Column("object_key", "Object"),
            Column("status", "Status"),
            Column("attempts", "Attempts"),
            Column("last_status_code", "Last HTTP status"),
            Column("last_error", "Last error", searched=False),
            Column("created_at", "Created (UTC)"),
            Column("next_attempt_at", "Next attempt (UTC)"),
            Column("finished_at", "Finished (UTC)"),
        ],
    )
)
