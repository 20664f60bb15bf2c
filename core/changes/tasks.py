"""The change log's Celery tasks. Their registered names are those they had when they lived in ``core/tasks.py``
(``core.tasks.*``), so messages already queued and the beat schedule (``config/beat.py``) keep finding them."""

from celery import shared_task

from . import delivery, retention


@shared_task(name="core.tasks.deliver_webhook", acks_late=True)
def deliver_webhook(*delivery_ids: int) -> int:
    """Send the named outbox deliveries first (idempotent: one already sent, not yet due or not first in line for
    its object is skipped), then whatever else is due, in batches (``delivery.drain``); returns the attempts made."""
    return len(delivery.deliver_many(delivery_ids, hand_over=False)) + delivery.drain()


@shared_task(name="core.tasks.sweep_webhooks")
def sweep_webhooks() -> int:
    """Enqueue due deliveries the broker never got (down at the write) or lost."""
    return delivery.sweep()


@shared_task(name="core.tasks.prune_changes")
def prune_changes() -> dict:
    """Archive, then delete, change records and delivery logs past their retention (default: keep all)."""
    return retention.archive_and_prune()
