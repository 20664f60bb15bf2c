"""Exportable lists of the blackouts app (analyst API, admin Export button, ``manage.py export``)."""

from core.exports import Column, ExportSpec, register

from .filters import BlackoutPolicyFilterSet, EventFilterSet
from .models import BlackoutPolicy, Event

POLICIES = register(
    ExportSpec(
        key="blackouts.policies",
        model=BlackoutPolicy,
        filterset_class=BlackoutPolicyFilterSet,
        ordering=("execution_order", "name"),
        columns=[
            Column("id", "Policy ID", "id"),
            Column("name", "Name", "name"),
            Column("description", "Description", "description"),
            Column("enabled", "Enabled", "enabled"),
            Column("executionOrder", "Execution order", "execution_order"),
            Column("eventSelectorCriteria", "Selector criteria", "selector_criteria"),
            Column("owner", "Owner", "owner"),
            Column("windowStart", "Current/next window start (UTC)", "window_start"),
            Column("windowEnd", "Current/next window end (UTC)", "window_end"),
            Column("blackoutExistingEvents", "Black out existing events", "blackout_existing_events"),
            Column("resetStatusOnBlackoutEnd", "Reset status on end", "reset_status_on_blackout_end"),
            Column("createdAt", "Created (UTC)", "created_at"),
            Column("modifiedAt", "Modified (UTC)", "modified_at"),
        ],
    )
)

EVENTS = register(
    ExportSpec(
        key="blackouts.events",
        model=Event,
        filterset_class=EventFilterSet,
        ordering=("-received_at", "id"),
        columns=[
            Column("id", "Event ID", "id"),
            Column("identifier", "_identifier", "identifier"),
            Column("class", "Class", "event_class"),
            Column("severity", "Severity", "severity"),
            Column("status", "Status", "status"),
            Column("previousStatus", "Status before blackout", "previous_status"),
            Column("msg", "Message", "msg"),
            Column("sourceHostname", "Source host", "source_hostname"),
            Column("blackoutPolicy", "Blacked out by", "blackout_policy__name"),
            Column("blackedOutAt", "Blacked out at (UTC)", "blacked_out_at"),
            Column("receivedAt", "Received (UTC)", "received_at"),
        ],
    )
)
