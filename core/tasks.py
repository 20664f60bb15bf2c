from celery import shared_task

from . import services


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def run_export(job_id: str) -> None:
    services.export_job_run(job_id=job_id)


@shared_task
def purge_expired_exports() -> int:
    return services.export_jobs_purge()


@shared_task(acks_late=True)
def run_import(job_id: str) -> None:
    from .imports.jobs import import_job_run

    import_job_run(job_id=job_id)
