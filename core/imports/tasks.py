"""The import jobs' Celery tasks. Registered under the names they had in ``core/tasks.py`` before imports became an
app of their own, so messages already queued and the beat schedule (``config/beat.py``) still find them."""

from celery import shared_task

from . import jobs


@shared_task(name="core.tasks.run_import", acks_late=True)
def run_import(job_id: str) -> None:
    """Run the job's current stage (its dry run, or its import once confirmed)."""
    jobs.import_job_run(job_id=job_id)


@shared_task(name="core.tasks.sweep_stalled_imports")
def sweep_stalled_imports() -> int:
    """Requeue (or fail) the import jobs whose worker stopped beating (``JOB_STALL_SECONDS``)."""
    return jobs.import_jobs_sweep()


@shared_task(name="core.tasks.purge_expired_imports")
def purge_expired_imports() -> int:
    """Delete uploaded import files past ``IMPORT_UPLOAD_RETENTION_DAYS``; the jobs stay, marked expired."""
    return jobs.import_jobs_purge()
