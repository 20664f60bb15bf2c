from celery import shared_task

from . import services


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def run_export(job_id: str) -> None:
    services.export_job_run(job_id=job_id)


@shared_task
def purge_expired_exports() -> int:
    return services.export_jobs_purge()


@shared_task(acks_late=True)
def deliver_webhook(delivery_id: int) -> str:
    """Send one outbox delivery (idempotent: a delivery already sent, or not yet due, is skipped)."""
    from .changes import delivery

    return delivery.deliver(delivery_id)


@shared_task
def sweep_webhooks() -> int:
    """Enqueue due deliveries the broker never got (down at the write) or lost."""
    from .changes import delivery

    return delivery.sweep()


@shared_task
def prune_changes() -> dict:
    """Archive, then delete, change records and delivery logs past their retention (default: keep all)."""
    from .changes import retention

    return retention.archive_and_prune()
