"""Import jobs: an uploaded file, its dry run, then (once confirmed) its import; run in the request for small files
and by a Celery task (``tasks.py``, registered as ``core.tasks.run_import``) above ``IMPORT_ASYNC_THRESHOLD`` bytes.

Progress is written beside the file (``imports/<id>.progress``), not in the job's row: the import runs inside
one transaction, whose writes no other connection sees until it ends, and SQLite allows one writer at a time.

Retention: ``import_jobs_purge`` (hourly, ``core.tasks.purge_expired_imports``) deletes the uploaded files of jobs
whose last run ended more than ``IMPORT_UPLOAD_RETENTION_DAYS`` ago and marks them ``expired_at``.
"""

import json
import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .. import jobs
from ..context import bound, user_actor
from ..errors import Invalid, InvalidState
from ..heartbeat import Heartbeat, requeue_or_fail, stall_cutoff
from . import readers, specs
from .engine import run_import
from .models import ImportJob
from .report import Report

logger = logging.getLogger(__name__)


def _progress_path(job: ImportJob) -> Path:
    return Path(default_storage.path(f"imports/{job.pk}.progress"))


def _heartbeat_path(job: ImportJob) -> Path:
    """Touched by a running job every ``JOB_HEARTBEAT_SECONDS``: a file, not the job's row, which SQLite could not
    update while the import's own transaction holds the write lock."""
    return Path(default_storage.path(f"imports/{job.pk}.heartbeat"))


def _side_files(job: ImportJob) -> list[Path]:
    progress = _progress_path(job)
    return [progress, progress.with_suffix(".progress-partial"), _heartbeat_path(job)]


def import_job_last_beat(job: ImportJob) -> datetime | None:
    """When the job's run last proved alive: its start, or its heartbeat file's last touch."""
    stamp = job.heartbeat_at or job.started_at
    try:
        touched = datetime.fromtimestamp(_heartbeat_path(job).stat().st_mtime, tz=UTC)
    except OSError:
        return stamp
    return touched if stamp is None else max(stamp, touched)


def import_jobs_lost(*, now=None):
    """Jobs RUNNING whose last heartbeat is older than ``JOB_STALL_SECONDS``: their worker was killed or is gone."""
    cutoff = stall_cutoff(now)
    candidates = ImportJob.objects.filter(status=ImportJob.Status.RUNNING).filter(
        Q(heartbeat_at__lte=cutoff) | Q(heartbeat_at__isnull=True, started_at__lte=cutoff)
    )
    lost = [job.pk for job in candidates.only("pk", "heartbeat_at", "started_at")[:1000] if _silent(job, cutoff)]
    return ImportJob.objects.filter(pk__in=lost)


def _silent(job: ImportJob, cutoff) -> bool:
    beat = import_job_last_beat(job)
    return beat is None or beat <= cutoff


def import_jobs_sweep() -> int:
    """Requeue (or fail, after ``JOB_MAX_ATTEMPTS`` runs) every RUNNING job that lost its worker; returns how many
    were sent again. The stage starts again from the start: its transaction never committed."""
    requeued = requeue_or_fail(import_jobs_lost(), name="import", now=timezone.now())
    return sum(jobs.send("core.tasks.run_import", str(pk)) for pk in requeued)


def import_job_progress(*, job: ImportJob) -> dict:
    """``{"bytes_done", "rows_done", "percent"}`` of a running job (from its progress file), else of the row."""
    done, rows = job.bytes_done, job.rows_done
    if job.status == ImportJob.Status.RUNNING:
        try:
            data = json.loads(_progress_path(job).read_text())
            done, rows = data["bytes_done"], data["rows_done"]
        except (OSError, ValueError, KeyError):
            pass
    percent = 100 if job.status == ImportJob.Status.DONE else (min(99, done * 100 // job.size) if job.size else 0)
    return {"bytes_done": done, "rows_done": rows, "percent": percent}


@transaction.atomic
def import_job_create(*, user, model_label: str, upload, fmt: str | None = None, apply_valid: bool = False):
    """Keep the uploaded file and start its dry run (now, or in the background for a large file)."""
    spec = specs.get_spec(model_label)
    try:
        fmt = readers.detect_format(upload.name, fmt or None)
    except readers.FileRefused as exc:
        raise Invalid(exc.message, code="imports.unknown_format", field="file") from None
    job = ImportJob(
        user=user,
        model_label=spec.label,
        fmt=fmt,
        filename=os.path.basename(upload.name)[:255],
        size=upload.size,
        apply_valid=apply_valid,
        background=upload.size > settings.IMPORT_ASYNC_THRESHOLD,
    )
    job.file.save(f"{job.pk}.{fmt}", upload, save=False)
    job.save()
    _start(job)
    return job


@transaction.atomic
def import_job_confirm(*, job_id) -> ImportJob:
    """Apply a file whose dry run has finished (the user saw its report and confirmed)."""
    job = ImportJob.objects.select_for_update().get(pk=job_id)
    if job.expired_at is not None:
        raise InvalidState("This file has expired (deleted): upload it again.", code="imports.expired")
    if job.stage != ImportJob.Stage.DRY_RUN or job.status != ImportJob.Status.DONE:
        raise InvalidState("This file has no finished dry run to confirm.", code="imports.not_confirmable")
    report = Report.from_dict(job.dry_run_report or {})
    if report.file_error or (report.refused and not job.apply_valid):
        raise InvalidState("The dry run refused this file: fix it and upload it again.", code="imports.refused")
    job.stage = ImportJob.Stage.APPLY
    job.status = ImportJob.Status.PENDING
    job.bytes_done = job.rows_done = 0
    job.save(update_fields=["stage", "status", "bytes_done", "rows_done"])
    _start(job)
    return job


def _start(job: ImportJob) -> None:
    if job.background:
        jobs.enqueue_on_commit("core.tasks.run_import", str(job.pk))
    else:
        transaction.on_commit(lambda: import_job_run(job_id=job.pk))


def import_job_run(*, job_id) -> ImportJob | None:
    """Run the job's current stage. Idempotent: a finished stage is left alone, and so is a running one whose
    worker is alive (a heartbeat younger than ``JOB_STALL_SECONDS``: a duplicate message); a stage interrupted
    mid-way (worker died) is run again from the start (its transaction never committed)."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
            return job
        if job.status == ImportJob.Status.RUNNING and not _silent(job, stall_cutoff()):
            return job
        job.status = ImportJob.Status.RUNNING
        job.started_at = job.heartbeat_at = timezone.now()
        job.attempts += 1
        job.error = ""
        job.save(update_fields=["status", "started_at", "heartbeat_at", "attempts", "error"])
    progress_file = _progress_path(job)
    progress_file.parent.mkdir(parents=True, exist_ok=True)
    _heartbeat_path(job).unlink(missing_ok=True)  # a killed run's last beat is not this run's
    with Heartbeat(_heartbeat_path(job).touch, name=f"import-{job.pk}"):
        return _import_run(job, progress_file)


def _import_run(job: ImportJob, progress_file: Path) -> ImportJob:
    partial = progress_file.with_suffix(".progress-partial")
    dry_run = job.stage == ImportJob.Stage.DRY_RUN
    try:
        spec = specs.get_spec(job.model_label)
        with job.file.open("rb") as handle:

            def progress(rows: int) -> None:
                # Written aside and renamed over: a page reading mid-write would find it empty (its bar back at 0).
                partial.write_text(json.dumps({"bytes_done": handle.tell(), "rows_done": rows}))
                os.replace(partial, progress_file)

            with bound(actor=user_actor(job.user)):  # as a request names its user
                report = run_import(
                    spec, handle, fmt=job.fmt, dry_run=dry_run, apply_valid=job.apply_valid, progress=progress
                )
    except Exception as exc:
        logger.exception("import %s failed", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, error=f"{type(exc).__name__}: {exc}", finished_at=timezone.now()
        )
        for path in _side_files(job):
            path.unlink(missing_ok=True)
        raise
    field = "dry_run_report" if dry_run else "report"
    ImportJob.objects.filter(pk=job.pk).update(
        **{field: report.as_dict()},
        status=ImportJob.Status.DONE,
        bytes_done=job.size,
        rows_done=report.rows,
        finished_at=timezone.now(),
    )
    # Only now: a progress page asking between the two would see RUNNING without progress (the bar back at 0).
    for path in _side_files(job):
        path.unlink(missing_ok=True)
    job.refresh_from_db()
    return job


def _without_detail(data: dict | None) -> dict | None:
    """A report without its refused rows (their reasons quote the file's cells); the counts and summary stay."""
    if not data:
        return data
    return {**data, "refusals": [], "unlisted": data.get("refused", 0)}


def import_jobs_purge(*, now=None) -> int:
    """Delete the uploaded files of jobs whose last run ended more than ``IMPORT_UPLOAD_RETENTION_DAYS`` ago, with
    the refused rows' detail of their reports, and mark them expired; the jobs and their counts stay. A job that
    never got to run (its message lost) for as long is marked failed. Idempotent. Returns how many expired."""
    days = settings.IMPORT_UPLOAD_RETENTION_DAYS
    if days <= 0:
        return 0
    now = now or timezone.now()
    cutoff = now - timedelta(days=days)
    Status = ImportJob.Status
    finished = Q(status__in=[Status.DONE, Status.FAILED], finished_at__lte=cutoff)
    never_ran = (
        Q(status__in=[Status.PENDING, Status.RUNNING], created_at__lte=cutoff)
        & (Q(started_at__isnull=True) | Q(started_at__lte=cutoff))
        & (Q(finished_at__isnull=True) | Q(finished_at__lte=cutoff))
    )
    with transaction.atomic():
        expired = list(ImportJob.objects.select_for_update().filter(finished | never_ran, expired_at__isnull=True))
        for job in expired:
            # Deleted before the row is marked: if the mark rolls back, the next sweep marks it (deleting a missing
            # file is a no-op); the other order could leave a file nobody will delete.
            if job.file:
                default_storage.delete(job.file.name)
            for path in _side_files(job):
                path.unlink(missing_ok=True)
            if job.status in (Status.PENDING, Status.RUNNING):
                job.status = Status.FAILED
                job.error = f"The uploaded file expired before this {job.get_stage_display().lower()} ran."
                job.finished_at = now
            job.file = ""
            job.expired_at = now
            job.dry_run_report = _without_detail(job.dry_run_report)
            job.report = _without_detail(job.report)
        fields = ["file", "expired_at", "dry_run_report", "report", "status", "error", "finished_at"]
        ImportJob.objects.bulk_update(expired, fields, batch_size=500)
    if expired:
        logger.info("import files expired", extra={"count": len(expired), "retention_days": days})
    return len(expired)
