"""Celery tasks: thin and idempotent. Beat runs ``window_tick`` every ``BLACKOUT_TICK_SECONDS`` (15 s)."""

from celery import shared_task

from . import services


@shared_task(name="blackouts.tasks.window_tick", ignore_result=True)
def window_tick() -> dict:
    """Apply every window edge that has passed since the last tick (catches up after downtime)."""
    return services.policies_tick()
