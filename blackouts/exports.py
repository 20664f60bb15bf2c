"""The analyst lists of the blackouts app, each declared once: columns, filters, orderings (core/lists/specs.py)."""

from core.lists.specs import Column, ListSpec, register

from .filters import BlackoutPolicyFilterSet, EventFilterSet
from .models import BlackoutPolicy, Event

POLICIES = register(
    ListSpec(
        key="blackouts.policies",
        title="Blackout policies with their current or next window.",
        model=BlackoutPolicy,
        filterset=BlackoutPolicyFilterSet,
        ordering=("execution_order", "name"),
        orderings=("name", "execution_order", "created_at", "modified_at", "window_start"),
        columns=[
            Column("id", "Policy ID"),
            Column("name", "Name"),
            Column("description", "Description"),
            Column("enabled", "Enabled"),
            Column("execution_order", "Execution order"),
            Column("selector_criteria", "Selector criteria"),
            Column("owner", "Owner"),
            Column("window_start", "Current/next window start (UTC)"),
            Column("window_end", "Current/next window end (UTC)"),
            Column("blackout_existing_events", "Black out existing events"),
            Column("reset_status_on_blackout_end", "Reset status on end"),
            Column("timeframe", "Timeframe"),
            Column("created_at", "Created (UTC)"),
            Column("modified_at", "Modified (UTC)"),
        ],
    )
)

EVENTS = register(
    ListSpec(
        key="blackouts.events",
        title="Events received, with the blackout policy that blacked them out (if any).",
        model=Event,
        filterset=EventFilterSet,
        ordering=("-received_at", "id"),
        orderings=("id", "received_at", "severity", "status", "blacked_out_at"),
        columns=[
            Column("id", "Event ID"),
            Column("identifier", "Identifier"),
            Column("event_class", "Class"),
            Column("severity", "Severity"),
            Column("status", "Status"),
            Column("previous_status", "Status before blackout"),
            Column("msg", "Message"),
            Column("source_hostname", "Source host"),
            Column("source_identifier", "Source identifier"),
            Column("repeat_count", "Repeat count"),
            Column("slots", "Slots"),
            Column("blackout_policy", "Blackout policy ID"),
            Column("blackout_policy_name", "Blacked out by", "blackout_policy__name"),
            Column("blacked_out_at", "Blacked out at (UTC)"),
            Column("received_at", "Received (UTC)"),
        ],
    )
)
