"""Scrape-time gauges of the import jobs (core/metrics.py collects them): the imports counted in ``jobs_stalled``."""

from core.metrics import gauge_part

from .jobs import import_jobs_lost


@gauge_part("jobs_stalled", "imports")
def imports_stalled() -> int:
    return import_jobs_lost().count()
