"""Celery tasks of the outages app: thin and idempotent, they call services."""

from celery import shared_task

from .services import outage_messages_prune


@shared_task(name="outages.tasks.prune_message_log")
def prune_message_log(older_than_days: int = 365) -> int:
    """Drop message-log entries older than the retention (events keep their state). Running it twice is harmless."""
    return outage_messages_prune(older_than_days=older_than_days)
