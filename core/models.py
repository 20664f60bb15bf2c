import uuid

from django.conf import settings
from django.db import models


class ExportJob(models.Model):
    """A large export written to a file by a Celery task, with progress, kept for a day.

    ``list_key`` names the analyst list (``outages.events``) and ``query`` is that list's FilterSet query
    (filters, ``search``, ``ordering``), translated from the admin changelist's parameters when the job was
    created: the task narrows the list exactly as the API does, with no request.
    """

    class Status(models.TextChoices):
        PENDING = "PENDING", "Pending"
        RUNNING = "RUNNING", "Running"
        DONE = "DONE", "Done"
        FAILED = "FAILED", "Failed"
        EXPIRED = "EXPIRED", "Expired"

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs")
    list_key = models.CharField("list", max_length=100, blank=True)
    app_label = models.CharField(max_length=100)
    model_name = models.CharField(max_length=100)
    query = models.TextField(blank=True, help_text="The list's filter query (filters, search and ordering).")
    fmt = models.CharField("format", max_length=8, choices=Format.choices, default=Format.CSV)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    rows_total = models.PositiveBigIntegerField(default=0)
    rows_done = models.PositiveBigIntegerField(default=0)
    file = models.FileField(upload_to="exports/", blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="When the running task last proved alive (core/heartbeat.py)."
    )
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Runs started, the sweep's requeues included.")
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("export_data", "Can export filtered lists (CSV, XLSX, JSON)")]

    def __str__(self) -> str:
        return f"{self.list_key or self.app_label + '.' + self.model_name} {self.fmt} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.rows_done * 100 / self.rows_total) if self.rows_total else 0


class RefreshTokenFamily(models.Model):
    """The refresh tokens of one login, each the successor of the one before (OAuth 2.0 Security BCP, RFC 9700
    §4.14.2). Only ``current`` may be refreshed, and one rotation of it wins (a conditional UPDATE); presenting
    any other token of the family is a reuse, which revokes the family. Tokens carry the family's id (claim
    ``fam``). Deleted with its current token (``flushexpiredtokens``), which is the last of the family to expire."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    current = models.OneToOneField(
        "token_blacklist.OutstandingToken", on_delete=models.CASCADE, related_name="refresh_family"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "refresh token family"
        verbose_name_plural = "refresh token families"

    def __str__(self) -> str:
        return f"refresh token family {self.pk}{' (revoked)' if self.revoked_at else ''}"
