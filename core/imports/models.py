"""The import jobs: one uploaded file each, with its dry run and its import (``jobs.py`` runs them)."""

import uuid

from django.conf import settings
from django.db import models


class ImportJob(models.Model):
    """One uploaded master-data file: its dry run, then (once confirmed) its import, each run in the request or,
    above ``IMPORT_ASYNC_THRESHOLD`` bytes, by a Celery task that reports progress. The reports stay with it; the
    file (and the refused rows' detail, which quotes it) is deleted after ``IMPORT_UPLOAD_RETENTION_DAYS``."""

    class Status(models.TextChoices):
        PENDING = "PENDING", "Pending"
        RUNNING = "RUNNING", "Running"
        DONE = "DONE", "Done"
        FAILED = "FAILED", "Failed"

    class Stage(models.TextChoices):
        DRY_RUN = "DRY_RUN", "Dry run"
        APPLY = "APPLY", "Import"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs")
    model_label = models.CharField("model", max_length=100)
    fmt = models.CharField("format", max_length=8)
    filename = models.CharField(max_length=255)
    file = models.FileField(upload_to="imports/", blank=True, help_text="Empty once expired (deleted).")
    size = models.PositiveBigIntegerField(default=0)
    apply_valid = models.BooleanField(default=False, help_text="Write the valid rows even if some are refused.")
    stage = models.CharField(max_length=8, choices=Stage.choices, default=Stage.DRY_RUN)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    background = models.BooleanField(default=False)
    bytes_done = models.PositiveBigIntegerField(default=0)
    rows_done = models.PositiveBigIntegerField(default=0)
    dry_run_report = models.JSONField(null=True, blank=True)
    report = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="When the run started; later beats touch imports/<id>.heartbeat."
    )
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Runs started, the sweep's requeues included.")
    finished_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(
        null=True, blank=True, help_text="When the uploaded file was deleted (IMPORT_UPLOAD_RETENTION_DAYS)."
    )

    class Meta:
        db_table = "core_importjob"  # created by core's migrations (0004), kept when the model moved here
        ordering = ["-created_at"]
        permissions = [("import_data", "Can import master data from files (CSV, XLSX, JSON)")]

    def __str__(self) -> str:
        return f"{self.model_label} {self.filename} ({self.get_stage_display()}, {self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, int(self.bytes_done * 100 / self.size)) if self.size else 0
