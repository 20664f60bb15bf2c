from celery import shared_task


@shared_task(acks_late=True)
def run_import(job_id: str) -> None:
    from .imports.jobs import import_job_run

    import_job_run(job_id=job_id)


@shared_task(name="core.tasks.sweep_stalled_imports")
def sweep_stalled_imports() -> int:
    """Requeue (or fail) the import jobs whose worker stopped beating (``JOB_STALL_SECONDS``)."""
    from .imports.jobs import import_jobs_sweep

    return import_jobs_sweep()


@shared_task
def purge_expired_imports() -> int:
    """Delete uploaded import files past ``IMPORT_UPLOAD_RETENTION_DAYS``; the jobs stay, marked expired."""
    from .imports.jobs import import_jobs_purge

    return import_jobs_purge()
