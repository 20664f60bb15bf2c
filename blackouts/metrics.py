"""Scrape-time gauges and wire outcomes of the blackouts app (core/metrics.py collects them)."""

from django.db.models import Min, Q
from django.utils import timezone

from core.metrics import backlog_gauge, declare_outcomes

from . import partitions
from .models import BlackoutPolicy

declare_outcomes("events", ("received", "blacked_out"))


@backlog_gauge(
    "blackout_tick_lag_seconds",
    "How long the oldest window edge (start or end) that the tick should have applied has been waiting; 0 when "
    "every edge is applied.",
    health_limit="HEALTH_MAX_TICK_LAG_SECONDS",
)
def blackout_tick_lag(now=None) -> float:
    """The same edges :func:`blackouts.services.policies_due` finds, timed: one aggregate query."""
    now = now or timezone.now()
    ready = Q(apply_error="")
    edges = BlackoutPolicy.objects.aggregate(
        start=Min("window_start", filter=ready & Q(enabled=True, window_start__lte=now, applied_start__isnull=True)),
        applied_end=Min("applied_end", filter=ready & Q(applied_end__lte=now)),
        end=Min("window_end", filter=ready & Q(enabled=True, window_end__lte=now)),
    )
    oldest = min((edge for edge in edges.values() if edge is not None), default=None)
    return 0.0 if oldest is None else max(0.0, (now - oldest).total_seconds())


@backlog_gauge(
    "blackout_policies_in_error",
    "Blackout policies the window tick marked in error (their criteria or timeframe cannot be applied, or their "
    "query took longer than CRITERIA_WINDOW_TIMEOUT_MS); they wait for staff.",
)
def blackout_policies_in_error() -> float:
    return float(BlackoutPolicy.objects.exclude(apply_error="").count())


@backlog_gauge(
    "blackout_events_in_default_partition",
    "Events in the event table's DEFAULT partition (PostgreSQL; counted up to 100,000): 0 while the beat creates "
    "the months ahead; more means months are missing, and the next event_partitions_maintain moves them.",
)
def blackout_events_in_default_partition() -> float:
    return float(partitions.events_in_default())
