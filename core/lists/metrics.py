"""Scrape-time gauges of the background exports (core/metrics.py collects them, core/health.py checks the limited
ones): running now, never taken, and the exports counted in ``jobs_stalled``."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from core.metrics import backlog_gauge, gauge_part

from .jobs import export_jobs_lost
from .models import ExportJob


@backlog_gauge("exports_running", "Background exports being written now.")
def exports_running() -> int:
    return ExportJob.objects.filter(status=ExportJob.Status.RUNNING).count()


@backlog_gauge(
    "exports_pending_stale",
    "Background exports still PENDING after EXPORT_PENDING_STALE_SECONDS (never enqueued, or no worker took them).",
    health_limit="HEALTH_MAX_EXPORTS_PENDING_STALE",
)
def exports_pending_stale() -> int:
    cutoff = timezone.now() - timedelta(seconds=settings.EXPORT_PENDING_STALE_SECONDS)
    return ExportJob.objects.filter(status=ExportJob.Status.PENDING, created_at__lte=cutoff).count()


@gauge_part("jobs_stalled", "exports")
def exports_stalled() -> int:
    return export_jobs_lost().count()
