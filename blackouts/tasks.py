"""Celery tasks: thin and idempotent. Beat runs ``window_tick`` every ``BLACKOUT_TICK_SECONDS`` (15 s) and
``event_partitions_maintain`` hourly."""

from celery import shared_task

from . import partitions, services


@shared_task(name="blackouts.tasks.window_tick", ignore_result=True)
def window_tick() -> dict:
    """Apply every window edge that has passed since the last tick (catches up after downtime)."""
    return services.policies_tick()


@shared_task(name="blackouts.tasks.event_partitions_maintain", ignore_result=True)
def event_partitions_maintain() -> dict:
    """Create the coming months' event partitions, then drop those past EVENTS_RETENTION_DAYS (PostgreSQL)."""
    return partitions.partitions_maintain()
