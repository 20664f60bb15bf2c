"""Export jobs: create, run (in a Celery worker), purge after their retention.

A job names an analyst list and that list's FilterSet query; the worker narrows the list with
``ListSpec.filtered`` — the same call the analyst API makes — with no request and no admin.
"""

import logging
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone

from core import replicas
from core.errors import DomainError
from core.heartbeat import Heartbeat, requeue_or_fail, stall_cutoff
from core.jobs import enqueue_on_commit, send

from . import specs, writers
from .models import ExportJob

logger = logging.getLogger(__name__)


@transaction.atomic
def export_job_create(*, user, list_key: str, query: str, fmt: str, rows_total: int = 0) -> ExportJob:
    """Record a background export of the list ``list_key`` narrowed by ``query`` (its FilterSet query string)
    and enqueue it once the transaction commits. An unknown list or an invalid query is refused here."""
    spec = specs.get_list(list_key)
    spec.filtered(QueryDict(query))  # validate now: a bad query is the caller's error, not a failed job later
    opts = spec.model._meta
    job = ExportJob.objects.create(
        user=user,
        list_key=list_key,
        app_label=opts.app_label,
        model_name=opts.model_name,
        query=query,
        fmt=fmt,
        rows_total=rows_total,
    )
    enqueue_on_commit("core.tasks.run_export", str(job.pk))
    return job


def export_job_run(*, job_id) -> ExportJob | None:
    """Write the job's file in chunks, reporting progress and a heartbeat. Idempotent: a finished job is left
    alone, and so is a running one whose worker is alive (its heartbeat younger than ``JOB_STALL_SECONDS``: a
    duplicate message); a job interrupted mid-way (worker died, message redelivered or requeued by the sweep)
    starts its file again."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (ExportJob.Status.DONE, ExportJob.Status.EXPIRED):
            return job
        last_beat = job.heartbeat_at or job.started_at
        if job.status == ExportJob.Status.RUNNING and last_beat and last_beat > stall_cutoff():
            return job
        now = timezone.now()
        job.status = ExportJob.Status.RUNNING
        job.started_at = job.heartbeat_at = now
        job.attempts += 1
        job.rows_done = 0
        job.error = ""
        job.save(update_fields=["status", "started_at", "heartbeat_at", "attempts", "rows_done", "error"])
    with Heartbeat(lambda: _export_beat(job.pk), name=f"export-{job.pk}"):
        return _export_write(job)


def _export_beat(pk, **fields) -> None:
    ExportJob.objects.filter(pk=pk, status=ExportJob.Status.RUNNING).update(heartbeat_at=timezone.now(), **fields)


def _export_write(job: ExportJob) -> ExportJob:
    try:
        spec = specs.get_list(job.list_key)
        queryset = replicas.reading(spec.filtered(QueryDict(job.query)))  # the rows from a replica, if any
    except DomainError as exc:  # the list or a filter changed since the job was created: retrying cannot help
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=exc.message, finished_at=timezone.now()
        )
        job.refresh_from_db()
        return job
    columns = list(spec.columns)
    total = queryset.count()
    ExportJob.objects.filter(pk=job.pk).update(rows_total=total)

    def progress(done: int) -> None:
        _export_beat(job.pk, rows_done=done)

    name = f"exports/{job.pk}.{job.fmt}"
    path = Path(default_storage.path(name))
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if job.fmt == ExportJob.Format.XLSX:
            with path.open("wb") as handle:
                writers.write_xlsx(queryset, columns, handle, progress=progress, title=job.model_name)
        else:
            with path.open("w", newline="", encoding="utf-8") as handle:
                for chunk in writers.stream_csv(queryset, columns, progress=progress):
                    handle.write(chunk)
    except Exception as exc:
        logger.exception("export %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=f"{type(exc).__name__}: {exc}", finished_at=timezone.now()
        )
        raise
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE,
        file=name,
        rows_done=total,
        finished_at=now,
        expires_at=now + timedelta(seconds=settings.EXPORT_RETENTION_SECONDS),
    )
    job.refresh_from_db()
    return job


def export_jobs_stalled(*, stall_seconds: float):
    """Jobs still PENDING ``stall_seconds`` after they were created: their message never reached a worker (the
    broker was down at write time) or was lost."""
    cutoff = timezone.now() - timedelta(seconds=stall_seconds)
    return ExportJob.objects.filter(status=ExportJob.Status.PENDING, created_at__lte=cutoff).order_by("created_at")


def export_jobs_lost(*, now=None):
    """Jobs RUNNING whose heartbeat is older than ``JOB_STALL_SECONDS``: their worker was killed or is gone."""
    cutoff = stall_cutoff(now)
    return ExportJob.objects.filter(status=ExportJob.Status.RUNNING).filter(
        Q(heartbeat_at__lte=cutoff) | Q(heartbeat_at__isnull=True, started_at__lte=cutoff)
    )


def export_jobs_sweep(*, stall_seconds: float) -> int:
    """Requeue (or fail, after ``JOB_MAX_ATTEMPTS`` runs) every RUNNING job that lost its worker, and send again
    those and every stalled PENDING job (at most 1,000 of each a sweep). Returns how many were sent."""
    requeued = requeue_or_fail(export_jobs_lost(), name="export", now=timezone.now())
    pending = export_jobs_stalled(stall_seconds=stall_seconds).exclude(pk__in=requeued)
    ids = requeued + list(pending.values_list("pk", flat=True)[:1000])
    sent = sum(send("core.tasks.run_export", str(pk)) for pk in ids)
    if sent:
        logger.info("exports: sweep sent %d jobs again (%d had lost their worker)", sent, len(requeued))
    return sent


def export_jobs_purge(*, now=None) -> int:
    """Delete the files of jobs past their retention and mark them expired. Returns how many."""
    now = now or timezone.now()
    expired = ExportJob.objects.filter(status=ExportJob.Status.DONE, expires_at__lte=now)
    count = 0
    for job in expired.only("pk", "file"):
        if job.file:
            default_storage.delete(job.file.name)
        count += 1
    expired.update(status=ExportJob.Status.EXPIRED, file="")
    return count
