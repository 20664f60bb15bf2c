from celery import shared_task
from django.conf import settings

from . import services


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def run_export(job_id: str) -> None:
    services.export_job_run(job_id=job_id)


@shared_task(name="core.tasks.sweep_pending_exports")
def sweep_pending_exports(stall_seconds: float | None = None) -> int:
    """Send again the export jobs whose message never reached a worker (``EXPORT_SWEEP_STALL_SECONDS``), and requeue
    (or fail) those whose worker stopped beating (``JOB_STALL_SECONDS``)."""
    if stall_seconds is None:
        stall_seconds = settings.EXPORT_SWEEP_STALL_SECONDS
    return services.export_jobs_sweep(stall_seconds=stall_seconds)


@shared_task
def purge_expired_exports() -> int:
    return services.export_jobs_purge()
